"""The fused batch-norm + ReLU + dropout computes what the three torch modules
compute (forward, gradients, running statistics), and its dropout is a real
dropout: the right rate, independent draws, fresh masks, reproducible seeds."""

import os
import subprocess
import sys
import textwrap

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from ctrflow.models.layers import MLP
from ctrflow.models.layers.dropout import drop_threshold
from ctrflow.models.layers.fused_norm import batch_norm_relu_dropout, can_fuse


def _norm(width: int, seed: int = 0) -> nn.BatchNorm1d:
    torch.manual_seed(seed)
    norm = nn.BatchNorm1d(width).train()
    with torch.no_grad():  # a non-trivial affine part
        norm.weight.uniform_(0.5, 1.5)
        norm.bias.normal_(0.0, 0.5)
    return norm


def _reference(x, norm, keep, p):
    """torch's batch-norm and ReLU, then the fused call's own mask."""
    scale = 2**16 / (2**16 - drop_threshold(p))
    return F.relu(norm(x)) * keep * scale


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5])
def test_forward_and_gradients_match_torch(p):
    x = (torch.randn(512, 37) * 3 + 1).requires_grad_()
    fused_norm, torch_norm = _norm(37), _norm(37)
    out = batch_norm_relu_dropout(x, fused_norm, p)
    grad = torch.randn_like(out)
    out.backward(grad)

    x_ref = x.detach().clone().requires_grad_()
    # a dropped element is 0; so is a ReLU-clipped one, where the mask is moot
    expected = _reference(x_ref, torch_norm, out != 0, p)
    expected.backward(grad)
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(x.grad, x_ref.grad, rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(
        fused_norm.weight.grad, torch_norm.weight.grad, rtol=1e-4, atol=1e-4
    )
    torch.testing.assert_close(
        fused_norm.bias.grad, torch_norm.bias.grad, rtol=1e-4, atol=1e-4
    )


@pytest.mark.parametrize("momentum", [0.1, None])
def test_running_statistics_follow_batch_norm(momentum):
    fused_norm, torch_norm = _norm(16), _norm(16)
    fused_norm.momentum = torch_norm.momentum = momentum
    for step in range(4):
        x = torch.randn(64, 16) * (step + 1) + step
        batch_norm_relu_dropout(x, fused_norm, 0.2)
        torch_norm(x)
    torch.testing.assert_close(fused_norm.running_mean, torch_norm.running_mean)
    torch.testing.assert_close(fused_norm.running_var, torch_norm.running_var)
    assert (
        int(fused_norm.num_batches_tracked) == int(torch_norm.num_batches_tracked) == 4
    )


def test_drop_rate_among_positive_activations_is_p(binomial_z):
    """Where batch-norm's output is positive, only dropout zeroes an element."""
    torch.manual_seed(3)
    p = 0.2
    norm = nn.BatchNorm1d(400).train()
    x = torch.randn(4096, 400)
    positive = F.batch_norm(x, None, None, training=True) > 0
    dropped = (batch_norm_relu_dropout(x, norm, p) == 0) & positive
    rate = drop_threshold(p) / 2**16
    assert abs(binomial_z(int(dropped.sum()), int(positive.sum()), rate)) < 5


def test_draws_are_independent(assert_independent_drops):
    torch.manual_seed(4)
    p = 0.3
    norm = nn.BatchNorm1d(400).train()
    x = torch.full((1024, 400), 1.0)
    x[::2] = 2.0  # every normalised value is +1 or -1: half the rows positive
    positive_rows = F.batch_norm(x, None, None, training=True)[:, 0] > 0
    first = batch_norm_relu_dropout(x, norm, p)[positive_rows] == 0
    second = batch_norm_relu_dropout(x, norm, p)[positive_rows] == 0
    assert_independent_drops(first, second, drop_threshold(p) / 2**16)


def test_kept_values_are_scaled_so_the_mean_is_kept():
    norm = _norm(256)
    x = torch.randn(4096, 256)
    expected = F.relu(
        F.batch_norm(x, None, None, norm.weight, norm.bias, training=True)
    )
    torch.manual_seed(5)
    out = batch_norm_relu_dropout(x, norm, 0.2)
    assert abs(float(out.detach().mean() / expected.detach().mean()) - 1.0) < 0.01


def test_manual_seed_reproduces_the_mask():
    x, norm = torch.randn(128, 40), _norm(40)
    outs = []
    for _ in range(2):
        torch.manual_seed(6)
        outs.append(batch_norm_relu_dropout(x, norm, 0.5))
    assert torch.equal(outs[0], outs[1])
    assert not torch.equal(outs[0], batch_norm_relu_dropout(x, norm, 0.5))


def test_applies_only_to_eager_cpu_float32_training_batches():
    norm = nn.BatchNorm1d(4).train()
    assert can_fuse(torch.randn(8, 4), norm)
    assert not can_fuse(torch.randn(1, 4), norm)  # torch's one-row error stays
    assert not can_fuse(torch.randn(8, 4, dtype=torch.float64), norm)
    assert not can_fuse(torch.randn(8, 4, 2), norm)
    assert not can_fuse(torch.randn(8, 4), norm.eval())


def test_mlp_fused_matches_its_modules_run_one_by_one():
    """Without dropout the fused MLP and the plain module chain agree to float32
    rounding in output, gradients and running statistics; the state dict is the
    same. (The gradient of a Linear bias before batch-norm is zero analytically,
    rounding noise in both, hence a tolerance scaled to the largest gradient.)"""
    torch.manual_seed(7)
    fused = MLP(12, [32, 16], output_dim=1, batch_norm=True).train()
    plain = MLP(12, [32, 16], output_dim=1, batch_norm=True).train()
    plain.load_state_dict(fused.state_dict())
    plain.fuse = False
    assert list(fused.state_dict()) == list(plain.state_dict())
    x = torch.randn(256, 12)
    fused_out, plain_out = fused(x), plain(x)
    torch.testing.assert_close(fused_out, plain_out, rtol=1e-5, atol=1e-5)
    fused_out.sum().backward()
    plain_out.sum().backward()
    largest = max(float(p.grad.abs().max()) for p in plain.parameters())
    for (name, a), b in zip(fused.named_parameters(), plain.parameters(), strict=True):
        torch.testing.assert_close(
            a.grad, b.grad, rtol=1e-4, atol=1e-6 * largest, msg=name
        )
    for a, b in zip(fused.buffers(), plain.buffers(), strict=True):
        torch.testing.assert_close(a, b)


def test_mlp_with_dropout_drops_and_eval_is_deterministic():
    torch.manual_seed(8)
    mlp = MLP(12, [64], output_dim=None, dropout=0.5, batch_norm=True).train()
    out = mlp(torch.randn(2048, 12))
    zero_fraction = float((out == 0).float().mean())
    assert (
        abs(zero_fraction - 0.75) < 0.02
    )  # half clipped by ReLU, half of the rest dropped
    mlp.eval()
    x = torch.randn(16, 12)
    assert torch.equal(mlp(x), mlp(x))


def test_a_one_row_training_batch_raises_torchs_error():
    mlp = MLP(4, [8], batch_norm=True).train()
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        mlp(torch.randn(1, 4))


def _fused_step(threads: int):
    """One forward and backward of the fused layer with ``threads`` torch threads
    (which numba's follow): output, input/weight/bias gradients, running stats."""
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        torch.manual_seed(3)  # the same input and dropout seed each call
        x = (torch.randn(1000, 37) * 3 + 1).requires_grad_()
        norm = _norm(37)
        out = batch_norm_relu_dropout(x, norm, 0.3)
        out.backward(torch.randn_like(out))
    finally:
        torch.set_num_threads(before)
    return out, x.grad, norm.weight.grad, norm.bias.grad, norm.running_var


def test_results_do_not_depend_on_the_thread_count():
    # the column sums run over fixed row chunks, not one chunk per thread
    for one, two in zip(_fused_step(1), _fused_step(2), strict=True):
        assert torch.equal(one, two)


def test_the_first_fused_call_keeps_torchs_thread_count():
    """Launching numba's pool (the first fused call) resets the libgomp it shares
    with torch to numba's pool size; the trainer's one thread must stay one. In a
    fresh interpreter: the pool starts once per process."""
    script = textwrap.dedent(
        """
        import torch
        from torch import nn
        from ctrflow.models.layers.fused_norm import batch_norm_relu_dropout
        torch.set_num_threads(1)
        x = torch.randn(64, 8, requires_grad=True)
        batch_norm_relu_dropout(x, nn.BatchNorm1d(8).train(), 0.2).sum().backward()
        print(torch.get_num_threads())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env={**os.environ, "NUMBA_NUM_THREADS": "2"},
        capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    assert done.stdout.split() == ["1"]
