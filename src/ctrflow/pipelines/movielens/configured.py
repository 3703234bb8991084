"""Whether the coming run prepares MovieLens (its environment has a ``movielens``
parameters block, as ``conf/movielens`` does).

Kedro builds pipelines before it loads parameters, so this reads the project's
parameter files (:mod:`ctrflow.pipelines.planned_parameters`): ``conf/base`` + the environment
of ``kedro run --env`` or ``$KEDRO_ENV``.
"""

from __future__ import annotations

from pathlib import Path

from ctrflow.pipelines.planned_parameters import planned_parameters


def movielens_configured(project_path: Path | None = None) -> bool:
    """``True`` when the run's parameters hold a ``movielens`` block.

    Args:
        project_path: the Kedro project; default: the one holding the working
            directory, else this package's checkout.
    """
    return "movielens" in planned_parameters(project_path)
