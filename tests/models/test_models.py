"""Every registered model: shape, gradients, learns a tiny batch, seeded, sizes."""

import pytest
import torch
from pydantic import ValidationError

from ctrflow.models import MODELS, FieldSpec, ModelsConfig, build_model
from ctrflow.models.layers import MLP, FeatureEmbedding, FMInteraction

SPEC = FieldSpec(vocab_size=50, num_categorical=4, num_numeric=2)


def _batch(rows=64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    ids = torch.randint(
        0, SPEC.vocab_size, (rows, SPEC.num_categorical), generator=generator
    )
    numerics = torch.randn(rows, SPEC.num_numeric, generator=generator)
    labels = torch.randint(0, 2, (rows,), generator=generator).float()
    return ids.int(), numerics, labels


def _small(name):
    config = getattr(ModelsConfig(), name)
    if "hidden_units" in type(config).model_fields:
        config = config.model_copy(
            update={"hidden_units": [32, 32], "net_dropout": 0.0}
        )
    return config


@pytest.mark.parametrize("name", sorted(MODELS))
def test_one_logit_per_row_and_gradients_flow(name):
    torch.manual_seed(0)
    model = build_model(name, SPEC, _small(name))
    ids, numerics, labels = _batch()
    logits = model(ids, numerics)
    assert logits.shape == (64,)
    torch.nn.functional.binary_cross_entropy_with_logits(logits, labels).backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None for g in grads)
    assert any(g.abs().sum() > 0 for g in grads)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_learns_one_tiny_batch(name):
    torch.manual_seed(0)
    model = build_model(name, SPEC, _small(name))
    # labels that the first field's id determines: learnable by every model
    ids, numerics, _ = _batch(rows=32)
    labels = (ids[:, 0] % 2).float()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(300):
        optimizer.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            model(ids, numerics), labels
        )
        loss.backward()
        optimizer.step()
    assert loss.item() < 0.1


@pytest.mark.parametrize("name", sorted(MODELS))
def test_same_seed_same_weights(name):
    weights = []
    for _ in range(2):
        torch.manual_seed(123)
        weights.append(build_model(name, SPEC, _small(name)).state_dict())
    assert weights[0].keys() == weights[1].keys()
    assert all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])


def test_lr_parameter_count_is_one_weight_per_id_and_numeric_plus_bias():
    model = build_model("LR", SPEC, ModelsConfig().LR)
    assert sum(p.numel() for p in model.parameters()) == 50 + 2 + 1


def test_deepfm_parameter_count():
    config = ModelsConfig().DeepFM.model_copy(
        update={"hidden_units": [8], "batch_norm": False}
    )
    model = build_model("DeepFM", SPEC, config)
    d, fields = config.embedding_dim, SPEC.num_fields
    expected = (50 + 2) * d + (50 + 2 + 1) + (fields * d * 8 + 8) + (8 + 1)
    assert sum(p.numel() for p in model.parameters()) == expected


def test_fm_interaction_equals_the_pairwise_sum():
    vectors = torch.randn(5, 4, 3)
    pairwise = sum(
        (vectors[:, i] * vectors[:, j]).sum(-1)
        for i in range(4)
        for j in range(i + 1, 4)
    )
    torch.testing.assert_close(FMInteraction()(vectors), pairwise, rtol=1e-5, atol=1e-5)


def test_embedding_scales_numeric_vectors_by_value():
    embedding = FeatureEmbedding(SPEC, embedding_dim=3)
    ids, numerics, _ = _batch(rows=2)
    vectors = embedding(ids, numerics)
    assert vectors.shape == (2, 6, 3)
    torch.testing.assert_close(
        vectors[:, 4], numerics[:, :1] * embedding.numeric_vectors[0]
    )
    torch.testing.assert_close(
        vectors[:, 0], embedding.embedding.weight[ids[:, 0].long()]
    )


def test_mlp_layers():
    mlp = MLP(6, [8, 4], output_dim=1, dropout=0.1, batch_norm=True)
    kinds = [type(m).__name__ for m in mlp]
    assert kinds == [
        "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear", "BatchNorm1d", "ReLU", "Dropout", "Linear"
    ]  # fmt: skip
    assert all(m.bias.abs().sum() == 0 for m in mlp if isinstance(m, torch.nn.Linear))


def test_unknown_model_and_hyper_parameter_fail_naming_the_choices():
    with pytest.raises(KeyError, match="registered models"):
        build_model("DeepFMM", SPEC, ModelsConfig().DeepFM)
    with pytest.raises(ValidationError, match="embeding_dim"):
        ModelsConfig(DeepFM={"embeding_dim": 4})
