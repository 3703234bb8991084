"""Every module class in ctrflow.models documents itself (after TorchRec's
``test_code_quality``): an ``Example::`` (a doctest: pytest collects src/ctrflow)
and, for layers with constructor arguments, ``Args:``."""

import importlib
import inspect
import pkgutil

import pytest
from torch import nn

import ctrflow.models
from ctrflow.models.registry import MODEL_NAMES, model_class

CLASSES = sorted(
    {
        (cls.__module__, cls.__qualname__): cls
        for info in pkgutil.walk_packages(ctrflow.models.__path__, "ctrflow.models.")
        for _, cls in inspect.getmembers(
            importlib.import_module(info.name), inspect.isclass
        )
        if issubclass(cls, nn.Module)
        and cls.__module__.startswith("ctrflow.models")
        and not cls.__name__.startswith("_")
    }.items()
)


@pytest.mark.parametrize(
    ("name", "cls"), CLASSES, ids=[".".join(n) for n, _ in CLASSES]
)
def test_documented_with_example_and_args(name, cls):
    doc = inspect.getdoc(cls) or ""
    assert "Example::" in doc, f"{name} has no Example::"
    arguments = [
        parameter.name
        for parameter in list(inspect.signature(cls.__init__).parameters.values())[1:]
        if parameter.kind not in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD)
    ]
    is_model = arguments == ["spec", "config"]
    if arguments and not is_model:
        assert "Args:" in doc, f"{name} has no Args:"


def test_every_registered_model_is_checked():
    registered = {model_class(name) for name in MODEL_NAMES}
    assert registered <= {cls for _, cls in CLASSES}
