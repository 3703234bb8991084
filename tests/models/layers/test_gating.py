"""FinalMLP's feature gate and bilinear fusion."""

import pytest
import torch

from ctrflow.models.layers import FeatureGate, InteractionAggregation


def test_feature_gate_starts_as_the_identity():
    """Zero context and zero biases: MLP(0) = 0, gate = 2 * sigmoid(0) = 1."""
    gate = FeatureGate(input_dim=6, context_dim=3, hidden_units=[8])
    x = torch.randn(4, 6)
    torch.testing.assert_close(gate(x), x)


def test_feature_gate_equals_the_formula():
    torch.manual_seed(0)
    gate = FeatureGate(input_dim=6, context_dim=3, hidden_units=[8])
    with torch.no_grad():
        gate.context.normal_()
    x = torch.randn(4, 6)
    expected = x * 2 * torch.sigmoid(gate.mlp(gate.context))
    torch.testing.assert_close(gate(x), expected)


def test_interaction_aggregation_equals_the_per_head_loop():
    torch.manual_seed(0)
    layer = InteractionAggregation(x_dim=4, y_dim=6, num_heads=2)
    x, y = torch.randn(3, 4), torch.randn(3, 6)
    expected = (x @ layer.w_x.weight.T + y @ layer.w_y.weight.T).squeeze(-1)
    for h in range(2):
        xh, yh = x[:, 2 * h : 2 * h + 2], y[:, 3 * h : 3 * h + 3]
        expected = expected + ((xh @ layer.w_xy[h]) * yh).sum(-1)
    torch.testing.assert_close(layer(x, y), expected)


def test_interaction_aggregation_rejects_heads_that_do_not_divide():
    with pytest.raises(ValueError, match="must divide"):
        InteractionAggregation(4, 6, num_heads=3)
