"""What a model's output carries: logits for one or several tasks, and the branch
logits of the models whose papers add loss terms (FCN, FinalNet 2B)."""

import pytest
import torch

from ctrflow.models.batch import Batch, ModelOutput
from ctrflow.models.configs import FCNConfig, FinalNetConfig
from ctrflow.models.fcn import FCN
from ctrflow.models.finalnet import FinalNet
from ctrflow.schema import FieldSpec

SPEC = FieldSpec(50, 3, 1)


def _batch(rows=64):
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(0, 50, (rows, 3), generator=generator, dtype=torch.int32)
    return Batch(ids, torch.randn(rows, 1, generator=generator))


def test_fcn_returns_both_branches_and_their_average():
    torch.manual_seed(0)
    model = FCN(SPEC, FCNConfig(num_deep_cross_layers=2)).train()
    batch = _batch()
    torch.manual_seed(1)
    output = model(batch)
    # the same forward again (same dropout masks), branch by branch
    torch.manual_seed(1)
    x0 = model.embedding(batch.ids, batch.numerics).flatten(start_dim=1)
    deep = model.deep_head(model.deep(x0)).squeeze(-1)
    shallow = model.shallow_head(model.shallow(x0)).squeeze(-1)
    assert output.branch_loss == "tri_bce"
    torch.testing.assert_close(output.branch_logits, (deep, shallow))
    torch.testing.assert_close(output.logits, 0.5 * (deep + shallow))


def test_fcn_without_tri_bce_returns_logits_only():
    torch.manual_seed(0)
    model = FCN(SPEC, FCNConfig(num_deep_cross_layers=2, tri_bce=False))
    output = model(_batch())
    assert output.branch_logits == () and output.branch_loss is None


def test_finalnet_2b_returns_both_blocks_and_1b_none():
    torch.manual_seed(0)
    config = FinalNetConfig(block1_hidden_units=[8], block2_hidden_units=[4])
    output = FinalNet(SPEC, config).eval()(_batch())
    first, second = output.branch_logits
    assert output.branch_loss == "self_distillation"
    torch.testing.assert_close(output.logits, 0.5 * (first + second))
    one = FinalNet(SPEC, config.model_copy(update={"block_type": "1B"}))(_batch())
    assert one.branch_logits == () and one.branch_loss is None


def test_an_output_holds_one_logit_per_task():
    """The contract carries several heads: logits [B, T]."""
    logits = torch.zeros(8, 3)
    assert ModelOutput(logits).logits.shape == (8, 3)


def test_branch_logits_and_their_loss_go_together():
    with pytest.raises(ValueError, match="go together"):
        ModelOutput(torch.zeros(8), branch_logits=(torch.zeros(8),))
    with pytest.raises(ValueError, match="go together"):
        ModelOutput(torch.zeros(8), branch_loss="tri_bce")


def test_a_batch_without_sequences_or_labels():
    batch = _batch(rows=5)
    assert batch.labels is None
    assert batch.sequences.shape == (5, 0, 0)
    assert batch.sequences.dtype == torch.int32
    assert len(batch.take(torch.tensor([4, 0]))) == 2
    assert batch.slice(1, 3).labels is None
