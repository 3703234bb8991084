"""Model tests run single-threaded: their tensors are tiny, and on a few shared
cores intra-op threads cost far more in contention than they gain (measured:
about 6 s instead of about 50 s for the tiny-batch checks of every model)."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
