"""The benchmark's parameters."""

from __future__ import annotations

from pydantic import Field, model_validator

from ctrflow.models.registry import BARS_NAMES, ModelName
from ctrflow.schema import StrictParams

SELECT_MODELS = (
    "the benchmark has one Kedro namespace per registered model; choose the models "
    "with Kedro's tags, e.g. `kedro run --pipeline=benchmark --tags DeepFM,DCN` "
    "(those two, then the leaderboard), and drop benchmark.models from "
    "conf/<env>/parameters_benchmark.yml"
)


class BenchmarkParams(StrictParams):
    """Several models trained and evaluated side by side (``--pipeline=benchmark``).

    Which models run is not a parameter: the pipeline has one namespace per
    registered model, and ``kedro run --tags <model>,...`` selects some of them
    (``docs/pipelines/benchmark.md``).

    Attributes:
        bars_names: the name of a model in the BARS leaderboard table where it
            differs from ours; other models are looked up under their own name.
    """

    bars_names: dict[ModelName, str] = Field(default_factory=lambda: dict(BARS_NAMES))

    @model_validator(mode="before")
    @classmethod
    def _models_are_chosen_by_tags(cls, data: object) -> object:
        """``benchmark.models`` (the old way to choose models) says where it went."""
        if isinstance(data, dict) and "models" in data:
            raise ValueError(f"benchmark.models is no longer read: {SELECT_MODELS}")
        return data
