"""The error block of the project's `kedro run` (ctrflow.cli), on Kedro's own
parameter validation messages and on errors with where they happened."""

from __future__ import annotations

import logging

import pytest
from kedro.io import DatasetError
from kedro.validation.exceptions import ParameterValidationError
from kedro.validation.parameter_validator import ParameterValidator

from ctrflow.cli import (
    format_error,
    parameter_keys,
    readable_parameter_error,
    start_log_file,
    stop_log_file,
)
from ctrflow.hooks import Step
from ctrflow.ingestion.params import IngestionParams
from ctrflow.training.params import TrainingParams


def _kedro_validation_error(parameters: dict) -> ParameterValidationError:
    """The error Kedro raises before any node runs (its validator, our models)."""
    validator = ParameterValidator({})
    requirements = {"training": TrainingParams, "ingestion": IngestionParams}
    with pytest.raises(ParameterValidationError) as caught:
        validator._apply_validation(parameters, requirements)
    return caught.value


def test_parameter_error_block_names_each_key_and_where_to_set_it():
    error = _kedro_validation_error(
        {"training": {"learning_rate": 0, "max_epochs": 0}, "ingestion": {}}
    )
    assert parameter_keys(str(error)) == [
        "training.max_epochs",
        "training.learning_rate",
    ]
    block = format_error(error, None, "logs/ctrflow.log")
    lines = block.splitlines()
    assert lines[1] == "kedro run failed: ParameterValidationError"
    assert (
        "  what   parameters 'training' (TrainingParams): 2 validation errors" in lines
    )
    assert "           Input should be greater than or equal to 1 (got 0)" in lines
    assert "  where  parameters (no node ran)" in lines
    # a value that fits no form of `int | 'auto'` names the key, not the forms
    union = _kedro_validation_error({"training": {"batch_size": 0}, "ingestion": {}})
    assert parameter_keys(str(union)) == ["training.batch_size"]
    assert "constrained-int" not in format_error(union, None, "logs/ctrflow.log")
    assert any(
        line.startswith(
            "  do     set training.max_epochs in conf/<env>/parameters_training.yml"
        )
        for line in lines
    )
    assert "pydantic.dev" not in block and "[type=" not in block


def test_parameter_error_of_a_nested_block_points_at_it():
    error = _kedro_validation_error(
        {"training": {}, "ingestion": {"ratios": {"train": 0.9}}}
    )
    assert parameter_keys(str(error)) == ["ingestion.ratios"]
    what = readable_parameter_error(str(error))
    assert "split ratios must sum to 1" in what
    assert "input_value" not in what


def test_unknown_key_error_keeps_the_hint_and_drops_the_long_input():
    error = _kedro_validation_error({"training": {"modle": "DeepFM"}, "ingestion": {}})
    block = format_error(error, None, None)
    assert "unknown key 'modle' (did you mean 'model'?)" in block
    assert "set training.<key> in conf/<env>/parameters_training.yml" in block
    assert "{'modle'" not in block
    assert "  log " not in block


def test_dataset_error_block_names_the_dataset_and_its_catalog_entry():
    error = DatasetError("Failed while loading data from dataset raw_logs: no file")
    block = format_error(
        error, Step("loading", "ingestion.split_logs_node", "raw_logs"), "x.log"
    )
    assert (
        "  where  node ingestion.split_logs_node, loading dataset 'raw_logs'" in block
    )
    assert "  do     check the catalog entry 'raw_logs' (conf/base/catalog.yml" in block
    assert "  log    x.log (the full traceback;" in block


def test_an_error_before_any_node_says_so():
    block = format_error(
        ValueError("Failed to find the pipeline named 'trian'."), None, None
    )
    assert "  where  before the pipeline started" in block


@pytest.fixture
def log_file_closed_after():
    yield
    stop_log_file()


def test_log_file_keeps_the_previous_runs(tmp_path, log_file_closed_after):
    first = start_log_file(tmp_path)
    logging.getLogger("ctrflow.test_cli").warning("first run")
    second = start_log_file(tmp_path)
    logging.getLogger("ctrflow.test_cli").warning("second run")
    assert first == second == tmp_path / "logs" / "ctrflow.log"
    assert "second run" in second.read_text() and "first run" not in second.read_text()
    assert "first run" in (tmp_path / "logs" / "ctrflow.log.1").read_text()
