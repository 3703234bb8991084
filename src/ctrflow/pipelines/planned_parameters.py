"""The parameters the coming run will see, read before Kedro loads them.

Kedro builds pipelines before it loads parameters, yet two shapes depend on them:
the benchmark's namespaces (``benchmark.models``) and the MovieLens pre-step (an
environment with a ``movielens`` block). This reads the parameter files as plain
YAML (``conf/base``, then the environment of ``kedro run --env`` or ``$KEDRO_ENV``
replacing top-level keys, then the run's ``--params``), without creating a config
loader: a second ``OmegaConfigLoader`` would re-register the process-wide
``globals`` resolver for its own environment and so send the real run's outputs to
the wrong ``data_root``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
import yaml
from kedro.utils import find_kedro_project


def planned_parameters(project_path: Path | None = None) -> dict[str, Any]:
    """Top-level parameter blocks as the coming run will see them (unresolved).

    Args:
        project_path: the Kedro project; default: the one holding the working
            directory, else this package's checkout.

    Returns:
        ``{}`` when no project configuration can be found.
    """
    env, runtime_params = _cli_env_and_params()
    env = env or os.environ.get("KEDRO_ENV") or "local"
    project = project_path or find_kedro_project(Path.cwd()) or _checkout()
    conf = project / "conf" if project else None
    if conf is None or not (conf / "base").is_dir():
        return {}
    parameters: dict[str, Any] = {}
    for folder in (conf / "base", conf / env):
        blocks: dict[str, Any] = {}
        for path in sorted(folder.glob("parameters*.yml")):
            blocks.update(yaml.safe_load(path.read_text()) or {})
        parameters.update(blocks)  # an environment replaces whole top-level blocks
    return _merge(parameters, runtime_params or {})


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for dotted, value in override.items():
        head, _, rest = dotted.partition(".")  # "benchmark.models" as a flat key
        block = {rest: value} if rest else value
        if isinstance(block, dict) and isinstance(merged.get(head), dict):
            merged[head] = _merge(merged[head], block)
        else:
            merged[head] = block
    return merged


def _cli_env_and_params() -> tuple[str | None, dict | None]:
    """``--env`` and ``--params`` of the ``kedro run`` command being run, if any."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return None, None
    return ctx.params.get("env"), ctx.params.get("params") or None


def _checkout() -> Path | None:
    """The source checkout this package is installed from (editable install)."""
    root = Path(__file__).resolve().parents[3]
    return root if (root / "pyproject.toml").is_file() else None
