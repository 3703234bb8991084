"""Cross networks (DCN, DCN-V2, CrossNetMix, FCN) against naive implementations."""

import torch

from ctrflow.models.layers import (
    CrossNet,
    CrossNetMix,
    CrossNetV2,
    ExponentialCrossNetwork,
    LinearCrossNetwork,
)


def test_crossnet_hand_computed():
    layer = CrossNet(input_dim=2, num_layers=1)
    with torch.no_grad():
        layer.weights[0].weight.fill_(1.0)
        layer.biases[0].copy_(torch.tensor([0.5, -1.0]))
    x0 = torch.tensor([[1.0, 2.0]])
    # x1 = x0 * (w.x0) + b + x0 = [1, 2] * 3 + [0.5, -1] + [1, 2]
    torch.testing.assert_close(layer(x0), torch.tensor([[4.5, 7.0]]))


def test_crossnet_equals_the_formula():
    torch.manual_seed(0)
    layer = CrossNet(input_dim=6, num_layers=3)
    with torch.no_grad():
        for bias in layer.biases:
            bias.normal_()
    x0 = torch.randn(4, 6)
    x = x0
    for weight, bias in zip(layer.weights, layer.biases, strict=True):
        w = weight.weight[0]
        x = x0 * (x @ w).unsqueeze(-1) + bias + x
    torch.testing.assert_close(layer(x0), x)


def test_crossnet_v2_equals_the_formula():
    torch.manual_seed(0)
    layer = CrossNetV2(input_dim=5, num_layers=2)
    x0 = torch.randn(3, 5)
    x = x0
    for linear in layer.layers:
        x = x0 * (x @ linear.weight.T + linear.bias) + x
    torch.testing.assert_close(layer(x0), x)


def test_crossnet_mix_equals_the_per_expert_loop():
    """The loop is FuxiCTR's CrossNetMix written with column vectors."""
    torch.manual_seed(0)
    layer = CrossNetMix(input_dim=6, num_layers=2, low_rank=3, num_experts=4)
    with torch.no_grad():
        for bias in layer.biases:
            bias.normal_()
    x0 = torch.randn(5, 6)
    expected = []
    for row in x0:
        c0 = row.unsqueeze(1)  # N x 1
        xl = c0
        for u, v, c, bias, gate in zip(
            layer.u, layer.v, layer.c, layer.biases, layer.gates, strict=True
        ):
            outputs, scores = [], []
            for k in range(4):
                scores.append(gate.weight[k] @ xl[:, 0])
                low = torch.tanh(c[k] @ torch.tanh(v[k].T @ xl))
                outputs.append(c0 * (u[k] @ low + bias.unsqueeze(1)))
            weights = torch.softmax(torch.stack(scores), dim=0)
            xl = sum(w * out for w, out in zip(weights, outputs, strict=True)) + xl
        expected.append(xl[:, 0])
    torch.testing.assert_close(layer(x0), torch.stack(expected), rtol=1e-5, atol=1e-5)


def _masked_cross_naive(layer, x0, exponential):
    x = x0
    for weight, norm, bias in zip(
        layer.weights, layer.norms, layer.biases, strict=True
    ):
        h = x @ weight.weight.T
        mean, var = h.mean(-1, keepdim=True), h.var(-1, unbiased=False, keepdim=True)
        normed = (h - mean) / torch.sqrt(var + norm.eps) * norm.weight + norm.bias
        cross = torch.cat([h, h * normed.clamp(min=0)], dim=-1)[:, : x0.shape[1]]
        x = (x if exponential else x0) * (cross + bias) + x
    return x


def test_exponential_and_linear_cross_networks_equal_the_formula():
    torch.manual_seed(0)
    x0 = torch.randn(4, 7)  # odd width: the mask is cut to N
    for cls, exponential in [
        (ExponentialCrossNetwork, True),
        (LinearCrossNetwork, False),
    ]:
        layer = cls(input_dim=7, num_layers=3).eval()
        torch.testing.assert_close(
            layer(x0), _masked_cross_naive(layer, x0, exponential)
        )


def test_exponential_cross_degree_doubles_linear_grows_by_one():
    """On a scalar with W = 1, b = 0 and no norm, mask(h) = [h] so x -> x * x_? + x:
    the exponential network squares, the linear one multiplies by x0."""

    def run(cls):
        layer = cls(input_dim=1, num_layers=2, layer_norm=False)
        with torch.no_grad():
            for weight, bias in zip(layer.weights, layer.biases, strict=True):
                weight.weight.fill_(1.0)
                bias.zero_()
        return layer(torch.tensor([[2.0]])).item()

    # exponential: 2 -> 2*2+2 = 6 -> 6*6+6 = 42; linear: 2 -> 6 -> 2*6+6 = 18
    assert run(ExponentialCrossNetwork) == 42.0
    assert run(LinearCrossNetwork) == 18.0
