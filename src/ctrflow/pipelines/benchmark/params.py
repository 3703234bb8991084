"""The benchmark's parameters."""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from ctrflow.models.registry import BARS_NAMES, ModelName
from ctrflow.schema import StrictParams


class BenchmarkParams(StrictParams):
    """Several models trained and evaluated side by side (``--pipeline=benchmark``).

    Attributes:
        models: the registered models to train, one Kedro namespace each (a
            list, or a space-separated string for ``--params``). The pipeline's shape is read from
            ``conf/base`` + ``conf/<env>`` when Kedro builds it (see
            ``docs/pipelines/benchmark.md``); the run checks this list against it.
        bars_names: the name of a model in the BARS leaderboard table where it
            differs from ours; other models are looked up under their own name.
    """

    models: list[ModelName] = Field(
        default_factory=lambda: list(ModelName.__args__)  # type: ignore[attr-defined]
    )
    bars_names: dict[ModelName, str] = Field(default_factory=lambda: dict(BARS_NAMES))

    @field_validator("models", mode="before")
    @classmethod
    def _split_a_string(cls, value: object) -> object:
        """``"LR FM DeepFM"`` is a list too: ``kedro run --params`` splits on
        commas, so a list cannot be passed there, a space-separated string can."""
        return value.split() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _models_listed_once(self) -> BenchmarkParams:
        if not self.models:
            raise ValueError("benchmark.models is empty: name at least one model")
        twice = sorted({m for m in self.models if self.models.count(m) > 1})
        if twice:
            raise ValueError(f"benchmark.models lists {twice} more than once")
        return self
