"""From the model name used in parameters to its config and its class.

Everything here derives from the registrations in ``ctrflow.models.configs`` (one
``@register`` per model): the names (``MODEL_NAMES``, the ``ModelName`` literal), the
``training.models`` block (``ModelsConfig``, one field per model defaulting to that
model's config), the BARS leaderboard names and ``build_model``. Torch-free: a model's
module (and torch) is imported only when ``build_model`` or ``model_class`` asks for
it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, create_model

from ctrflow.models import configs as _configs  # noqa: F401  (runs the registrations)
from ctrflow.models.config import REGISTERED, ModelConfig, Registration
from ctrflow.schema import FieldSpec, StrictParams

if TYPE_CHECKING:
    from torch import nn

# name -> registration, in registration order
MODELS: Mapping[str, Registration] = MappingProxyType(dict(REGISTERED))
MODEL_NAMES: tuple[str, ...] = tuple(MODELS)
ModelName = Literal[MODEL_NAMES]  # type: ignore[valid-type]

# ctrflow name -> the BARS leaderboard's ``Model`` column, where they differ
BARS_NAMES: Mapping[str, str] = MappingProxyType(
    {name: entry.bars_name for name, entry in MODELS.items() if entry.bars_name != name}
)

ModelsConfig: type[StrictParams] = create_model(
    "ModelsConfig",
    __base__=StrictParams,
    __doc__="Hyper-parameters of every registered model, one typed block each.",
    __module__=__name__,
    **{
        name: (entry.config, Field(default_factory=entry.config))
        for name, entry in MODELS.items()
    },
)


def _registration(name: str) -> Registration:
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r}; registered models: {sorted(MODELS)}")
    return MODELS[name]


def config_type(name: str) -> type[ModelConfig]:
    """The config class of a registered model.

    Raises:
        KeyError: ``name`` is not registered (the message lists the names).
    """
    return _registration(name).config


def model_class(name: str) -> type[nn.Module]:
    """The ``nn.Module`` class of a registered model, its module imported now.

    Raises:
        KeyError: ``name`` is not registered (the message lists the names).
    """
    module, _, attribute = _registration(name).model.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def build_model(name: str, spec: FieldSpec, config: ModelConfig) -> nn.Module:
    """Instantiate a registered model: ``Model(spec, config)``.

    Raises:
        KeyError: ``name`` is not registered (the message lists the names).
        TypeError: ``config`` is not that model's config class.
    """
    expected = config_type(name)
    if not isinstance(config, expected):
        raise TypeError(
            f"{name} takes a {expected.__name__}, got a {type(config).__name__}"
        )
    return model_class(name)(spec, config)


def default_parameters() -> dict[str, dict[str, Any]]:
    """Every model's defaults, as ``training.models`` would write them in YAML
    (``yaml.safe_dump(default_parameters())`` lists them all)."""
    return ModelsConfig().model_dump(mode="json")
