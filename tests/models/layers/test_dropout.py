"""The fast CPU dropout is a real dropout: independent masks at the right rate,
inverted scaling that keeps the expectation, the same mask forward and backward,
reproducible under torch.manual_seed."""

import pytest
import torch

from ctrflow.models.layers import Dropout
from ctrflow.models.layers.dropout import cpu_drop_mask, drop_threshold


@pytest.mark.parametrize("p", [0.1, 0.2, 0.5, 0.9])
def test_drop_rate_is_p(p, binomial_z):
    torch.manual_seed(0)
    rate = drop_threshold(p) / 2**16
    assert abs(rate - p) <= 2**-17
    mask = cpu_drop_mask(torch.Size([2048, 512]), p)
    assert abs(binomial_z(int(mask.sum()), mask.numel(), rate)) < 5


def test_mask_elements_are_independent(assert_independent_drops):
    torch.manual_seed(1)
    p = 0.2
    first = cpu_drop_mask(torch.Size([1024, 400]), p)
    second = cpu_drop_mask(torch.Size([1024, 400]), p)
    assert_independent_drops(first, second, drop_threshold(p) / 2**16)


def test_kept_values_are_scaled_so_the_mean_is_kept():
    torch.manual_seed(2)
    layer = Dropout(0.2).train()
    x = torch.full((4096, 256), 3.0)
    out = layer(x)
    kept = out != 0
    scale = 2**16 / (2**16 - drop_threshold(0.2))
    torch.testing.assert_close(out[kept], torch.full_like(out[kept], 3.0 * scale))
    assert abs(float(out.mean()) - 3.0) < 0.01


def test_backward_uses_the_forward_mask():
    torch.manual_seed(3)
    x = torch.randn(64, 32, requires_grad=True)
    out = Dropout(0.5).train()(x)
    out.sum().backward()
    scale = 2**16 / (2**16 - drop_threshold(0.5))
    expected = torch.where(out != 0, scale, 0.0)
    torch.testing.assert_close(x.grad, expected)


def test_gradient_check_with_a_fixed_mask():
    x = torch.randn(5, 7, dtype=torch.double, requires_grad=True)

    def fixed_mask_dropout(t):
        torch.manual_seed(4)  # the same mask on every call
        return Dropout(0.3).train()(t)

    assert torch.autograd.gradcheck(fixed_mask_dropout, (x,))


def test_same_seed_same_mask_and_eval_is_identity():
    layer = Dropout(0.2).train()
    x = torch.randn(100, 50)
    torch.manual_seed(5)
    first = layer(x)
    torch.manual_seed(5)
    torch.testing.assert_close(layer(x), first, rtol=0, atol=0)
    assert not torch.equal(layer(x), first)  # the generator moved on
    torch.testing.assert_close(layer.eval()(x), x, rtol=0, atol=0)
    torch.testing.assert_close(Dropout(0.0).train()(x), x, rtol=0, atol=0)


def test_rejects_a_probability_outside_0_1():
    with pytest.raises(ValueError, match="dropout probability"):
        Dropout(1.0)
