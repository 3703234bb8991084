"""Which models the benchmark pipeline is built for.

Kedro builds pipelines before it loads parameters, so the pipeline's shape (one
namespace per model) is read here, from the project's configuration, with the
same config loader and environment a run uses: ``conf/base`` + the environment
of ``kedro run --env`` (read from the click context) or ``$KEDRO_ENV``, plus the
run's ``--params``. The run itself checks the list it gets (``params:benchmark``)
against the one the pipeline was built for (``check_benchmark_models``), so a
difference fails before any model trains.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path

import click
from kedro.config import OmegaConfigLoader
from kedro.utils import find_kedro_project

from ctrflow.params import BenchmarkParams

logger = logging.getLogger(__name__)


def configured_models(project_path: Path | None = None) -> list[str]:
    """``benchmark.models`` as the coming run will see it.

    Args:
        project_path: the Kedro project; default: the one holding the working
            directory, else this package's checkout.

    Returns:
        The model names, in order; every registered model when no project
        configuration can be found.
    """
    from ctrflow import settings  # noqa: PLC0415  (Kedro settings, no import cost)

    env, runtime_params = _cli_env_and_params()
    project = project_path or find_kedro_project(Path.cwd()) or _checkout()
    conf = project / "conf" if project else None
    if conf is None or not (conf / "base").is_dir():
        logger.debug("no project conf found: benchmarking every registered model")
        return list(BenchmarkParams().models)
    with warnings.catch_warnings():
        # Kedro's own resolver registration warns on each new loader (omegaconf)
        warnings.filterwarnings("ignore", "register_new_resolver", UserWarning)
        loader = OmegaConfigLoader(
            str(conf),
            env=env or os.environ.get("KEDRO_ENV"),
            runtime_params=runtime_params,
            **settings.CONFIG_LOADER_ARGS,
        )
        parameters = loader["parameters"]
    return list(BenchmarkParams(**parameters.get("benchmark", {})).models)


def _cli_env_and_params() -> tuple[str | None, dict | None]:
    """``--env`` and ``--params`` of the ``kedro run`` command being run, if any."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return None, None
    return ctx.params.get("env"), ctx.params.get("params") or None


def _checkout() -> Path | None:
    """The source checkout this package is installed from (editable install)."""
    root = Path(__file__).resolve().parents[4]
    return root if (root / "pyproject.toml").is_file() else None
