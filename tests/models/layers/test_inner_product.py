"""InnerProductInteraction against a loop over pairs and a hand-computed value."""

import torch

from ctrflow.models.layers import InnerProductInteraction


def test_equals_the_loop_over_pairs_in_upper_triangle_order():
    torch.manual_seed(0)
    vectors = torch.randn(5, 4, 3)
    expected = torch.stack(
        [
            (vectors[:, i] * vectors[:, j]).sum(-1)
            for i in range(4)
            for j in range(i + 1, 4)
        ],
        dim=1,
    )
    layer = InnerProductInteraction(4)
    torch.testing.assert_close(layer(vectors), expected)
    assert layer.num_pairs == 6


def test_hand_computed():
    vectors = torch.tensor([[[1.0, 2.0], [3.0, 4.0], [0.0, -1.0]]])
    # <v0,v1> = 3 + 8, <v0,v2> = -2, <v1,v2> = -4
    torch.testing.assert_close(
        InnerProductInteraction(3)(vectors), torch.tensor([[11.0, -2.0, -4.0]])
    )


def test_no_state_is_saved():
    assert InnerProductInteraction(4).state_dict() == {}
