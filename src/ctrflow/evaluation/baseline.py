"""A logistic-regression yardstick on the model's own encoded features.

The encoded splits (feature engineering's ``{split}_encoded`` and ``feature_map``)
become one sparse design matrix: a one-hot column per global categorical id
(interaction fields included), a bag-of-ids block per behaviour sequence (each
row's non-padding ids, weighted ``1 / count``, in a block of its own: a history
item is not the current item), then the standardised numeric columns as they are.
scikit-learn's ``LogisticRegression`` (L-BFGS, L2) is fitted once per ``C`` of a
small grid, the best validation AUC kept: seconds where the deep model takes
minutes, and the number a deep model must beat to be worth it.
"""

from __future__ import annotations

import copy
import logging
import time
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from ctrflow.evaluation.delong import AucInterval, delong_auc
from ctrflow.evaluation.metrics import roc_auc
from ctrflow.evaluation.params import BaselineParams
from ctrflow.feature_engineering.feature_map import PAD_ID, FeatureMap
from ctrflow.sampling import seeded_sample

logger = logging.getLogger(__name__)

MODEL_NAME = "LogisticRegression"
FEATURES = (
    "one-hot categorical ids (interactions included), mean bag-of-ids per "
    "sequence, numeric columns as encoded"
)


def design_matrix(encoded: pl.DataFrame, feature_map: FeatureMap) -> sparse.csr_matrix:
    """The sparse features of an encoded split, columns fixed by ``feature_map``.

    Columns: ``feature_map.vocab_size`` one-hot columns (column = global id), one
    block of ``size`` columns per sequence field (its ``vocabulary_of`` field's
    local ids, PAD dropped, each row's ids summing to 1), then one column per
    numeric field.

    Args:
        encoded: an encoded split (feature engineering's ``{split}_encoded``).
        feature_map: its encoding.

    Returns:
        A float64 CSR matrix, one row per row of ``encoded``.

    Raises:
        KeyError: ``encoded`` lacks a column the feature map names.
        ValueError: an id outside its field's range.

    Example::

        >>> from ctrflow.feature_engineering.feature_map import CategoricalField
        >>> fm = FeatureMap(label="y", categorical=[CategoricalField("C", ["a"], 0)])
        >>> design_matrix(pl.DataFrame({"y": [0, 1], "C": [2, 1]}), fm).toarray()
        array([[0., 0., 1.],
               [0., 1., 0.]])
    """
    missing = [
        c
        for c in (
            *feature_map.categorical_columns,
            *feature_map.sequence_columns,
            *feature_map.numeric_columns,
        )
        if c not in encoded.columns
    ]
    if missing:
        raise KeyError(
            f"the encoded split lacks column(s) {missing} named by the feature map; "
            f"it has {encoded.columns}"
        )
    rows = encoded.height
    blocks = [_one_hot(encoded, feature_map)]
    blocks += [_bag_of_ids(encoded, feature_map, s.name) for s in feature_map.sequence]
    if feature_map.numeric:
        numeric = encoded.select(feature_map.numeric_columns).to_numpy()
        blocks.append(sparse.csr_matrix(numeric.astype(np.float64).reshape(rows, -1)))
    return sparse.hstack(blocks, format="csr", dtype=np.float64)


def _one_hot(encoded: pl.DataFrame, feature_map: FeatureMap) -> sparse.csr_matrix:
    """One column per global id: row ``r`` has a 1 at each of its fields' ids."""
    columns = feature_map.categorical_columns
    size = feature_map.vocab_size
    if not columns:
        return sparse.csr_matrix((encoded.height, size))
    ids = encoded.select(columns).to_numpy().astype(np.int64)  # rows x fields
    if ids.min() < 0 or ids.max() >= size:
        raise ValueError(
            f"categorical ids must lie in [0, {size}) (the feature map's vocabulary), "
            f"found [{ids.min()}, {ids.max()}]: was the split encoded with this map?"
        )
    fields = len(columns)
    indptr = np.arange(0, ids.size + 1, fields)
    return sparse.csr_matrix(
        (np.ones(ids.size), ids.ravel(), indptr), shape=(encoded.height, size)
    )


def _bag_of_ids(
    encoded: pl.DataFrame, feature_map: FeatureMap, name: str
) -> sparse.csr_matrix:
    """Sequence ``name``'s ids as local ids of its vocabulary field, mean-weighted."""
    sequence = next(s for s in feature_map.sequence if s.name == name)
    field = feature_map.categorical_field(sequence.vocabulary_of)
    column = encoded.get_column(name)
    lengths = column.list.len().fill_null(0).to_numpy()
    local = column.explode().drop_nulls().to_numpy().astype(np.int64) - field.offset
    row_of = np.repeat(np.arange(encoded.height), lengths)
    if local.size != row_of.size:
        raise ValueError(f"sequence column {name!r} holds null ids")
    if local.size and (local.min() < 0 or local.max() >= field.size):
        raise ValueError(
            f"sequence {name!r} holds ids outside field {field.name!r}'s range "
            f"[{field.offset}, {field.offset + field.size})"
        )
    kept = local != PAD_ID
    row_of, local = row_of[kept], local[kept]
    counts = np.bincount(row_of, minlength=encoded.height)
    weights = 1.0 / counts[row_of]
    return sparse.csr_matrix(
        (weights, (row_of, local)), shape=(encoded.height, field.size)
    )


@dataclass(frozen=True)
class BaselineFit:
    """The fitted baseline and how it was chosen.

    Attributes:
        model: the fitted ``LogisticRegression`` with the best validation AUC.
        c: its ``C``.
        grid: one record per ``C`` tried (the search stops past the best):
            ``C``, ``valid_auc``, ``iterations``, ``converged``.
        valid_auc: the kept model's validation AUC, with its DeLong interval.
        train_rows: rows it was fitted on (after sampling).
        columns: columns of the design matrix.
        fit_seconds: seconds to build the matrices and fit the whole grid.
    """

    model: LogisticRegression
    c: float
    grid: list[dict[str, Any]]
    valid_auc: AucInterval
    train_rows: int
    columns: int
    fit_seconds: float


def fit_baseline(
    train: pl.DataFrame | pl.LazyFrame,
    valid: pl.DataFrame | pl.LazyFrame,
    feature_map: FeatureMap,
    params: BaselineParams,
    level: float = 0.95,
) -> BaselineFit:
    """Fit the logistic regression over ``params.c_values``, keep the best by valid AUC.

    The ``C`` values are tried in increasing order and the search stops at the
    first one whose validation AUC does not improve (the AUC is unimodal in
    ``C`` in practice, and the larger ``C`` the slower the fit).

    Args:
        train: the encoded train split (sampled to ``params.max_train_rows``,
            ``ctrflow.sampling.seeded_sample``).
        valid: the encoded validation split, which picks ``C`` (a lazy one is
            sampled the same way).
        feature_map: the encoding of both.
        params: the ``C`` grid, iteration bound, sample size and seed.
        level: confidence level of the validation AUC's interval.

    Returns:
        A ``BaselineFit``.

    Raises:
        ValueError: the train or validation labels hold a single class.
    """
    started = time.perf_counter()
    train = seeded_sample(train, params.max_train_rows, params.seed)
    if isinstance(valid, pl.LazyFrame):
        valid = seeded_sample(valid, params.max_train_rows, params.seed)
    train_x, valid_x = (
        design_matrix(train, feature_map),
        design_matrix(valid, feature_map),
    )
    train_y = train.get_column(feature_map.label).to_numpy().astype(np.int8)
    valid_y = valid.get_column(feature_map.label).to_numpy().astype(np.int8)
    if np.unique(train_y).size < 2:
        raise ValueError(
            f"the baseline cannot be fitted: train's {feature_map.label!r} holds a "
            "single class"
        )
    grid: list[dict[str, Any]] = []
    best, best_auc = None, -1.0
    estimator = LogisticRegression(max_iter=params.max_iter, warm_start=True)
    # strong to weak regularisation, each fit warm-started from the one before
    for c in sorted(params.c_values):
        estimator.set_params(C=c)
        with warnings.catch_warnings():
            # recorded per C below (n_iter_ == max_iter), logged once
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(train_x, train_y)
        iterations = int(np.max(estimator.n_iter_))
        auc = roc_auc(valid_y, estimator.decision_function(valid_x))
        grid.append(
            {
                "C": c,
                "valid_auc": auc,
                "iterations": iterations,
                "converged": iterations < params.max_iter,
            }
        )
        if auc > best_auc:  # strictly: on a tie the smaller C stays
            best, best_auc = copy.deepcopy(estimator), auc
        else:  # past the peak: weaker regularisation fits slower and overfits more
            break
    unconverged = [g["C"] for g in grid if not g["converged"]]
    if unconverged:
        logger.info(
            "baseline: L-BFGS stopped at max_iter=%d for C in %s (raise "
            "evaluation.baseline.max_iter for an exact fit)",
            params.max_iter, unconverged,
        )  # fmt: skip
    return BaselineFit(
        model=best,
        c=float(best.C),
        grid=grid,
        valid_auc=delong_auc(valid_y, best.decision_function(valid_x), level),
        train_rows=train.height,
        columns=train_x.shape[1],
        fit_seconds=time.perf_counter() - started,
    )


def predict_baseline(
    fit: BaselineFit,
    encoded: pl.DataFrame | pl.LazyFrame,
    feature_map: FeatureMap,
    block_rows: int = 1_000_000,
) -> np.ndarray:
    """Click probabilities of ``encoded``'s rows under the fitted baseline
    (float64); a lazy table is streamed ``block_rows`` rows at a time."""
    if isinstance(encoded, pl.DataFrame):
        return fit.model.predict_proba(design_matrix(encoded, feature_map))[:, 1]
    blocks = encoded.collect_batches(chunk_size=block_rows, engine="streaming")
    parts = [
        fit.model.predict_proba(design_matrix(block, feature_map))[:, 1]
        for block in blocks
    ]
    return np.concatenate(parts) if parts else np.zeros(0)
