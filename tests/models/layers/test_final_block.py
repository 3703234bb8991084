"""FinalNet's factorized interaction, block and field gate."""

import pytest
import torch

from ctrflow.models.layers import FactorizedInteraction, FieldGate, FinalBlock


def test_factorized_interaction_hand_computed():
    layer = FactorizedInteraction(1, 2)
    with torch.no_grad():
        layer.linear.weight.copy_(torch.tensor([[2.0], [3.0]]))  # h2 = 2x, h1 = 3x
        layer.linear.bias.zero_()
    # [h2, h1 * h2] = [2x, 6x^2] at x = 2
    torch.testing.assert_close(
        layer(torch.tensor([[2.0]])), torch.tensor([[4.0, 24.0]])
    )


def test_factorized_interaction_has_the_parameters_of_a_linear_layer():
    layer = FactorizedInteraction(5, 8)
    assert sum(p.numel() for p in layer.parameters()) == 5 * 8 + 8
    with pytest.raises(ValueError, match="even"):
        FactorizedInteraction(5, 7)


def test_final_block_composes_interaction_norm_relu_dropout():
    block = FinalBlock(6, [8, 4], dropout=0.1, norm_type="LN")
    kinds = [type(m).__name__ for m in block]
    assert kinds == ["FactorizedInteraction", "LayerNorm", "ReLU", "Dropout"] * 2
    torch.manual_seed(0)
    block = FinalBlock(6, [4], norm_type="none").eval()
    x = torch.randn(3, 6)
    torch.testing.assert_close(block(x), torch.relu(block[0](x)))


def test_field_gate_starts_as_the_identity_and_equals_the_formula():
    torch.manual_seed(0)
    gate = FieldGate(3)
    vectors = torch.randn(2, 3, 4)
    torch.testing.assert_close(gate(vectors), torch.cat([vectors, vectors], dim=1))
    with torch.no_grad():
        gate.linear.weight.normal_()
    gates = torch.einsum(
        "gf,bfd->bgd", gate.linear.weight, vectors
    ) + gate.linear.bias.view(1, 3, 1)
    torch.testing.assert_close(
        gate(vectors), torch.cat([vectors, vectors * gates], dim=1)
    )
