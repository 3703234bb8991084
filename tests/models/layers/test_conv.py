"""FGCNN's feature generation against an explicit convolution, pooling and
recombination."""

import pytest
import torch

from ctrflow.models.layers import FeatureGeneration


def test_one_stage_equals_the_loops():
    torch.manual_seed(0)
    fields, dim = 5, 2
    layer = FeatureGeneration(
        fields,
        dim,
        channels=[2],
        kernel_heights=[3],
        pooling_sizes=[2],
        recombined_channels=[1],
        batch_norm=False,
    )
    vectors = torch.randn(1, fields, dim)
    conv = layer.convs[0][0]
    padded = torch.nn.functional.pad(vectors[0], (0, 0, 1, 1))  # F+2 x D
    conved = torch.zeros(2, fields, dim)
    for c in range(2):
        for f in range(fields):
            for d in range(dim):
                conved[c, f, d] = (
                    conv.weight[c, 0, :, 0] * padded[f : f + 3, d]
                ).sum() + conv.bias[c]
    activated = torch.tanh(conved)
    # 2 x 1 max pooling, ceil mode: rows (0,1), (2,3), (4)
    pooled = torch.stack(
        [activated[:, 0:2].amax(1), activated[:, 2:4].amax(1), activated[:, 4]], dim=1
    )  # C x 3 x D
    linear = layer.recombine[0][0]
    new = torch.tanh(linear(pooled.flatten())).view(1, -1, dim)
    torch.testing.assert_close(layer(vectors), new)
    assert layer.num_new_fields == 3


def test_stages_shrink_the_height_and_count_new_fields():
    layer = FeatureGeneration(
        10,
        4,
        channels=[3, 4],
        kernel_heights=[7, 7],
        pooling_sizes=[2, 2],
        recombined_channels=[2, 3],
    )
    # heights 10 -> 5 -> 3; new fields 5*2 + 3*3
    assert layer.num_new_fields == 19
    assert layer(torch.randn(6, 10, 4)).shape == (6, 19, 4)


def test_stage_lists_must_have_one_length():
    with pytest.raises(ValueError, match="same length"):
        FeatureGeneration(
            10,
            4,
            channels=[3, 4],
            kernel_heights=[7],
            pooling_sizes=[2, 2],
            recombined_channels=[2, 3],
        )
