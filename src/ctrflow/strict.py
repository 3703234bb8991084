"""Base class for typed configuration blocks."""

from pydantic import BaseModel, ConfigDict


class StrictParams(BaseModel):
    """A parameter block: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)
