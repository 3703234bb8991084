"""conf/*/parameters_training.yml: the pydantic models hold the defaults, conf/base
shows some of them unchanged, an environment writes only what it changes."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from ctrflow import settings
from ctrflow.training.params import TrainingParams

CONF = Path(__file__).resolve().parents[2] / "conf"
ENVIRONMENTS = sorted(
    path.parent.name
    for path in CONF.glob("*/parameters_training.yml")
    if path.parent.name != "base"
)
DEFAULTS = TrainingParams().model_dump(mode="json")


def _written(env: str) -> dict[str, Any]:
    """The ``training`` block written in ``conf/<env>`` (empty when none is)."""
    path = CONF / env / "parameters_training.yml"
    return yaml.safe_load(path.read_text())["training"] if path.exists() else {}


def _leaves(block: dict[str, Any], path: str = "training"):
    """``(path, value)`` of every value written in a block, mappings walked."""
    for key, value in block.items():
        if isinstance(value, dict):
            yield from _leaves(value, f"{path}.{key}")
        else:
            yield f"{path}.{key}", value


def _default(path: str) -> Any:
    value: Any = {"training": DEFAULTS}
    for key in path.split("."):
        value = value[key]
    return value


def test_base_writes_the_code_defaults():
    written = dict(_leaves(_written("base")))
    assert written  # the usual knobs are shown
    assert {path: _default(path) for path in written} == written


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_an_environment_writes_only_what_it_changes(env):
    same = [path for path, value in _leaves(_written(env)) if value == _default(path)]
    assert same == []


@pytest.mark.parametrize("env", ["local", *ENVIRONMENTS])
def test_the_merged_parameters_validate(env):
    loader = settings.CONFIG_LOADER_CLASS(
        str(CONF), env=env, **settings.CONFIG_LOADER_ARGS
    )
    params = TrainingParams.model_validate(loader["parameters"]["training"])
    merged_values = params.model_dump(mode="json")
    for path, value in _leaves(_written(env)):  # each written value is the merged one
        merged: Any = merged_values
        for key in path.split(".")[1:]:
            merged = merged[key]
        assert merged == value, path


def test_frappe_trains_each_model_with_its_bars_regularizer():
    loader = settings.CONFIG_LOADER_CLASS(
        str(CONF), env="frappe", **settings.CONFIG_LOADER_ARGS
    )
    params = TrainingParams.model_validate(loader["parameters"]["training"])
    assert params.models.DeepFM.embedding_regularizer == 0.05
    assert params.models.DeepFM.hidden_units == [400, 400, 400]  # the default
    assert params.models.FGCNN.embedding_regularizer is None  # training-level
    assert params.batch_size == "auto"  # from base
