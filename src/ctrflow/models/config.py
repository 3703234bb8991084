"""The base of every model's config block, and the one registration of a model.

A leaf: pydantic only, no torch. ``ctrflow.models.configs`` declares every model's
config class with ``@register``; ``ctrflow.models.registry`` derives the names, the
``training.models`` block and ``build_model`` from what was registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

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


@dataclass(frozen=True)
class Registration:
    """One registered model.

    Attributes:
        name: the name used in parameters (``training.model``) and artifacts.
        config: its typed hyper-parameters, a ``ModelConfig`` subclass.
        model: dotted path of its ``nn.Module`` class (``module.Class``), imported
            only when a model is built, so reading parameters never imports torch.
        bars_name: its name in the BARS leaderboard's ``Model`` column.
    """

    name: str
    config: type[ModelConfig]
    model: str
    bars_name: str


# name -> registration, in registration order (the order of ``training.models``)
REGISTERED: dict[str, Registration] = {}

_Config = TypeVar("_Config", bound=type[ModelConfig])


def register(
    name: str, *, model: str, bars_name: str | None = None
) -> Callable[[_Config], _Config]:
    """Class decorator registering a model's config under ``name``.

    Args:
        name: the parameter name, e.g. ``"DeepFM"``.
        model: dotted path of the ``nn.Module``, e.g. ``"ctrflow.models.deepfm.DeepFM"``;
            it is built as ``Model(spec, config)``.
        bars_name: the BARS leaderboard's name where it differs from ``name``.

    Raises:
        ValueError: ``name`` is registered already, or the class is not a
            ``ModelConfig``.
    """

    def decorate(config: _Config) -> _Config:
        if not (isinstance(config, type) and issubclass(config, ModelConfig)):
            raise ValueError(f"{name}: {config!r} is not a ModelConfig subclass")
        if name in REGISTERED:
            raise ValueError(
                f"model {name!r} is registered twice "
                f"({REGISTERED[name].config.__qualname__} and {config.__qualname__})"
            )
        REGISTERED[name] = Registration(name, config, model, bars_name or name)
        return config

    return decorate
