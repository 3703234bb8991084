"""FiBiNET's SENET and bilinear interaction against loops (as in FuxiCTR's
test_torch_layers_bilinear_interaction, in pytest)."""

import pytest
import torch

from ctrflow.models.layers import BilinearInteraction, SqueezeExcitation


def test_senet_equals_the_formula():
    torch.manual_seed(0)
    layer = SqueezeExcitation(num_fields=4, reduction_ratio=2)
    vectors = torch.randn(3, 4, 5)
    w1, w2 = layer.excitation[0].weight, layer.excitation[2].weight
    weights = torch.relu(torch.relu(vectors.mean(-1) @ w1.T) @ w2.T)  # B x F
    torch.testing.assert_close(layer(vectors), vectors * weights.unsqueeze(-1))
    assert w1.shape == (2, 4)


def test_senet_hand_computed():
    layer = SqueezeExcitation(num_fields=2, reduction_ratio=2)
    with torch.no_grad():
        layer.excitation[0].weight.fill_(1.0)  # z = [1, 3] -> 4
        layer.excitation[2].weight.copy_(torch.tensor([[0.5], [-1.0]]))  # -> [2, 0]
    vectors = torch.tensor([[[1.0, 1.0], [2.0, 4.0]]])
    torch.testing.assert_close(layer(vectors), torch.tensor([[[2.0, 2.0], [0.0, 0.0]]]))


@pytest.mark.parametrize(
    "bilinear_type", ["field_all", "field_each", "field_interaction"]
)
def test_bilinear_equals_the_loop(bilinear_type):
    torch.manual_seed(0)
    layer = BilinearInteraction(4, 3, bilinear_type)
    vectors = torch.randn(2, 4, 3)
    pairs = [(i, j) for i in range(4) for j in range(i + 1, 4)]
    expected = []
    for p, (i, j) in enumerate(pairs):
        index = {"field_all": 0, "field_each": i, "field_interaction": p}[bilinear_type]
        weight = layer.weight[index]
        expected.append((vectors[:, i] @ weight) * vectors[:, j])
    torch.testing.assert_close(layer(vectors), torch.stack(expected, dim=1))
    assert (
        layer.weight.shape[0]
        == {"field_all": 1, "field_each": 4, "field_interaction": 6}[bilinear_type]
    )
