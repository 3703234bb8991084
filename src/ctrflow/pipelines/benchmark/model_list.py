"""Which models the benchmark pipeline is built for.

Kedro builds pipelines before it loads parameters, so the pipeline's shape (one
namespace per model) is read here, from the project's configuration, with the
environment a run uses (``ctrflow.pipelines.planned_parameters``): ``conf/base`` + the environment
of ``kedro run --env`` (read from the click context) or ``$KEDRO_ENV``, plus the
run's ``--params``. The run itself checks the list it gets (``params:benchmark``)
against the one the pipeline was built for (``check_benchmark_models``), so a
difference fails before any model trains.
"""

from __future__ import annotations

from pathlib import Path

from ctrflow.pipelines.benchmark.params import BenchmarkParams
from ctrflow.pipelines.planned_parameters import planned_parameters


def configured_models(project_path: Path | None = None) -> list[str]:
    """``benchmark.models`` as the coming run will see it.

    Args:
        project_path: the Kedro project; default: the one holding the working
            directory, else this package's checkout.

    Returns:
        The model names, in order; every registered model when no project
        configuration sets them.
    """
    block = planned_parameters(project_path).get("benchmark") or {}
    return list(BenchmarkParams(**block).models)
