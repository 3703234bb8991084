"""The base of every model's config block: what all models share."""

from __future__ import annotations

from pydantic import Field

from ctrflow.schema import StrictParams


class ModelConfig(StrictParams):
    """Hyper-parameters every model has (BARS names).

    Attributes:
        embedding_regularizer: L2 on the embedding tables for this model
            (``lambda / 2 * ||W||^2``); ``None`` (the default) uses
            ``training.embedding_regularizer``. BARS tuned it per model, so a
            benchmark of several models sets it here.
    """

    embedding_regularizer: float | None = Field(None, ge=0)
