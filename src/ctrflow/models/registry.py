"""From the model name used in parameters to its class and config."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from torch import nn

from ctrflow.models.autoint import AutoIntPlus, AutoIntPlusConfig
from ctrflow.models.config import ModelConfig
from ctrflow.models.dcn import DCN, DCNConfig
from ctrflow.models.dcnv2 import DCNv2, DCNv2Config
from ctrflow.models.deepfm import DeepFM, DeepFMConfig
from ctrflow.models.din import DIN, DINConfig
from ctrflow.models.dlrm import DLRM, DLRMConfig
from ctrflow.models.dnn import DNN, DNNConfig
from ctrflow.models.fcn import FCN, FCNConfig
from ctrflow.models.fgcnn import FGCNN, FGCNNConfig
from ctrflow.models.fibinet import FiBiNET, FiBiNETConfig
from ctrflow.models.finalmlp import FinalMLP, FinalMLPConfig
from ctrflow.models.finalnet import FinalNet, FinalNetConfig
from ctrflow.models.fm import FM, FMConfig
from ctrflow.models.ipnn import IPNN, IPNNConfig
from ctrflow.models.layers import FieldSpec
from ctrflow.models.lr import LR, LRConfig
from ctrflow.models.widedeep import WideDeep, WideDeepConfig
from ctrflow.models.xdeepfm import xDeepFM, xDeepFMConfig
from ctrflow.schema import StrictParams

ModelName = Literal[
    "LR",
    "FM",
    "DNN",
    "WideDeep",
    "DeepFM",
    "DCN",
    "DCNv2",
    "xDeepFM",
    "AutoIntPlus",
    "FiBiNET",
    "IPNN",
    "DLRM",
    "FinalMLP",
    "FinalNet",
    "FCN",
    "FGCNN",
    "DIN",
]

MODELS: dict[str, type[nn.Module]] = {
    "LR": LR,
    "FM": FM,
    "DNN": DNN,
    "WideDeep": WideDeep,
    "DeepFM": DeepFM,
    "DCN": DCN,
    "DCNv2": DCNv2,
    "xDeepFM": xDeepFM,
    "AutoIntPlus": AutoIntPlus,
    "FiBiNET": FiBiNET,
    "IPNN": IPNN,
    "DLRM": DLRM,
    "FinalMLP": FinalMLP,
    "FinalNet": FinalNet,
    "FCN": FCN,
    "FGCNN": FGCNN,
    "DIN": DIN,
}


class ModelsConfig(StrictParams):
    """Hyper-parameters of every registered model, one typed block each."""

    LR: LRConfig = Field(default_factory=LRConfig)
    FM: FMConfig = Field(default_factory=FMConfig)
    DNN: DNNConfig = Field(default_factory=DNNConfig)
    WideDeep: WideDeepConfig = Field(default_factory=WideDeepConfig)
    DeepFM: DeepFMConfig = Field(default_factory=DeepFMConfig)
    DCN: DCNConfig = Field(default_factory=DCNConfig)
    DCNv2: DCNv2Config = Field(default_factory=DCNv2Config)
    xDeepFM: xDeepFMConfig = Field(default_factory=xDeepFMConfig)
    AutoIntPlus: AutoIntPlusConfig = Field(default_factory=AutoIntPlusConfig)
    FiBiNET: FiBiNETConfig = Field(default_factory=FiBiNETConfig)
    IPNN: IPNNConfig = Field(default_factory=IPNNConfig)
    DLRM: DLRMConfig = Field(default_factory=DLRMConfig)
    FinalMLP: FinalMLPConfig = Field(default_factory=FinalMLPConfig)
    FinalNet: FinalNetConfig = Field(default_factory=FinalNetConfig)
    FCN: FCNConfig = Field(default_factory=FCNConfig)
    FGCNN: FGCNNConfig = Field(default_factory=FGCNNConfig)
    DIN: DINConfig = Field(default_factory=DINConfig)


def build_model(name: str, spec: FieldSpec, config: ModelConfig) -> nn.Module:
    """Instantiate a registered model.

    Raises:
        KeyError: ``name`` is not registered (the message lists the names).
    """
    if name not in MODELS:
        raise KeyError(f"unknown model {name!r}; registered models: {sorted(MODELS)}")
    return MODELS[name](spec, config)
