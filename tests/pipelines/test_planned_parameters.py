"""Reading the run's parameters at pipeline-build time must not disturb the run."""

from pathlib import Path

from kedro.config import OmegaConfigLoader

from ctrflow import settings
from ctrflow.pipelines.benchmark.model_list import configured_models
from ctrflow.pipelines.movielens.configured import movielens_configured
from ctrflow.pipelines.planned_parameters import planned_parameters

PROJECT = Path(__file__).resolve().parents[2]


def test_building_pipelines_leaves_the_runs_globals_alone(monkeypatch):
    # A Python-started run (KedroSession, no click context, no KEDRO_ENV) of --env frappe:
    # its catalog must keep resolving to frappe's data_root after pipelines are built.
    monkeypatch.delenv("KEDRO_ENV", raising=False)
    loader = OmegaConfigLoader(
        str(PROJECT / "conf"), env="frappe", **settings.CONFIG_LOADER_ARGS
    )
    assert loader["catalog"]["metrics"]["filepath"].startswith("data/frappe/")
    configured_models(PROJECT)
    movielens_configured(PROJECT)
    assert loader["catalog"]["metrics"]["filepath"].startswith("data/frappe/")


def test_environment_replaces_top_level_blocks(monkeypatch):
    monkeypatch.setenv("KEDRO_ENV", "movielens")
    assert movielens_configured(PROJECT)
    monkeypatch.setenv("KEDRO_ENV", "frappe")
    assert not movielens_configured(PROJECT)
    assert "user" in planned_parameters(PROJECT)["schema"]["categorical"]
