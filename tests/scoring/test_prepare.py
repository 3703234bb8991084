"""prepare_rows: ingestion's typing and quarantine, stored derived features, the
stored feature map, OOV counts, key columns; naming headerless files."""

from __future__ import annotations

import polars as pl
import pytest

from ctrflow.feature_engineering.encoding import encode_table
from ctrflow.ingestion import type_rows
from ctrflow.ingestion.derived import add_derived
from ctrflow.ingestion.raw_logs import RawLogs, numbered_lines
from ctrflow.schema import DatasetSchema
from ctrflow.scoring.errors import ScoringError
from ctrflow.scoring.prepare import default_column_order, name_new_logs, prepare_rows


def test_accepted_rows_encode_as_training_encodes_them(
    demo_artifact, demo_raw, demo_schema
):
    raw = demo_raw(300)
    prepared = prepare_rows(raw, demo_artifact, "new.tsv")
    typed = type_rows(raw, demo_schema, "new.tsv", numbered_lines(1, raw.height))
    assert prepared.labelled
    assert prepared.quarantined.height == 0
    assert prepared.encoded.equals(
        encode_table(typed.accepted, demo_artifact.feature_map)
    )


def test_rows_without_label_are_scored_and_bad_rows_quarantined(
    demo_artifact, demo_raw
):
    raw = (
        demo_raw(50)
        .drop("label")
        .with_row_index("request_id")
        .with_columns(pl.col("request_id").cast(pl.String))
    )
    raw = raw.with_columns(
        pl.when(pl.col("request_id") == "3")
        .then(pl.lit("x7"))
        .otherwise(pl.col("I5"))
        .alias("I5"),
        pl.when(pl.col("request_id") == "8")
        .then(pl.lit("inf"))
        .otherwise(pl.col("I1"))
        .alias("I1"),
    )
    prepared = prepare_rows(raw, demo_artifact, "new.tsv", key_columns=["request_id"])
    assert not prepared.labelled
    assert prepared.encoded.height + prepared.quarantined.height == raw.height == 50
    assert prepared.encoded["label"].null_count() == prepared.encoded.height
    bad = prepared.quarantined.sort("line_number")
    assert bad["line_number"].to_list() == [4, 9]  # rows numbered from 1
    assert bad["reason"].to_list() == ["not_a_number", "not_finite"]
    assert bad["detail"][0] == "column 'I5' holds 'x7', expected a number"
    # the key column stays aligned with the scored rows
    assert prepared.passthrough["request_id"].to_list() == [
        str(i) for i in range(50) if i not in (3, 8)
    ]


def test_a_present_label_is_checked_as_ingestion_does(demo_artifact, demo_raw):
    raw = demo_raw(10).with_columns(
        pl.when(pl.int_range(pl.len()) == 2)
        .then(pl.lit("2"))
        .otherwise(pl.col("label"))
        .alias("label")
    )
    prepared = prepare_rows(raw, demo_artifact, "new.tsv")
    assert prepared.quarantined["reason"].to_list() == ["label_not_0_or_1"]
    assert prepared.labelled and prepared.encoded.height == 9


def test_unseen_values_get_the_oov_id_and_are_counted(demo_artifact, demo_raw):
    raw = demo_raw(40).with_columns(pl.lit("never-seen-before").alias("C2"))
    prepared = prepare_rows(raw, demo_artifact, "new.tsv")
    field = demo_artifact.feature_map.categorical_field("C2")
    assert prepared.oov["C2"] == 40
    assert prepared.encoded["C2"].unique().to_list() == [field.offset + 1]


def test_stored_derived_features_are_added(make_artifact, price_bucket_table):
    schema, table = price_bucket_table
    artifact = make_artifact(
        table([1.0, 5.0, 12.0, 30.0] * 5), schema, ["price_bucket"]
    )
    raw = pl.DataFrame({"price": ["3", "15", ""]})
    prepared = prepare_rows(raw, artifact, "new.csv")
    typed = type_rows(raw, schema, "new.csv", numbered_lines(1, 3), label_optional=True)
    expected = encode_table(
        add_derived(typed.accepted, schema.derived).with_columns(
            pl.lit(None, pl.Int8).alias("y")
        ),
        artifact.feature_map,
    )
    assert prepared.encoded.equals(expected)
    field = artifact.feature_map.categorical_field("price_bucket")
    assert prepared.encoded["price_bucket"][
        1
    ] == field.offset + 2 + field.vocabulary.index("[10, inf)")


def test_a_model_saved_without_schema_asks_to_retrain(demo_artifact, demo_raw):
    from dataclasses import replace  # noqa: PLC0415

    old = replace(demo_artifact, schema=None)
    with pytest.raises(ScoringError, match=r"ctrflow.model/1.*retrain it"):
        prepare_rows(demo_raw(3), old, "new.tsv")


def test_a_missing_key_column_is_named(demo_artifact, demo_raw):
    with pytest.raises(ScoringError, match=r"key column\(s\) \['impression_id'\]"):
        prepare_rows(
            demo_raw(3), demo_artifact, "new.tsv", key_columns=["impression_id"]
        )


def test_default_column_order_drops_the_label_for_one_column_less(demo_schema):
    features = [*demo_schema.numeric, *demo_schema.categorical]
    assert default_column_order(demo_schema, 40) == ["label", *features]
    assert default_column_order(demo_schema, 39) == features
    with pytest.raises(ScoringError, match=r"has 12 columns.*score.column_order"):
        default_column_order(demo_schema, 12)


def test_a_headerless_file_is_named_by_the_schema_without_label():
    schema = DatasetSchema(label="y", numeric=["n"], categorical=["c"])
    frame = pl.DataFrame({"column_1": ["1.5"], "column_2": ["a"]})
    raw = RawLogs(
        frames={"all": frame}, sources={"all": "new.tsv"}, header={"all": False}
    )
    named = name_new_logs(raw, schema, None)
    assert named.frames["all"].columns == ["n", "c"]
    named = name_new_logs(
        RawLogs(
            frames={"all": frame}, sources={"all": "new.tsv"}, header={"all": False}
        ),
        schema,
        ["c", "n"],
    )
    assert named.frames["all"].columns == ["c", "n"]
