"""Whether the coming run prepares MovieLens (its environment has a ``movielens``
parameters block, as ``conf/movielens`` does).

Kedro builds pipelines before it loads parameters, so this reads the project's
configuration the way the benchmark's model list does
(:mod:`ctrflow.pipelines.benchmark.model_list`): ``conf/base`` + the environment
of ``kedro run --env`` or ``$KEDRO_ENV``.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

from kedro.config import OmegaConfigLoader
from kedro.utils import find_kedro_project

from ctrflow.pipelines.benchmark.model_list import _checkout, _cli_env_and_params


def movielens_configured(project_path: Path | None = None) -> bool:
    """``True`` when the run's parameters hold a ``movielens`` block.

    Args:
        project_path: the Kedro project; default: the one holding the working
            directory, else this package's checkout.
    """
    from ctrflow import settings  # noqa: PLC0415  (Kedro settings, no import cost)

    env, runtime_params = _cli_env_and_params()
    project = project_path or find_kedro_project(Path.cwd()) or _checkout()
    conf = project / "conf" if project else None
    if conf is None or not (conf / "base").is_dir():
        return False
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "register_new_resolver", UserWarning)
        loader = OmegaConfigLoader(
            str(conf),
            env=env or os.environ.get("KEDRO_ENV"),
            runtime_params=runtime_params,
            **settings.CONFIG_LOADER_ARGS,
        )
        return "movielens" in loader["parameters"]
