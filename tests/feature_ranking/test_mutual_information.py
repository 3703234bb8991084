"""The vectorised estimator against hand-computed values and OutRank's own estimator."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from ctrflow.feature_ranking.encoding import (
    encode_categorical,
    encode_label,
    encode_numeric,
)
from ctrflow.feature_ranking.mutual_information import (
    MutualInformation,
    mutual_information,
    outrank_estimate,
    outrank_mutual_information,
)

# OutRank accumulates float32 terms and returns a float32: its error is ~1e-8 nats
RTOL, ATOL = 1e-5, 1e-7


def _binary_entropy(p: float) -> float:
    return -p * math.log(p) - (1 - p) * math.log(1 - p)


def _zipf_ids(rng: np.random.Generator, rows: int, values: int) -> np.ndarray:
    """Long-tail ids, like hashed CTR fields."""
    weights = 1.0 / np.arange(1, values + 1) ** 1.1
    return rng.choice(values, size=rows, p=weights / weights.sum())


def _label(rng: np.random.Generator, ids: np.ndarray, strength: float) -> np.ndarray:
    """A 0/1 label (about 25% positives) that depends on the ids through ``strength``."""
    effect = rng.normal(0.0, strength, ids.max() + 1)[ids]
    return (rng.random(ids.size) < 1 / (1 + np.exp(1.1 - effect))).astype(np.int32)


def _cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(2024)
    cases = []
    for rows, values, strength in [
        (500, 2, 1.0),
        (5_000, 10, 0.5),
        (20_000, 300, 0.8),
        (20_000, 5_000, 0.0),  # long-tail noise
        (50_000, 30_000, 0.3),  # high cardinality: many singletons and pairs
    ]:
        ids = _zipf_ids(rng, rows, values)
        cases.append((f"zipf-{rows}x{values}", _label(rng, ids, strength), ids))
    uniform = rng.integers(0, 40_000, 60_000)  # nearly one value per row
    cases.append(("uniform-60000x40000", _label(rng, uniform, 0.0), uniform))
    sparse = rng.integers(0, 3, 1_000) * 1_000_000  # ids far from dense
    cases.append(("sparse-ids", _label(rng, sparse // 1_000_000, 1.0), sparse))
    return cases


CASES = _cases()


@pytest.mark.parametrize("cardinality_correction", [True, False])
@pytest.mark.parametrize(("name", "label", "ids"), CASES, ids=[c[0] for c in CASES])
def test_score_equals_outrank(name, label, ids, cardinality_correction):
    ours = mutual_information(label, ids, cardinality_correction=cardinality_correction)
    reference = outrank_mutual_information(
        label,
        ids,
        cardinality_correction=cardinality_correction,
        approximation_factor=1.0,
    )
    np.testing.assert_allclose(ours.score, reference, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(
    ("name", "label", "ids"), CASES[:4], ids=[c[0] for c in CASES[:4]]
)
def test_parts_equal_outrank(name, label, ids):
    ours = mutual_information(label, ids)
    reference = outrank_estimate(label, ids)
    np.testing.assert_allclose(
        [ours.mutual_information, ours.cardinality_correction, ours.score],
        [
            reference.mutual_information,
            reference.cardinality_correction,
            reference.score,
        ],
        rtol=RTOL,
        atol=ATOL,
    )
    assert ours.score == pytest.approx(
        ours.mutual_information - ours.cardinality_correction, abs=1e-12
    )


@pytest.mark.parametrize("cardinality_correction", [True, False])
def test_feature_in_outranks_own_order_equals_outrank(cardinality_correction):
    """The function is generic in (Y, X): OutRank's CLI passes the feature as Y."""
    label, ids = CASES[2][1], CASES[2][2]
    np.testing.assert_allclose(
        mutual_information(
            ids, label, cardinality_correction=cardinality_correction
        ).score,
        outrank_mutual_information(
            ids, label, cardinality_correction=cardinality_correction
        ),
        rtol=RTOL,
        atol=ATOL,
    )


def test_hand_computed_example():
    # x = 0 on rows 0-1 (n_0 = 2), 1 on rows 2-5 (n_1 = 4)
    label = np.array([1, 1, 0, 0, 0, 1])
    ids = np.array([0, 0, 1, 1, 1, 1])
    # H(Y|X): group 0 holds labels [1, 1] (entropy 0), group 1 [0, 0, 0, 1]
    conditional = 4 / 6 * _binary_entropy(1 / 4)
    # shifted: rows 0-1 take Y[2], Y[3] = [0, 0]; rows 2-5 take Y[0..3] = [1, 1, 0, 0]
    shifted_conditional = 4 / 6 * math.log(2)
    expected = MutualInformation(
        mutual_information=math.log(2) - conditional,
        cardinality_correction=math.log(2) - shifted_conditional,
        score=shifted_conditional - conditional,
    )
    ours = mutual_information(label, ids)
    assert ours.mutual_information == pytest.approx(expected.mutual_information)
    assert ours.cardinality_correction == pytest.approx(expected.cardinality_correction)
    assert ours.score == pytest.approx(expected.score)
    assert outrank_mutual_information(label, ids) == pytest.approx(
        expected.score, abs=1e-7
    )


def test_plain_mi_of_the_label_itself_is_its_entropy():
    label = np.array([0, 1, 0, 1, 1, 1, 0, 1])
    result = mutual_information(label, label, cardinality_correction=False)
    assert result.score == pytest.approx(_binary_entropy(5 / 8))
    assert result.cardinality_correction == 0.0


def test_constant_field_scores_zero():
    rng = np.random.default_rng(0)
    label = rng.integers(0, 2, 10_000)
    result = mutual_information(label, np.zeros(10_000, dtype=np.int32))
    assert result.score == 0.0
    assert result.mutual_information == pytest.approx(0.0, abs=1e-12)
    assert outrank_mutual_information(label, np.zeros(10_000, dtype=np.int32)) == 0.0


def test_high_cardinality_noise_scores_near_zero_while_plain_mi_is_high():
    rng = np.random.default_rng(7)
    rows = 200_000
    label = (rng.random(rows) < 0.25).astype(np.int32)
    ids = rng.permutation(np.r_[np.arange(150_000), rng.integers(0, 150_000, 50_000)])
    assert np.unique(ids).size == 150_000

    result = mutual_information(label, ids)

    # plain MI "explains" most of H(Y) = 0.56 nats by over-fitting rare values
    assert result.mutual_information > 0.4
    assert abs(result.score) < 0.005
    assert result.score < 0.1 * result.mutual_information


def test_informative_field_beats_high_cardinality_noise():
    rng = np.random.default_rng(3)
    rows = 100_000
    signal = rng.integers(0, 20, rows)
    label = _label(rng, signal, 1.0)
    noise = rng.integers(0, 80_000, rows)
    plain = {
        name: mutual_information(label, ids, cardinality_correction=False).score
        for name, ids in [("signal", signal), ("noise", noise)]
    }
    corrected = {
        name: mutual_information(label, ids).score
        for name, ids in [("signal", signal), ("noise", noise)]
    }
    assert plain["noise"] > plain["signal"]  # plain MI prefers the noise
    assert corrected["signal"] > 0.02 > abs(corrected["noise"])


def test_diagonal_rule_matches_outrank():
    """OutRank turns the correction off when sum(X) == sum(Y), even by coincidence."""
    rng = np.random.default_rng(11)
    label = rng.integers(0, 2, 2_000)
    ids = np.zeros(2_000, dtype=np.int64)
    ids[: label.sum()] = 1  # a binary field with as many 1s as there are clicks
    assert ids.sum() == label.sum()

    result = mutual_information(label, ids)

    assert result.cardinality_correction == 0.0
    assert result.score == result.mutual_information
    np.testing.assert_allclose(
        result.score, outrank_mutual_information(label, ids), rtol=RTOL, atol=ATOL
    )


def test_deterministic():
    _, label, ids = CASES[3]
    assert mutual_information(label, ids) == mutual_information(label, ids)


def test_row_order_matters_only_through_the_correction():
    _, label, ids = CASES[2]
    order = np.random.default_rng(0).permutation(ids.size)
    original, shuffled = (
        mutual_information(label, ids),
        mutual_information(label[order], ids[order]),
    )
    assert shuffled.mutual_information == pytest.approx(original.mutual_information)
    assert shuffled.score != original.score


@pytest.mark.parametrize("factor", [0.5, 0.99, 1.5])
def test_rejects_sampling(factor):
    with pytest.raises(ValueError, match="approximation_factor must be 1.0"):
        mutual_information([0, 1], [0, 1], approximation_factor=factor)


@pytest.mark.parametrize(
    ("label", "ids", "message"),
    [
        ([], [], "empty"),
        ([0, 1], [0, 1, 2], "differ in length"),
        ([0, 1], [-1, 2], "negative"),
        ([0, 1], [0.5, 1.0], "integer ids"),
        ([[0, 1]], [[0, 1]], "1-d"),
    ],
)
def test_rejects_bad_input(label, ids, message):
    with pytest.raises(ValueError, match=message):
        mutual_information(label, ids)


# --- real data (../shared/data; never copied into the repository) ------------------

CRITEO_COLUMNS = [
    "label",
    *[f"I{i}" for i in range(1, 14)],
    *[f"C{i}" for i in range(1, 27)],
]


def _real_tables(shared_data: Path) -> list[tuple[str, pl.DataFrame, list[str]]]:
    """(name, table, numeric columns) for each real dataset present."""
    tables = []
    frappe = shared_data / "frappe_x1" / "valid.csv.gz"
    if frappe.exists():
        tables.append(("frappe_valid", pl.read_csv(frappe), []))
    criteo = shared_data / "criteo_kaggle_head8000" / "train.txt.gz"
    if criteo.exists():
        table = pl.read_csv(
            criteo,
            separator="\t",
            has_header=False,
            new_columns=CRITEO_COLUMNS,
            schema_overrides={c: pl.String for c in CRITEO_COLUMNS if c[0] == "C"},
            infer_schema_length=None,
        )
        tables.append(
            ("criteo_head", table, [c for c in CRITEO_COLUMNS if c[0] == "I"])
        )
    return tables


@pytest.mark.shared_data
def test_score_equals_outrank_on_real_data(shared_data):
    tables = _real_tables(shared_data)
    if not tables:
        pytest.skip(
            f"no Frappe or Criteo data under {shared_data} (set CTRFLOW_SHARED_DATA)"
        )
    for name, table, numeric in tables:
        label = encode_label(table["label"])
        for column in table.columns[1:]:
            ids = (
                encode_numeric(table[column], 32)
                if column in numeric
                else encode_categorical(table[column])
            )
            for correction in (True, False):
                np.testing.assert_allclose(
                    mutual_information(
                        label, ids, cardinality_correction=correction
                    ).score,
                    outrank_mutual_information(
                        label, ids, cardinality_correction=correction
                    ),
                    rtol=RTOL,
                    atol=ATOL,
                    err_msg=f"{name}.{column} correction={correction}",
                )
