"""The baseline floor: when it applies, and that the loaded linear term is the fitted
logistic regression (the design matrix's columns are the model's ids)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
import torch

from ctrflow.evaluation.baseline import design_matrix, fit_baseline
from ctrflow.evaluation.params import BaselineParams
from ctrflow.feature_engineering.feature_map import (
    CategoricalField,
    FeatureMap,
    NumericField,
)
from ctrflow.models import ModelsConfig, build_model
from ctrflow.training.baseline_floor import (
    MAX_ROWS,
    linear_term,
    load_linear_weights,
    resolve_baseline_floor,
)
from ctrflow.training.data import to_tensors

FEATURE_MAP = FeatureMap(
    label="clicked",
    categorical=[
        CategoricalField("C1", ["a", "b", "c"], offset=0),
        CategoricalField("C2", ["x", "y"], offset=5),
    ],
    numeric=[NumericField("I1", "standardize")],
)


def _split(seed: int, rows: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    c1 = rng.integers(2, 5, rows)
    c2 = rng.integers(5, 9, rows)
    i1 = rng.normal(size=rows)
    logit = np.array([0, 0, -1.5, 0.3, 1.5])[c1] + 0.4 * (c2 == 7) + 0.8 * i1
    clicked = rng.random(rows) < 1 / (1 + np.exp(-logit))
    return pl.DataFrame(
        {
            "clicked": pl.Series(clicked, dtype=pl.Int8),
            "C1": pl.Series(c1, dtype=pl.Int32),
            "C2": pl.Series(c2, dtype=pl.Int32),
            "I1": pl.Series(i1, dtype=pl.Float32),
        }
    )


def _model(name: str):
    torch.manual_seed(0)
    return build_model(name, FEATURE_MAP.field_spec, getattr(ModelsConfig(), name))


def test_the_loaded_model_starts_as_the_fitted_regression():
    train, valid = _split(0, 3000), _split(1, 1000)
    fitted = fit_baseline(train, valid, FEATURE_MAP, BaselineParams())
    coef, vocab = fitted.model.coef_[0], FEATURE_MAP.vocab_size
    model = _model("DeepFM").eval()
    load_linear_weights(model, coef[:vocab], coef[vocab:], fitted.model.intercept_[0])

    expected = fitted.model.decision_function(design_matrix(valid, FEATURE_MAP))
    batch = to_tensors(valid, FEATURE_MAP)
    with torch.no_grad():
        linear = linear_term(model)(batch.ids, batch.numerics).numpy()
        logits = model(batch).logits.numpy()
    np.testing.assert_allclose(linear, expected, rtol=1e-5, atol=1e-5)
    # the FM and DNN parts start near zero (embeddings at std 1e-4)
    assert np.abs(logits - expected).max() < 1e-3


def test_sizes_that_do_not_fit_the_linear_term_are_refused():
    model = _model("DeepFM")
    with pytest.raises(ValueError, match=r"9 ids, 1 numeric"):
        load_linear_weights(model, np.zeros(8), np.zeros(1), 0.0)
    with pytest.raises(ValueError, match="no single first-order linear term"):
        load_linear_weights(_model("DCNv2"), np.zeros(9), np.zeros(1), 0.0)


def test_auto_applies_to_small_data_and_a_linear_term_only():
    deepfm, dcnv2 = _model("DeepFM"), _model("DCNv2")
    assert resolve_baseline_floor("auto", 6000, deepfm, False) == (
        True, f"auto: 6000 train rows <= {MAX_ROWS}",
    )  # fmt: skip
    on, reason = resolve_baseline_floor("auto", MAX_ROWS + 1, deepfm, False)
    assert not on and "train rows >" in reason
    on, reason = resolve_baseline_floor("auto", 6000, dcnv2, False)
    assert not on and "DCNv2 has no single first-order linear term" in reason
    on, reason = resolve_baseline_floor("auto", 6000, deepfm, True)
    assert not on and "sequence" in reason
    assert resolve_baseline_floor(False, 10, deepfm, False) == (False, "set")
    assert resolve_baseline_floor(True, 10**7, deepfm, False) == (True, "set")
    with pytest.raises(ValueError, match="training.baseline_floor is true but DCNv2"):
        resolve_baseline_floor(True, 6000, dcnv2, False)
