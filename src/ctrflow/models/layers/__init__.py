"""Building blocks shared by the CTR models (notation: B batch, F fields, D dim).

One module per family, following FuxiCTR's taxonomy: ``embedding`` (one table with
per-field offsets), ``mlp``, ``fm``, ``inner_product`` (IPNN, DLRM), ``cross``
(DCN, DCN-V2, FCN), ``cin`` (xDeepFM), ``attention`` (AutoInt, DIN), ``bilinear``
(FiBiNET), ``gating`` (FinalMLP), ``final_block`` (FinalNet), ``conv`` (FGCNN).
"""

from ctrflow.models.layers.attention import (
    Dice,
    MultiHeadSelfAttention,
    TargetAttention,
)
from ctrflow.models.layers.bilinear import BilinearInteraction, SqueezeExcitation
from ctrflow.models.layers.cin import CompressedInteractionNet
from ctrflow.models.layers.conv import FeatureGeneration
from ctrflow.models.layers.cross import (
    CrossNet,
    CrossNetMix,
    CrossNetV2,
    ExponentialCrossNetwork,
    LinearCrossNetwork,
)
from ctrflow.models.layers.dropout import Dropout
from ctrflow.models.layers.embedding import FeatureEmbedding, FieldSpec, SequenceSpec
from ctrflow.models.layers.final_block import (
    FactorizedInteraction,
    FieldGate,
    FinalBlock,
)
from ctrflow.models.layers.fm import FMInteraction, LinearTerm
from ctrflow.models.layers.gating import FeatureGate, InteractionAggregation
from ctrflow.models.layers.inner_product import InnerProductInteraction
from ctrflow.models.layers.mlp import MLP, xavier_init_

__all__ = [
    "MLP",
    "Dropout",
    "BilinearInteraction",
    "CompressedInteractionNet",
    "CrossNet",
    "CrossNetMix",
    "CrossNetV2",
    "Dice",
    "ExponentialCrossNetwork",
    "FMInteraction",
    "FactorizedInteraction",
    "FeatureEmbedding",
    "FeatureGate",
    "FeatureGeneration",
    "FieldGate",
    "FieldSpec",
    "FinalBlock",
    "InnerProductInteraction",
    "InteractionAggregation",
    "LinearCrossNetwork",
    "LinearTerm",
    "MultiHeadSelfAttention",
    "SequenceSpec",
    "SqueezeExcitation",
    "TargetAttention",
    "xavier_init_",
]
