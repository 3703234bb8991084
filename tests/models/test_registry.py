"""The registry: one registration per model, everything else derived, no torch."""

import subprocess
import sys
import typing

import pytest
from pydantic import BaseModel
from torch import nn

from ctrflow.models import (
    BARS_NAMES,
    MODEL_NAMES,
    MODELS,
    FieldSpec,
    ModelConfig,
    ModelName,
    ModelsConfig,
    build_model,
    config_type,
    register,
)
from ctrflow.models.config import REGISTERED
from ctrflow.models.registry import default_parameters, model_class


def test_reading_parameters_imports_no_torch():
    """In a fresh interpreter: the registry, the configs and the package import no
    torch (and neither does validating a ``training.models`` block)."""
    code = (
        "import sys\n"
        "import ctrflow.models, ctrflow.models.configs, ctrflow.models.registry\n"
        "from ctrflow.models.registry import ModelsConfig\n"
        "ModelsConfig(DeepFM={'hidden_units': [8]})\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_names_literal_and_models_block_derive_from_the_registrations():
    assert MODEL_NAMES == tuple(REGISTERED) == tuple(MODELS)
    assert typing.get_args(ModelName) == MODEL_NAMES
    assert tuple(ModelsConfig.model_fields) == MODEL_NAMES
    defaults = ModelsConfig()
    for name in MODEL_NAMES:
        assert type(getattr(defaults, name)) is config_type(name)
        assert getattr(defaults, name) == config_type(name)()


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_each_registration_names_a_module_taking_spec_and_its_config(name):
    entry = MODELS[name]
    assert issubclass(entry.config, ModelConfig)
    assert entry.config.__module__ == "ctrflow.models.configs"
    cls = model_class(name)
    assert issubclass(cls, nn.Module)
    assert entry.model == f"{cls.__module__}.{cls.__qualname__}"


def test_bars_names_are_given_only_where_they_differ():
    assert dict(BARS_NAMES) == {
        "DNN": "YoutubeDNN",
        "WideDeep": "Wide&Deep",
        "DCNv2": "DCN-V2",
        "AutoIntPlus": "AutoInt+",
    }
    assert all(
        MODELS[name].bars_name == name for name in MODELS if name not in BARS_NAMES
    )


def test_a_name_registers_once():
    with pytest.raises(ValueError, match="registered twice"):

        @register("DeepFM", model="ctrflow.models.deepfm.DeepFM")
        class _Again(ModelConfig):
            pass

    with pytest.raises(ValueError, match="not a ModelConfig"):
        register("Plain", model="ctrflow.models.lr.LR")(BaseModel)
    assert "Plain" not in REGISTERED


def test_build_model_checks_the_name_and_the_config_type():
    spec = FieldSpec(10, 2, 0)
    with pytest.raises(KeyError, match="registered models"):
        build_model("DeepFMM", spec, ModelsConfig().DeepFM)
    with pytest.raises(TypeError, match="DeepFM takes a DeepFMConfig, got a LRConfig"):
        build_model("DeepFM", spec, ModelsConfig().LR)


def test_default_parameters_list_every_model_as_yaml_values():
    defaults = default_parameters()
    assert list(defaults) == list(MODEL_NAMES)
    assert defaults["DeepFM"]["hidden_units"] == [400, 400, 400]
    assert ModelsConfig(**defaults) == ModelsConfig()
