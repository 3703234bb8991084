"""conf/: environments override single keys of conf/base (soft merge), conf/base's
values are the parameter models' defaults, each environment's schema stands alone, and
every catalog entry sits on its kedro-viz layer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from kedro.config import OmegaConfigLoader
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro.io.catalog_config_resolver import CatalogConfigResolver
from pydantic import BaseModel

from ctrflow import settings
from ctrflow.data_quality.params import DataQualityParams
from ctrflow.evaluation.params import EvaluationParams
from ctrflow.export.params import ExportParams
from ctrflow.feature_engineering.params import FeatureEngineeringParams
from ctrflow.feature_ranking.params import FeatureRankingParams
from ctrflow.ingestion.params import IngestionParams
from ctrflow.pipelines.benchmark.params import BenchmarkParams
from ctrflow.preprocessing.movielens import MovieLensParams
from ctrflow.schema import DatasetSchema
from ctrflow.scoring.params import ScoringParams
from ctrflow.training.params import TrainingParams

CONF = Path(__file__).resolve().parents[1] / "conf"
# Every parameter block -> the model that validates it and holds its defaults.
BLOCK_MODELS: dict[str, type[BaseModel]] = {
    "ingestion": IngestionParams,
    "data_quality": DataQualityParams,
    "feature_ranking": FeatureRankingParams,
    "feature_engineering": FeatureEngineeringParams,
    "training": TrainingParams,
    "evaluation": EvaluationParams,
    "benchmark": BenchmarkParams,
    "export": ExportParams,
    "movielens": MovieLensParams,
    "score": ScoringParams,
}
# Data, not defaults: no default to agree with, and an environment states it whole.
DATA_BLOCKS: dict[str, type[BaseModel]] = {"schema": DatasetSchema}
ENVIRONMENTS = sorted(p.name for p in CONF.iterdir() if p.is_dir() and p.name != "base")
# the data/ folder of each kedro-viz layer
FOLDER_LAYERS = {
    "01_raw": "raw",
    "02_intermediate": "intermediate",
    "04_feature": "feature",
    "05_model_input": "model_input",
    "06_models": "models",
    "07_model_output": "model_output",
    "08_reporting": "reporting",
}
# In 08_reporting but read by a later stage: on an earlier layer, since kedro-viz
# shows no layers when a later layer feeds an earlier one.
READ_BY_A_LATER_STAGE = {
    "quarantined_rows": "intermediate",
    "data_quality_report": "intermediate",
}


def _blocks(folder: Path) -> dict[str, Any]:
    """The top-level blocks written in ``folder``'s parameters*.yml, as YAML."""
    blocks: dict[str, Any] = {}
    for path in sorted(folder.glob("parameters*.yml")):
        blocks.update(yaml.safe_load(path.read_text()) or {})
    return blocks


def _parameters(conf: Path, env: str) -> dict[str, Any]:
    """Parameters as a run with ``--env env`` gets them (the project's loader)."""
    loader = settings.CONFIG_LOADER_CLASS(
        str(conf), env=env, **settings.CONFIG_LOADER_ARGS
    )
    return loader["parameters"]


def _differences(written: Any, value: Any, default: Any, path: str) -> list[str]:
    """``path: value != default`` for every value written (validated) that is not
    the default; a written mapping is walked key by key."""
    if (
        isinstance(written, dict)
        and isinstance(value, dict)
        and isinstance(default, dict)
    ):
        return [
            line
            for key in written
            for line in _differences(
                written[key],
                value.get(key),
                default.get(key, "<no default>"),
                f"{path}.{key}",
            )
        ]
    return [] if value == default else [f"{path}: {value!r} != default {default!r}"]


def test_parameters_merge_softly():
    assert settings.CONFIG_LOADER_CLASS is OmegaConfigLoader
    assert settings.CONFIG_LOADER_ARGS["merge_strategy"] == {"parameters": "soft"}


def test_an_environment_overriding_one_key_keeps_the_others(
    tmp_path, make_project_copy
):
    project = make_project_copy(tmp_path, demo_rows=None)
    (project / "conf" / "tiny").mkdir()
    (project / "conf" / "tiny" / "parameters_data_quality.yml").write_text(
        "data_quality:\n  min_rows: 5\n  drift:\n    max_psi: 0.3\n"
    )
    bootstrap_project(project)
    with KedroSession.create(project_path=project, env="tiny") as session:
        parameters = session.load_context().config_loader["parameters"]

    base = _blocks(CONF / "base")["data_quality"]
    assert parameters["data_quality"] == {
        **base,
        "min_rows": 5,
        "drift": {**base["drift"], "max_psi": 0.3},
    }
    assert parameters["data_quality"]["expectations"] == base["expectations"]
    assert parameters["data_quality"]["positive_rate"] == {"min": 0.0001, "max": 0.7}


def test_every_block_has_a_model():
    written = {
        block
        for folder in CONF.iterdir()
        if folder.is_dir()
        for block in _blocks(folder)
    }
    assert written <= BLOCK_MODELS.keys() | DATA_BLOCKS.keys()


@pytest.mark.parametrize(
    "block", sorted(_blocks(CONF / "base").keys() - DATA_BLOCKS.keys())
)
def test_base_values_are_the_model_defaults(block):
    """conf/base shows the knobs with the values the code would use anyway."""
    written = _blocks(CONF / "base")[block]
    model = BLOCK_MODELS[block]
    differences = _differences(
        written,
        model.model_validate(written).model_dump(mode="json"),
        model().model_dump(mode="json"),
        block,
    )
    assert differences == []


def test_the_walk_names_a_value_that_is_not_the_default():
    written = {"min_rows": 7, "drift": {"max_psi": 0.2}}
    validated = DataQualityParams.model_validate(written).model_dump(mode="json")
    default = DataQualityParams().model_dump(mode="json")
    assert _differences(written, validated, default, "data_quality") == [
        "data_quality.min_rows: 7 != default 100"
    ]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_environment_validates(env):
    parameters = _parameters(CONF, env)
    for block, value in parameters.items():
        {**BLOCK_MODELS, **DATA_BLOCKS}[block].model_validate(value)


@pytest.mark.parametrize(
    "env", [env for env in ENVIRONMENTS if "schema" in _blocks(CONF / env)]
)
def test_an_environment_schema_takes_nothing_from_base(env):
    """Soft merge would keep a key of base's (demo) schema an environment leaves
    out, e.g. its 13 numeric columns: every environment states its whole schema."""
    own = DatasetSchema.model_validate(_blocks(CONF / env)["schema"])
    merged = DatasetSchema.model_validate(_parameters(CONF, env)["schema"])
    assert merged == own
    assert set(_blocks(CONF / "base")["schema"]) <= set(_blocks(CONF / env)["schema"])


def _catalog(env: str) -> dict[str, Any]:
    """The catalog entries (and factories) a run with ``--env env`` gets."""
    loader = settings.CONFIG_LOADER_CLASS(
        str(CONF), env=env, **settings.CONFIG_LOADER_ARGS
    )
    return loader["catalog"]


def _layer(entry: dict[str, Any]) -> str | None:
    return entry.get("metadata", {}).get("kedro-viz", {}).get("layer")


def _folder_layer(name: str, entry: dict[str, Any], catalog: dict) -> str | None:
    """The layer of the data/0N_<layer> folder an entry writes to; a 09_benchmark
    entry takes the layer of its twin outside a namespace (``{name}.model`` ->
    ``model``), else reporting; ``None`` for an entry outside data/."""
    paths = [entry.get("filepath", ""), *entry.get("filepaths", {}).values()]
    folders = {part for path in paths for part in Path(path).parts}
    if "09_benchmark" in folders:
        twin = CatalogConfigResolver(catalog).resolve_pattern(name.split(".", 1)[-1])
        return _layer(twin) if "." in name and twin else "reporting"
    layers = {FOLDER_LAYERS[folder] for folder in folders if folder in FOLDER_LAYERS}
    assert len(layers) <= 1, (name, paths)
    return layers.pop() if layers else None


@pytest.mark.parametrize("env", ["base", *ENVIRONMENTS])
def test_every_catalog_entry_is_on_the_layer_of_its_folder(env, viz_layers):
    catalog = _catalog(env)
    for name, entry in catalog.items():
        assert _layer(entry) in viz_layers, f"{name}: metadata.kedro-viz.layer"
        expected = READ_BY_A_LATER_STAGE.get(name) or _folder_layer(
            name, entry, catalog
        )
        assert expected in (None, _layer(entry)), name


@pytest.mark.parametrize("env", ["base", *ENVIRONMENTS])
def test_no_node_writes_to_an_earlier_layer_than_it_reads(env, monkeypatch, viz_layers):
    """Else kedro-viz finds a cycle among the layers and shows none."""
    monkeypatch.setenv("KEDRO_ENV", env)
    bootstrap_project(CONF.parent)
    from ctrflow.pipeline_registry import register_pipelines  # noqa: PLC0415

    resolver = CatalogConfigResolver(_catalog(env))
    rank = {layer: index for index, layer in enumerate(viz_layers)}
    for pipeline_name, pipeline in register_pipelines().items():
        upstream: dict[str, set[str]] = {}  # dataset -> layers at or before it
        for node in pipeline.nodes:  # in topological order
            read = set().union(*(upstream.get(name, set()) for name in node.inputs))
            for output in node.outputs:
                layer = _layer(resolver.resolve_pattern(output))
                if layer is None:
                    upstream[output] = read
                    continue
                upstream[output] = {layer}
                earlier = [r for r in read if rank[r] > rank[layer]]
                assert not earlier, (
                    f"{pipeline_name}: {node.name} writes {output} ({layer}) from "
                    f"{earlier}"
                )
