"""select_features and mark_selected on a hand-written ranking."""

from __future__ import annotations

import polars as pl
import pytest

from ctrflow.feature_ranking.params import SelectionParams
from ctrflow.feature_ranking.selection import (
    check_selection,
    mark_selected,
    select_features,
)
from ctrflow.schema import DatasetSchema

SCHEMA = DatasetSchema(
    label="label",
    categorical=["a", "b", "c", "const", "d"],
    numeric=["n"],
    sequence=["history"],
)


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


def test_defaults_keep_every_non_constant_field_in_rank_order(ranking):
    selected = select_features(ranking, SCHEMA, SelectionParams())
    assert selected == ["a", "b", "n", "c", "d", "history"]


def test_top_k(ranking):
    assert select_features(ranking, SCHEMA, SelectionParams(top_k=2)) == [
        "a",
        "b",
        "history",
    ]


def test_min_score_is_inclusive(ranking):
    selected = select_features(ranking, SCHEMA, SelectionParams(min_score=0.01))
    assert selected == ["a", "b", "n", "history"]


def test_min_score_then_top_k(ranking):
    params = SelectionParams(top_k=10, min_score=0.0)
    assert select_features(ranking, SCHEMA, params) == ["a", "b", "n", "c", "history"]


def test_constant_never_selected_even_with_a_low_floor(ranking):
    assert "const" not in select_features(
        ranking, SCHEMA, SelectionParams(min_score=-1)
    )


def test_always_keep_adds_fields_in_rank_order(ranking):
    params = SelectionParams(top_k=1, always_keep=["d", "const"])
    assert select_features(ranking, SCHEMA, params) == ["a", "const", "d", "history"]


def test_always_keep_may_name_a_sequence_column(ranking):
    params = SelectionParams(top_k=1, always_keep=["history"])
    assert select_features(ranking, SCHEMA, params) == ["a", "history"]


def test_always_keep_unknown_field_names_it_and_the_known_ones(ranking):
    params = SelectionParams(always_keep=["a", "C99"])
    with pytest.raises(ValueError, match=r"unknown field\(s\) \['C99'\]") as error:
        select_features(ranking, SCHEMA, params)
    assert "['a', 'b', 'n', 'c', 'const', 'd', 'history']" in str(error.value)


def test_label_is_not_a_known_field(ranking):
    with pytest.raises(ValueError, match="label"):
        select_features(ranking, SCHEMA, SelectionParams(always_keep=["label"]))


def test_top_k_must_be_positive():
    with pytest.raises(ValueError, match="top_k"):
        SelectionParams(top_k=0)


def test_mark_selected_adds_a_column_without_changing_the_input(ranking):
    before = ranking.clone()
    marked = mark_selected(ranking, ["a", "n", "history"])
    assert ranking.equals(before)
    assert dict(zip(marked["feature"], marked["selected"], strict=True)) == {
        "b": False,
        "a": True,
        "n": True,
        "c": False,
        "const": False,
        "d": False,
    }


def test_never_keep_drops_a_field_and_its_slot_goes_to_the_next(ranking):
    params = SelectionParams(top_k=2, never_keep=["a"])
    assert select_features(ranking, SCHEMA, params) == ["b", "n", "history"]


def test_never_keep_may_drop_a_sequence_column(ranking):
    params = SelectionParams(never_keep=["history"])
    assert "history" not in select_features(ranking, SCHEMA, params)


def test_never_keep_unknown_field_is_named(ranking):
    with pytest.raises(
        ValueError, match=r"never_keep names unknown field\(s\) \['x'\]"
    ):
        select_features(ranking, SCHEMA, SelectionParams(never_keep=["x"]))


def test_drop_redundant(ranking):
    flagged = ranking.with_columns(redundant=pl.col("feature") == "b")
    params = SelectionParams(top_k=2, drop_redundant=True)
    assert select_features(flagged, SCHEMA, params) == ["a", "n", "history"]
    # without the flag the redundant field stays
    assert select_features(flagged, SCHEMA, SelectionParams(top_k=2))[:2] == ["a", "b"]


def test_drop_redundant_needs_the_redundancy_columns(ranking):
    with pytest.raises(ValueError, match="drop_redundant"):
        select_features(ranking, SCHEMA, SelectionParams(drop_redundant=True))


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
        select_features(ranking, SCHEMA, SelectionParams(always_keep=["x"]))


def test_check_selection_accepts_every_field_and_sequence_names():
    check_selection(
        SelectionParams(top_k=6, always_keep=["history"], never_keep=["d"]), SCHEMA
    )
