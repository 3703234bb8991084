"""The training objective against hand-computed formulas: BCE, FuxiCTR's L2, FCN's
Tri-BCE and FinalNet 2B's self-distillation terms."""

import math

import pytest
import torch
from torch.nn import functional as F

from ctrflow.models.batch import ModelOutput
from ctrflow.training.loss import TrainingLoss, embedding_regularizer, l2_penalty
from ctrflow.training.params import TrainingParams


def _approx(value):
    return pytest.approx(value, rel=1e-6)


class _Tiny(torch.nn.Module):
    """One embedding table and one linear layer with known weights."""

    def __init__(self):
        super().__init__()
        self.table = torch.nn.Embedding(2, 2)
        self.linear = torch.nn.Linear(2, 1)
        with torch.no_grad():
            self.table.weight.copy_(torch.tensor([[1.0, 2.0], [3.0, 0.0]]))
            self.linear.weight.copy_(torch.tensor([[2.0, -1.0]]))
            self.linear.bias.fill_(7.0)  # biases are not penalised


def test_l2_is_half_lambda_times_the_squared_weights():
    model = _Tiny()
    # embeddings: 1 + 4 + 9 = 14; linear weight: 4 + 1 = 5 (bias left out)
    assert l2_penalty(model, 0.1, 0.0).item() == _approx(0.1 / 2 * 14)
    assert l2_penalty(model, 0.0, 0.2).item() == _approx(0.2 / 2 * 5)
    assert l2_penalty(model, 0.1, 0.2).item() == _approx(0.7 + 0.5)
    assert l2_penalty(model, 0.0, 0.0) == 0.0


def test_bce_alone_is_the_mean_log_loss_and_the_objective_adds_l2():
    model = _Tiny()
    logits = torch.tensor([0.0, math.log(3.0)])  # p = 0.5, 0.75
    labels = torch.tensor([1.0, 0.0])
    step = TrainingLoss(embedding_l2=0.1, net_l2=0.0)(
        model, ModelOutput(logits), labels
    )
    expected = -(math.log(0.5) + math.log(0.25)) / 2
    assert step.loss.item() == _approx(expected)
    assert step.objective.item() == _approx(expected + 0.7)


def test_several_tasks_average_over_rows_and_tasks():
    logits, labels = torch.zeros(4, 3), torch.ones(4, 3)
    step = TrainingLoss(0.0, 0.0)(_Tiny(), ModelOutput(logits), labels)
    assert step.loss.item() == _approx(math.log(2.0))


def test_tri_bce_adds_each_worse_branch_weighted_by_how_much_worse():
    deep = torch.tensor([2.0, -1.0, 0.5, 0.0])
    shallow = torch.tensor([-0.5, 0.3, 1.5, -2.0])
    labels = torch.tensor([1.0, 0.0, 1.0, 0.0])
    output = ModelOutput(0.5 * (deep + shallow), (deep, shallow), "tri_bce")
    step = TrainingLoss(0.0, 0.0)(_Tiny(), output, labels)
    loss = F.binary_cross_entropy_with_logits(0.5 * (deep + shallow), labels)
    terms = 0.0
    for branch in (deep, shallow):
        own = F.binary_cross_entropy_with_logits(branch, labels)
        terms += float(own) * max(float(own) - float(loss), 0.0)
    assert step.loss.item() == _approx(float(loss))
    assert step.objective.item() == _approx(float(loss) + terms)
    assert terms > 0  # at least one branch is worse than the average


def test_self_distillation_pulls_each_block_towards_the_detached_average():
    first = torch.tensor([1.0, -2.0, 0.0], requires_grad=True)
    second = torch.tensor([0.0, 1.0, 3.0], requires_grad=True)
    labels = torch.tensor([1.0, 0.0, 1.0])
    average = 0.5 * (first + second)
    output = ModelOutput(average, (first, second), "self_distillation")
    step = TrainingLoss(0.0, 0.0)(_Tiny(), output, labels)
    target = torch.sigmoid(average).detach()
    terms = F.binary_cross_entropy_with_logits(
        first, target
    ) + F.binary_cross_entropy_with_logits(second, target)
    loss = F.binary_cross_entropy_with_logits(average, labels)
    assert step.objective.item() == _approx((loss + terms).item())
    # the target is held constant: the terms' gradient is (sigmoid(y_b) - p) / B
    (first_grad,) = torch.autograd.grad(step.objective - step.loss, first)
    expected = (torch.sigmoid(first) - target) / 3
    torch.testing.assert_close(first_grad, expected.detach())


def test_a_model_embedding_regularizer_overrides_the_training_one():
    params = TrainingParams(embedding_regularizer=0.2)
    own = params.models.DeepFM.model_copy(update={"embedding_regularizer": 0.5})
    per_model = params.model_copy(
        update={"models": params.models.model_copy(update={"DeepFM": own})}
    )
    assert embedding_regularizer(params) == 0.2
    assert embedding_regularizer(per_model) == 0.5
    # another model's value does not apply
    assert embedding_regularizer(per_model.model_copy(update={"model": "LR"})) == 0.2
    assert TrainingLoss.from_params(per_model) == TrainingLoss(0.5, 0.0)
