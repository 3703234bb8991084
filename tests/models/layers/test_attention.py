"""Self-attention over fields (AutoInt) and target attention (DIN) against loops."""

import math

import pytest
import torch

from ctrflow.models.layers import MultiHeadSelfAttention, TargetAttention


@pytest.mark.parametrize("input_dim", [4, 8])  # projected / identity residual
def test_self_attention_equals_per_head_loops(input_dim):
    torch.manual_seed(0)
    layer = MultiHeadSelfAttention(
        input_dim, attention_dim=8, num_heads=2, use_scale=True, layer_norm=False
    )
    vectors = torch.randn(3, 5, input_dim)
    q = vectors @ layer.query.weight.T
    k = vectors @ layer.key.weight.T
    v = vectors @ layer.value.weight.T
    heads = []
    for h in range(2):
        part = slice(4 * h, 4 * (h + 1))
        scores = q[..., part] @ k[..., part].transpose(1, 2) / math.sqrt(4)
        heads.append(torch.softmax(scores, dim=-1) @ v[..., part])
    residual = vectors if input_dim == 8 else vectors @ layer.residual.weight.T
    expected = torch.relu(torch.cat(heads, dim=-1) + residual)
    torch.testing.assert_close(layer(vectors), expected)


def test_self_attention_rejects_heads_that_do_not_divide():
    with pytest.raises(ValueError, match="not divisible"):
        MultiHeadSelfAttention(4, attention_dim=6, num_heads=4)


def test_target_attention_equals_the_loop_and_ignores_padding():
    torch.manual_seed(0)
    layer = TargetAttention(3, hidden_units=[5])
    target, sequence = torch.randn(2, 3), torch.randn(2, 4, 3)
    mask = torch.tensor([[1, 1, 1, 0], [1, 0, 0, 0]])
    expected = torch.zeros(2, 3)
    for b in range(2):
        for t in range(4):
            if mask[b, t]:
                e, s = target[b], sequence[b, t]
                weight = layer.mlp(torch.cat([e, s, e - s, e * s]))
                expected[b] += weight[0] * s
    torch.testing.assert_close(layer(target, sequence, mask), expected)
    # padded steps change nothing
    changed = sequence.clone()
    changed[0, 3] = 100.0
    changed[1, 1:] = -100.0
    torch.testing.assert_close(layer(target, changed, mask), expected)


def test_target_attention_softmax_weights_sum_to_one_over_real_steps():
    layer = TargetAttention(2, hidden_units=[4], use_softmax=True)
    sequence = torch.ones(1, 3, 2)  # identical steps: pooled = the step itself
    mask = torch.tensor([[1, 1, 0]])
    torch.testing.assert_close(
        layer(torch.zeros(1, 2), sequence, mask), torch.ones(1, 2)
    )
