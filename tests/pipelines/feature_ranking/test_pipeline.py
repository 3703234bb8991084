"""The feature-ranking node, and the pipeline run by Kedro's runner."""

from __future__ import annotations

from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest
import yaml
from kedro.io import DataCatalog, MemoryDataset
from kedro.runner import SequentialRunner
from kedro.validation import ParameterValidationError, ParameterValidator, TypeExtractor
from kedro_datasets.json import JSONDataset
from kedro_datasets.polars import EagerPolarsDataset

from ctrflow.data_quality.report import DataQualityError
from ctrflow.demo_data import CATEGORICAL, LABEL, NUMERIC, PLANTED, generate_demo_logs
from ctrflow.feature_engineering.params import FeatureEngineeringParams
from ctrflow.feature_ranking.params import (
    AucVsKParams,
    FeatureRankingParams,
    InteractionParams,
    SelectionParams,
)
from ctrflow.pipeline_registry import register_pipelines
from ctrflow.pipelines.feature_engineering import create_pipeline as fe_pipeline
from ctrflow.pipelines.feature_ranking import create_pipeline
from ctrflow.pipelines.feature_ranking.nodes import (
    check_ranking_params,
    plot_auc_vs_k,
    rank_features,
    select_fields,
)
from ctrflow.schema import DatasetSchema
from ctrflow.training.params import TrainingParams

_CONF = Path(__file__).resolve().parents[3] / "conf" / "base"
_OUTPUTS = [
    "feature_ranking",
    "feature_interactions",
    "selected_features",
    "feature_ranking_plot",
]
_CURVE_OUTPUTS = ["feature_ranking_auc_vs_k", "feature_ranking_auc_vs_k_plot"]
QUICK_CURVE = AucVsKParams(
    k=[2], train_rows=5_000, valid_rows=2_000, max_epochs=1, batch_size=512
)


@pytest.fixture(scope="module")
def train_table() -> pl.DataFrame:
    logs = generate_demo_logs(rows=20_000, seed=1)
    return logs.with_columns(
        pl.col(LABEL).cast(pl.Int8),
        pl.col(NUMERIC).cast(pl.Float64),
        pl.col(CATEGORICAL).cast(pl.String),
    )


@pytest.fixture
def schema() -> DatasetSchema:
    return DatasetSchema(label=LABEL, categorical=CATEGORICAL, numeric=NUMERIC)


@pytest.fixture
def passed_report() -> dict:
    return {"success": True, "blocking_failures": [], "warnings": []}


@pytest.fixture
def failed_report() -> dict:
    failure = {
        "split": "train",
        "expectation": "expect_column_values_to_be_in_set",
        "check": "label_values",
        "column": "label",
        "kwargs": {"column": "label", "value_set": [0, 1]},
        "severity": "blocking",
        "success": False,
        "observed_value": None,
        "element_count": 20_000,
        "unexpected_count": 3,
        "unexpected_percent": 0.015,
        "unexpected_examples": [2],
        "exception": None,
    }
    return {"success": False, "blocking_failures": [failure], "warnings": []}


def _catalog(train_table, report, schema, params) -> DataCatalog:
    return DataCatalog(
        {
            "train_table": MemoryDataset(train_table[:16_000]),
            "valid_table": MemoryDataset(train_table[16_000:]),
            "data_quality_report": MemoryDataset(report),
            "params:schema": MemoryDataset(schema),
            "params:feature_ranking": MemoryDataset(params),
            "params:feature_engineering": MemoryDataset(FeatureEngineeringParams()),
            "params:training": MemoryDataset(TrainingParams(progress_bar=False)),
        }
    )


def _quick(**changes) -> FeatureRankingParams:
    return FeatureRankingParams(**{"auc_vs_k": QUICK_CURVE, **changes})


def _stage(train_table, report, schema, params, top_k=None):
    """The ranking and selection nodes, the cut given (no curve)."""
    screened, interactions = rank_features(train_table, report, schema, params)
    choice = {"top_k": top_k, "reason": f"top_k {top_k}"}
    ranking, selected, figure = select_fields(
        screened, interactions, choice, schema, params
    )
    return ranking, interactions, selected, figure


def test_rank_features_node_screens_and_leaves_candidates(
    train_table, passed_report, schema
):
    screened, interactions = rank_features(
        train_table, passed_report, schema, FeatureRankingParams()
    )

    assert screened.height == len(schema.features)
    decision = dict(zip(screened["feature"], screened["decision"], strict=True))
    assert decision["C26"] == "dropped: constant (1 distinct value)"
    assert decision["C8"].startswith("dropped: near-unique id (")
    assert decision["C5"].startswith("dropped: redundant with C1")
    for name in PLANTED["informative"]:
        assert decision[name] is None  # a candidate
    assert {"redundant", "redundant_with", "redundancy", "mrmr_rank"} <= set(
        screened.columns
    )
    assert interactions.height == 8 * 7 // 2  # interactions.top_n = 8


def test_select_fields_node_cuts_and_decides(train_table, passed_report, schema):
    ranking, _, selected, figure = _stage(
        train_table, passed_report, schema, FeatureRankingParams(), top_k=5
    )
    assert ranking["selected"].sum() == 5
    assert selected == ranking.filter("selected").sort("rank")["feature"].to_list()
    assert set(ranking.filter("selected")["decision"]) == {"kept"}
    beyond = ranking.filter(pl.col("decision").str.starts_with("dropped: beyond"))
    assert beyond.height > 0
    assert beyond["decision"][0] == "dropped: beyond the top 5 (top_k 5)"
    assert isinstance(figure, go.Figure)


def test_probable_leak_in_the_report_is_dropped_and_logged(
    train_table, passed_report, schema, caplog
):
    report = {
        **passed_report,
        "probable_leaks": [
            {"column": "C2", "auc": 0.98, "split": "valid", "message": "C2 alone"}
        ],
    }
    caplog.set_level("INFO", logger="ctrflow.pipelines.feature_ranking.nodes")
    ranking, _, selected, _ = _stage(
        train_table, report, schema, FeatureRankingParams()
    )
    decision = dict(zip(ranking["feature"], ranking["decision"], strict=True))
    assert decision["C2"].startswith("dropped: probable leak (AUC 0.980")
    assert "C2" not in selected
    # one log line per dropped field, naming it
    dropped = [r.getMessage() for r in caplog.records if " dropped: " in r.getMessage()]
    assert len(dropped) == ranking.filter(~pl.col("selected")).height
    assert "feature C2 dropped: probable leak" in " ".join(dropped)


def test_sample_size_ranks_a_seeded_sample(train_table, passed_report, schema):
    params = FeatureRankingParams(sample_size=5_000, seed=3)
    first = rank_features(train_table, passed_report, schema, params)[0]
    again = rank_features(train_table, passed_report, schema, params)[0]
    other = rank_features(
        train_table, passed_report, schema, params.model_copy(update={"seed": 4})
    )[0]
    assert first.equals(again)
    assert not first["score"].equals(other["score"])
    c8 = first.filter(pl.col("feature") == "C8")["cardinality"][0]
    assert c8 <= 5_000  # near-unique: at most one value per sampled row


def test_rank_features_node_takes_a_scan_of_shards(
    train_table, passed_report, schema, tmp_path, scan_shards
):
    """A scan no larger than ``sample_size`` ranks and pairs as the table does."""
    params = FeatureRankingParams(sample_size=train_table.height)
    scan = scan_shards(train_table, tmp_path, shards=4)
    eager = rank_features(train_table, passed_report, schema, params)
    streamed = rank_features(scan, passed_report, schema, params)
    assert streamed[0].equals(eager[0])
    assert streamed[1].equals(eager[1])


def test_add_top_n_appends_the_best_pair(train_table, passed_report, schema):
    params = FeatureRankingParams(interactions=InteractionParams(add_top_n=1))
    _, interactions, selected, _ = _stage(train_table, passed_report, schema, params)
    assert selected[-1] == interactions["feature"][0]
    assert selected[-1].count(":") == 1


def test_node_does_not_change_its_inputs(train_table, passed_report, schema):
    before = train_table.clone()
    rank_features(train_table, passed_report, schema, FeatureRankingParams())
    assert train_table.equals(before)


def test_failed_data_quality_stops_the_node(train_table, failed_report, schema):
    with pytest.raises(DataQualityError, match="expect_column_values_to_be_in_set"):
        rank_features(train_table, failed_report, schema, FeatureRankingParams())


def test_unknown_always_keep_field_is_named(train_table, passed_report, schema):
    params = FeatureRankingParams(selection=SelectionParams(always_keep=["C99"]))
    with pytest.raises(ValueError, match="C99"):
        _stage(train_table, passed_report, schema, params)


@pytest.mark.parametrize(
    ("selection", "message"),
    [
        (SelectionParams(top_k=40), r"selection\.top_k is 40 .* 39 ranked"),
        (SelectionParams(always_keep=["C99"]), r"selection\.always_keep .*C99"),
        (SelectionParams(never_keep=["I14"]), r"selection\.never_keep .*I14"),
    ],
)
def test_schema_checks_fail_in_the_first_node(schema, selection, message):
    params = FeatureRankingParams(selection=selection)
    with pytest.raises(ValueError, match=message):
        check_ranking_params(schema, params)
    # no data input: it is the first node of the stage (and runs first in `train`)
    first = create_pipeline().nodes[0]
    assert first.name == "feature_ranking.check_feature_ranking_params_node"
    assert first.inputs == ["params:schema", "params:feature_ranking"]


def test_pipeline_stops_before_ranking_on_a_bad_key(train_table, passed_report, schema):
    params = FeatureRankingParams(selection=SelectionParams(never_keep=["C99"]))
    catalog = _catalog(train_table, passed_report, schema, params)
    with pytest.raises(ValueError, match="never_keep"):
        SequentialRunner().run(create_pipeline(), catalog)
    assert not catalog.exists("feature_ranking")


def test_pipeline_run(tmp_path, train_table, passed_report, schema):
    catalog = _catalog(train_table, passed_report, schema, _quick())
    # a file: the runner releases a memory dataset once its last reader has run
    catalog["feature_ranking"] = EagerPolarsDataset(
        filepath=str(tmp_path / "ranking.parquet"), file_format="parquet"
    )

    SequentialRunner().run(create_pipeline(), catalog)

    ranking = catalog.load("feature_ranking")
    selected = catalog.load("selected_features")
    figure = catalog.load("feature_ranking_plot")
    assert ranking.columns[-2:] == ["selected", "decision"]
    assert ranking["rank"].to_list() == list(range(1, 40))
    assert isinstance(figure, go.Figure)
    # top_k auto: the curve (on the candidates the screens left) chose k
    candidates = ranking.filter(
        ~pl.col("decision").str.starts_with("dropped: constant")
        & ~pl.col("decision").str.starts_with("dropped: near-unique")
        & ~pl.col("decision").str.starts_with("dropped: redundant")
    )
    curve = catalog.load("feature_ranking_auc_vs_k")
    assert [row["k"] for row in curve] == [2, candidates.height]
    (chosen,) = [row for row in curve if row["chosen"]]
    assert selected == chosen["fields"]  # the curve's chosen fields, rank order
    best = max(row["valid_auc"] for row in curve)
    assert chosen["valid_auc"] >= best - 0.002
    assert isinstance(catalog.load("feature_ranking_auc_vs_k_plot"), go.Figure)


def test_never_kept_fields_are_not_paired(train_table, passed_report, schema):
    params = FeatureRankingParams(
        selection=SelectionParams(never_keep=["C3"]),
        interactions=InteractionParams(add_top_n=3, min_gain=0.0),
    )
    _, interactions, selected, _ = _stage(train_table, passed_report, schema, params)
    assert "C3" not in {*interactions["feature_a"], *interactions["feature_b"]}
    assert not [name for name in selected if "C3" in name.split(":")]


def test_auc_vs_k_can_be_turned_off(train_table, schema):
    params = FeatureRankingParams(auc_vs_k=AucVsKParams(enabled=False))
    ranking = pl.DataFrame(
        {"feature": ["C1"], "cardinality": [50], "score": [0.1], "rank": [1],
         "decision": [None]}, schema_overrides={"decision": pl.String},
    )  # fmt: skip
    curve, figure, choice = plot_auc_vs_k(
        train_table=train_table, valid_table=train_table, screened_ranking=ranking,
        schema=schema, params=params, encoding=FeatureEngineeringParams(),
        training=TrainingParams(),
    )  # fmt: skip
    assert curve == []
    assert "not computed" in figure.layout.title.text
    assert choice["top_k"] is None  # top_k auto without a curve: no cut


def test_crossed_field_flows_into_feature_engineering(
    tmp_path, train_table, passed_report, schema
):
    """ranking + feature engineering: the added pair is encoded in every split."""
    params = _quick(
        interactions=InteractionParams(add_top_n=1),
        auc_vs_k=AucVsKParams(enabled=False),
    )
    catalog = _catalog(train_table, passed_report, schema, params)
    catalog["test_table"] = MemoryDataset(train_table[18_000:])
    catalog["feature_map"] = JSONDataset(filepath=str(tmp_path / "feature_map.json"))
    catalog["selected_features"] = JSONDataset(filepath=str(tmp_path / "selected.json"))

    SequentialRunner().run(create_pipeline() + fe_pipeline(), catalog)

    pair = catalog.load("selected_features")[-1]
    feature_map = catalog.load("feature_map")
    crossed = feature_map["categorical"][-1]
    assert (crossed["name"], crossed["source"]) == (pair, "interaction")
    assert crossed["parents"] == pair.split(":")
    for split in ("train", "valid", "test"):
        assert catalog.load(f"{split}_encoded").columns[-1] == pair


def test_pipeline_run_stops_on_failed_data_quality(train_table, failed_report, schema):
    catalog = _catalog(train_table, failed_report, schema, FeatureRankingParams())

    with pytest.raises(DataQualityError, match="label_values"):
        SequentialRunner().run(create_pipeline(), catalog)

    assert not catalog.exists("feature_ranking")


def test_outputs_round_trip_through_the_project_catalog(
    tmp_path, train_table, passed_report, schema
):
    entries = yaml.safe_load((_CONF / "catalog.yml").read_text())
    config = {
        name: {
            **entries[name],
            "filepath": str(tmp_path / Path(entries[name]["filepath"]).name),
        }
        for name in _OUTPUTS
    }
    config.update(
        {
            name: {
                **entries[name],
                "filepath": str(tmp_path / Path(entries[name]["filepath"]).name),
            }
            for name in _CURVE_OUTPUTS
        }
    )
    catalog = DataCatalog.from_config(config)
    ranking, interactions, selected, figure = _stage(
        train_table, passed_report, schema, FeatureRankingParams()
    )
    outputs = (ranking, interactions, selected, figure)

    for name, value in zip(_OUTPUTS, outputs, strict=True):
        catalog.save(name, value)

    ranking = catalog.load("feature_ranking")
    assert ranking["feature"].to_list() == outputs[0]["feature"].to_list()
    assert ranking["selected"].to_list() == outputs[0]["selected"].to_list()
    assert ranking["redundant"].to_list() == outputs[0]["redundant"].to_list()
    assert ranking["decision"].to_list() == outputs[0]["decision"].to_list()
    assert catalog.load("feature_interactions").equals(outputs[1])
    assert catalog.load("selected_features") == outputs[2]
    assert len(catalog.load("feature_ranking_plot").data) == 2

    screened = rank_features(
        train_table, passed_report, schema, FeatureRankingParams()
    )[0]
    curve = plot_auc_vs_k(
        train_table=train_table[:16_000], valid_table=train_table[16_000:],
        screened_ranking=screened, schema=schema, params=_quick(),
        encoding=FeatureEngineeringParams(), training=TrainingParams(progress_bar=False),
    )  # fmt: skip
    for name, value in zip(_CURVE_OUTPUTS, curve[:2], strict=True):
        catalog.save(name, value)
    assert catalog.load("feature_ranking_auc_vs_k") == curve[0]
    assert len(catalog.load("feature_ranking_auc_vs_k_plot").data) == 2


def test_parameters_file_and_node_types():
    """Kedro instantiates params:feature_ranking as FeatureRankingParams."""
    pipeline = create_pipeline()
    assert TypeExtractor(
        {"feature_ranking": pipeline}
    ).extract_types_from_pipelines() == {
        "schema": DatasetSchema,
        "feature_ranking": FeatureRankingParams,
        "feature_engineering": FeatureEngineeringParams,
        "training": TrainingParams,
    }
    raw = {
        **yaml.safe_load((_CONF / "parameters.yml").read_text()),
        **yaml.safe_load((_CONF / "parameters_feature_ranking.yml").read_text()),
        **yaml.safe_load((_CONF / "parameters_feature_engineering.yml").read_text()),
        **yaml.safe_load((_CONF / "parameters_training.yml").read_text()),
    }
    validated = ParameterValidator({"feature_ranking": pipeline}).validate_raw_params(
        raw
    )
    assert validated["feature_ranking"] == FeatureRankingParams()

    raw["feature_ranking"]["selection"]["top_n"] = 5
    with pytest.raises(ParameterValidationError, match="top_n"):
        ParameterValidator({"feature_ranking": pipeline}).validate_raw_params(raw)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("sample_size", 0, "sample_size"),
        ("selection", {"top_k": 0}, "top_k"),
        ("selection", {"top_k": "best"}, "top_k"),
        ("selection", {"near_unique_ratio": 1.5}, "near_unique_ratio"),
        ("auc_vs_k", {"model": "XGB"}, "auc_vs_k.model"),
        ("redundancy", {"threshold": 1.5}, "redundancy.threshold"),
        ("selection", {"always_keep": ["C1"], "never_keep": ["C1"]}, "never_keep"),
    ],
)
def test_bad_values_fail_parameter_validation_naming_the_key(key, value, message):
    pipeline = create_pipeline()
    raw = {
        **yaml.safe_load((_CONF / "parameters.yml").read_text()),
        **yaml.safe_load((_CONF / "parameters_feature_ranking.yml").read_text()),
    }
    raw["feature_ranking"][key] = value
    with pytest.raises(ParameterValidationError, match=message):
        ParameterValidator({"feature_ranking": pipeline}).validate_raw_params(raw)


def test_schema_checks_run_first_in_train():
    """`kedro run --pipeline=train` fails on a bad selection before ingestion."""
    order = [node.name for node in register_pipelines()["train"].nodes]
    assert order.index("feature_ranking.check_feature_ranking_params_node") < (
        order.index("ingestion.split_logs_node")
    )
