"""CIN against the triple sum of the xDeepFM paper."""

import torch

from ctrflow.models.layers import CompressedInteractionNet


def test_equals_the_paper_formula():
    torch.manual_seed(0)
    fields, dim = 3, 4
    layer = CompressedInteractionNet(fields, hidden_units=[2, 3])
    x0 = torch.randn(5, fields, dim)
    x, pooled = x0, []
    for linear in layer.layers:
        width = x.shape[1]
        # W^{k,h}_{ij}: the linear layer's weight over the (i, j) products, i-major
        weight = linear.weight.view(-1, width, fields)
        nxt = torch.zeros(5, weight.shape[0], dim)
        for h in range(weight.shape[0]):
            for i in range(width):
                for j in range(fields):
                    nxt[:, h] += weight[h, i, j] * x[:, i] * x0[:, j]
            nxt[:, h] += linear.bias[h]
        x = nxt
        pooled.append(x.sum(-1))
    torch.testing.assert_close(
        layer(x0), torch.cat(pooled, dim=-1), rtol=1e-5, atol=1e-5
    )
    assert layer.output_dim == 5


def test_hand_computed_single_field():
    layer = CompressedInteractionNet(1, hidden_units=[1])
    with torch.no_grad():
        layer.layers[0].weight.fill_(2.0)
        layer.layers[0].bias.zero_()
    # X^1 = 2 * x * x, pooled over D: 2 * (1 + 4)
    out = layer(torch.tensor([[[1.0, 2.0]]]))
    torch.testing.assert_close(out, torch.tensor([[10.0]]))
