"""Models with their own loss terms: FCN's Tri-BCE and FinalNet's 2B distillation
(``auxiliary_loss``) against the formulas."""

import torch
from torch.nn import functional as F

from ctrflow.models.fcn import FCN, FCNConfig
from ctrflow.models.finalnet import FinalNet, FinalNetConfig
from ctrflow.models.layers import FieldSpec


def _model(tri_bce: bool = True) -> FCN:
    torch.manual_seed(0)
    return FCN(FieldSpec(50, 3, 1), FCNConfig(num_deep_cross_layers=2, tri_bce=tri_bce))


def test_auxiliary_loss_is_the_tri_bce_formula():
    model = _model().train()
    ids = torch.randint(0, 50, (64, 3))
    numerics = torch.randn(64, 1)
    labels = (torch.rand(64) < 0.4).float()
    torch.manual_seed(1)
    logits = model(ids, numerics)
    # the same forward again (same dropout masks) to read each branch's logit
    torch.manual_seed(1)
    x0 = model.embedding(ids, numerics).flatten(start_dim=1)
    deep = model.deep_head(model.deep(x0)).squeeze(-1)
    shallow = model.shallow_head(model.shallow(x0)).squeeze(-1)
    torch.testing.assert_close(logits, 0.5 * (deep + shallow))

    loss = F.binary_cross_entropy_with_logits(logits, labels)
    expected = sum(
        branch * torch.clamp(branch - loss, min=0)
        for branch in (
            F.binary_cross_entropy_with_logits(deep, labels),
            F.binary_cross_entropy_with_logits(shallow, labels),
        )
    )
    torch.testing.assert_close(model.auxiliary_loss(labels, loss), expected)
    # consumed: a second call without a new forward adds nothing
    assert float(model.auxiliary_loss(labels, loss)) == 0.0


def test_no_branch_terms_without_tri_bce_or_in_eval():
    ids, numerics, labels = (
        torch.zeros(8, 3, dtype=torch.long),
        torch.ones(8, 1),
        torch.ones(8),
    )
    off = _model(tri_bce=False).train()
    loss = F.binary_cross_entropy_with_logits(off(ids, numerics), labels)
    assert float(off.auxiliary_loss(labels, loss)) == 0.0
    evaluating = _model().eval()
    loss = F.binary_cross_entropy_with_logits(evaluating(ids, numerics), labels)
    assert float(evaluating.auxiliary_loss(labels, loss)) == 0.0


def test_finalnet_2b_distils_each_block_towards_the_average():
    torch.manual_seed(0)
    config = FinalNetConfig(block1_hidden_units=[8], block2_hidden_units=[4])
    model = FinalNet(FieldSpec(50, 3, 1), config).train()
    ids, numerics = torch.randint(0, 50, (32, 3)), torch.randn(32, 1)
    labels = (torch.rand(32) < 0.5).float()
    logits = model(ids, numerics)
    first, second = model._block_logits
    target = torch.sigmoid(logits).detach()
    expected = F.binary_cross_entropy_with_logits(
        first, target
    ) + F.binary_cross_entropy_with_logits(second, target)
    loss = F.binary_cross_entropy_with_logits(logits, labels)
    torch.testing.assert_close(model.auxiliary_loss(labels, loss), expected)
    model.eval()(ids, numerics)
    assert float(model.auxiliary_loss(labels, loss)) == 0.0
