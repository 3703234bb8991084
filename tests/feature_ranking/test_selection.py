"""Screens, the top_k cut (auto from a curve) and the decisions, on a hand-written
ranking."""

from __future__ import annotations

import polars as pl
import pytest

from ctrflow.feature_ranking.params import SelectionParams
from ctrflow.feature_ranking.selection import (
    KEPT,
    candidate_fields,
    check_selection,
    choose_top_k,
    fixed_top_k,
    resolve_top_k,
    screen_fields,
    screen_redundant,
    select_features,
)
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(
    label="label",
    categorical=["a", "b", "c", "const", "d"],
    numeric=["n"],
    sequence=["history"],
)
ROWS = 100_000  # d's 50,000 values are half the rows: not above near_unique_ratio
# the former rules: no cut, redundant fields stay
PLAIN = SelectionParams(top_k=None, drop_redundant=False)


@pytest.fixture
def ranking() -> pl.DataFrame:
    # deliberately not sorted by rank: selection must sort
    return pl.DataFrame(
        {
            "feature": ["b", "a", "n", "c", "const", "d"],
            "cardinality": [100, 10, 33, 5, 1, 50_000],
            "score": [0.03, 0.05, 0.01, 0.001, 0.0, -0.002],
            "rank": [2, 1, 3, 4, 5, 6],
        }
    )


@pytest.fixture
def flagged(ranking) -> pl.DataFrame:
    """``b`` copies ``a``: the redundancy columns add_redundancy writes."""
    return ranking.with_columns(
        redundancy=pl.when(pl.col("feature") == "b").then(0.9).otherwise(0.0),
        redundant_with=pl.when(pl.col("feature") == "b").then(pl.lit("a")),
        redundant=pl.col("feature") == "b",
    )


def decide(
    ranking: pl.DataFrame,
    selection: SelectionParams,
    *,
    rows: int = ROWS,
    leaks: list[dict] | None = None,
    curve: list[dict] | None = None,
) -> tuple[pl.DataFrame, list[str]]:
    """The stage's steps: screens, then the cut (auto from ``curve``)."""
    screened = screen_redundant(
        screen_fields(ranking, selection, rows=rows, leaks=leaks), selection
    )
    top_k, reason = resolve_top_k(selection, curve or [])
    return select_features(
        screened, SCHEMA, selection, top_k=top_k, top_k_reason=reason
    )


def selected(ranking, selection, **kwargs) -> list[str]:
    return decide(ranking, selection, **kwargs)[1]


def decisions(ranking, selection, **kwargs) -> dict[str, str]:
    table = decide(ranking, selection, **kwargs)[0]
    return dict(zip(table["feature"], table["decision"], strict=True))


def test_without_cut_or_redundancy_every_non_constant_field_is_kept(ranking):
    assert selected(ranking, PLAIN) == ["a", "b", "n", "c", "d", "history"]


def test_top_k(ranking):
    rules = PLAIN.model_copy(update={"top_k": 2})
    assert selected(ranking, rules) == ["a", "b", "history"]
    assert decisions(ranking, rules)["n"] == "dropped: beyond the top 2 (top_k 2)"


def test_min_score_is_inclusive(ranking):
    rules = PLAIN.model_copy(update={"min_score": 0.01})
    assert selected(ranking, rules) == ["a", "b", "n", "history"]
    assert decisions(ranking, rules)["c"] == (
        "dropped: score 0.0010 < min_score 0.01 nats"
    )


def test_min_score_then_top_k(ranking):
    rules = PLAIN.model_copy(update={"top_k": 10, "min_score": 0.0})
    assert selected(ranking, rules) == ["a", "b", "n", "c", "history"]


def test_constant_never_selected_even_with_a_low_floor(ranking):
    rules = PLAIN.model_copy(update={"min_score": -1})
    assert "const" not in selected(ranking, rules)
    assert decisions(ranking, rules)["const"] == "dropped: constant (1 distinct value)"


def test_always_keep_adds_fields_in_rank_order(ranking):
    rules = PLAIN.model_copy(update={"top_k": 1, "always_keep": ["d", "const"]})
    assert selected(ranking, rules) == ["a", "const", "d", "history"]


def test_always_keep_may_name_a_sequence_column(ranking):
    rules = PLAIN.model_copy(update={"top_k": 1, "always_keep": ["history"]})
    assert selected(ranking, rules) == ["a", "history"]


def test_always_keep_unknown_field_names_it_and_the_known_ones(ranking):
    rules = PLAIN.model_copy(update={"always_keep": ["a", "C99"]})
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['C99'\]") as error:
        decide(ranking, rules)
    assert "['a', 'b', 'n', 'c', 'const', 'd', 'history']" in str(error.value)


def test_label_is_not_a_known_field(ranking):
    with pytest.raises(ValueError, match="label"):
        decide(ranking, PLAIN.model_copy(update={"always_keep": ["label"]}))


def test_top_k_must_be_positive_or_auto():
    with pytest.raises(ValueError, match="top_k"):
        SelectionParams(top_k=0)
    with pytest.raises(ValueError, match="top_k"):
        SelectionParams(top_k="best")
    assert SelectionParams().top_k == "auto"


def test_never_keep_drops_a_field_and_its_slot_goes_to_the_next(ranking):
    rules = PLAIN.model_copy(update={"top_k": 2, "never_keep": ["a"]})
    assert selected(ranking, rules) == ["b", "n", "history"]
    assert decisions(ranking, rules)["a"] == "dropped: never_keep"


def test_never_keep_may_drop_a_sequence_column(ranking):
    rules = PLAIN.model_copy(update={"never_keep": ["history"]})
    assert "history" not in selected(ranking, rules)


def test_never_keep_unknown_field_is_named(ranking):
    with pytest.raises(
        ValueError, match=r"never_keep names unknown field\(s\) \['x'\]"
    ):
        decide(ranking, PLAIN.model_copy(update={"never_keep": ["x"]}))


def test_redundant_field_is_dropped_by_default_with_its_partner(flagged):
    rules = SelectionParams(top_k=2)  # drop_redundant: true is the default
    assert selected(flagged, rules) == ["a", "n", "history"]
    assert decisions(flagged, rules)["b"] == "dropped: redundant with a (R = 0.9)"
    # drop_redundant: false keeps it
    plain = rules.model_copy(update={"drop_redundant": False})
    assert selected(flagged, plain)[:2] == ["a", "b"]


def test_drop_redundant_needs_the_redundancy_columns(ranking):
    with pytest.raises(ValueError, match="drop_redundant"):
        decide(ranking, SelectionParams(top_k=None))


def test_near_unique_id_without_signal_is_dropped_naming_the_numbers(ranking):
    # 50,000 distinct values in 60,000 rows, score -0.002
    reason = decisions(ranking, PLAIN, rows=60_000)["d"]
    assert reason == (
        "dropped: near-unique id (50000 distinct values in 60000 rows = 0.83 > "
        "near_unique_ratio 0.5, score -0.0020 <= noise_floor 0.002 nats)"
    )
    assert "d" in selected(ranking, PLAIN, rows=ROWS)  # 0.50 is not above 0.5
    off = PLAIN.model_copy(update={"near_unique_ratio": None})
    assert "d" in selected(ranking, off, rows=60_000)


def test_near_unique_id_with_signal_is_kept(ranking):
    informative_id = ranking.with_columns(
        score=pl.when(pl.col("feature") == "d").then(0.02).otherwise(pl.col("score"))
    )
    assert decisions(informative_id, PLAIN, rows=60_000)["d"] == KEPT


def test_probable_leak_is_dropped_unless_turned_off(ranking):
    leaks = [{"column": "a", "auc": 0.995, "split": "valid", "message": "a alone: AUC"}]
    assert decisions(ranking, PLAIN, leaks=leaks)["a"] == (
        "dropped: probable leak (AUC 0.995 alone on the valid split, "
        "data_quality_report.probable_leaks)"
    )
    assert "a" not in selected(ranking, PLAIN, leaks=leaks)
    keep_leaks = PLAIN.model_copy(update={"drop_leaks": False})
    assert "a" in selected(ranking, keep_leaks, leaks=leaks)


def test_always_keep_wins_over_every_rule(ranking):
    leaks = [{"column": "a", "auc": 0.99, "split": "train", "message": ""}]
    rules = PLAIN.model_copy(
        update={"top_k": 1, "min_score": 0.02, "always_keep": ["a", "d", "c"]}
    )
    table = decisions(ranking, rules, rows=60_000, leaks=leaks)
    # a: a leak, d: near-unique, c: below min_score; all kept
    assert table["a"] == table["d"] == table["c"] == KEPT
    assert selected(ranking, rules, rows=60_000, leaks=leaks) == [
        "a", "b", "c", "d", "history"
    ]  # fmt: skip


def test_every_field_has_a_decision_matching_selected(flagged):
    leaks = [{"column": "n", "auc": 0.97, "split": "valid", "message": ""}]
    rules = SelectionParams(top_k=1, never_keep=["c"])
    table, names = decide(flagged, rules, rows=60_000, leaks=leaks)
    assert table["feature"].to_list() == ["a", "b", "n", "c", "const", "d"]
    assert table.columns[-2:] == ["selected", "decision"]
    for field, chosen, decision in table.select(
        "feature", "selected", "decision"
    ).rows():
        assert chosen == (decision == KEPT), field
        assert decision == KEPT or decision.startswith("dropped: "), decision
    assert names == ["a", "history"]
    assert [d.split(" (")[0] for d in table["decision"]] == [
        KEPT,
        "dropped: redundant with a",
        "dropped: probable leak",
        "dropped: never_keep",
        "dropped: constant",
        "dropped: near-unique id",
    ]


def test_candidates_are_the_fields_the_screens_leave(flagged):
    screened = screen_redundant(
        screen_fields(flagged, SelectionParams(never_keep=["n"]), rows=60_000),
        SelectionParams(never_keep=["n"]),
    )
    assert candidate_fields(screened) == ["a", "c"]


def test_choose_top_k_takes_the_smallest_k_within_the_tolerance():
    curve = [(1, 0.6839), (2, 0.7146), (4, 0.7718), (6, 0.7913), (8, 0.7899),
             (12, 0.7880), (36, 0.7768)]  # fmt: skip
    assert choose_top_k(curve, 0.002) == 6  # the best
    assert choose_top_k(curve, 0.03) == 4
    assert choose_top_k(curve, 1.0) == 1
    # "all candidate fields" is a point like any other
    assert choose_top_k([(1, 0.70), (4, 0.75), (9, 0.80)], 0.002) == 9
    assert choose_top_k([(1, float("nan")), (2, 0.7)], 0.0) == 2
    assert choose_top_k([], 0.002) is None


def test_auto_top_k_cuts_where_the_curve_chose(flagged):
    curve = [
        {"k": 1, "valid_auc": 0.70, "chosen": False},
        {"k": 2, "valid_auc": 0.7490, "chosen": True},
        {"k": 4, "valid_auc": 0.7500, "chosen": False},
    ]
    rules = SelectionParams()  # top_k: auto
    table = decisions(flagged, rules, curve=curve)
    assert selected(flagged, rules, curve=curve) == ["a", "n", "history"]
    assert table["c"] == (
        "dropped: beyond the top 2 (top_k auto: k 2 has validation AUC 0.7490, "
        "within top_k_tolerance 0.002 of the best 0.7500 (k 4))"
    )


def test_auto_top_k_without_a_curve_cuts_nothing(flagged):
    assert resolve_top_k(SelectionParams(), []) == (
        None,
        "top_k auto without an AUC-vs-k curve: no cut",
    )
    assert selected(flagged, SelectionParams(), curve=[]) == [
        "a", "n", "c", "d", "history"
    ]  # fmt: skip


def test_fixed_top_k_counts_the_candidates_a_fixed_cut_keeps(flagged):
    screened = screen_redundant(
        screen_fields(flagged, SelectionParams(), rows=ROWS), SelectionParams()
    )
    assert fixed_top_k(screened, SelectionParams(top_k=None)) == 4  # a, n, c, d
    assert fixed_top_k(screened, SelectionParams(top_k=2)) == 2
    assert fixed_top_k(screened, SelectionParams(top_k=None, min_score=0.005)) == 2
    with pytest.raises(ValueError, match="auto"):
        fixed_top_k(screened, SelectionParams())


def test_a_field_cannot_be_kept_and_never_kept():
    with pytest.raises(
        ValueError, match=r"always_keep and never_keep both name \['a'\]"
    ):
        SelectionParams(always_keep=["a", "b"], never_keep=["a"])


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (SelectionParams(top_k=7), r"selection\.top_k is 7 but the schema has only 6"),
        (SelectionParams(always_keep=["C99"]), r"selection\.always_keep .*C99"),
        (SelectionParams(never_keep=["label"]), r"selection\.never_keep .*label"),
    ],
)
def test_check_selection_names_the_key(params, message):
    with pytest.raises(ValueError, match=message):
        check_selection(params, SCHEMA)


def test_selection_errors_say_which_file_to_edit(ranking):
    file = r"set feature_ranking\.selection\.{} in conf/<env>/parameters_feature_ranking\.yml"
    with pytest.raises(ValueError, match=file.format("top_k")):
        check_selection(SelectionParams(top_k=7), SCHEMA)
    with pytest.raises(ValueError, match=file.format("always_keep")):
        decide(ranking, PLAIN.model_copy(update={"always_keep": ["x"]}))


def test_check_selection_accepts_every_field_and_sequence_names():
    check_selection(
        SelectionParams(top_k=6, always_keep=["history"], never_keep=["d"]), SCHEMA
    )
    check_selection(SelectionParams(), SCHEMA)  # auto
