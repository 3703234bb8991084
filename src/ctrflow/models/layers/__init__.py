"""Building blocks shared by the CTR models (notation: B batch, F fields, D dim)."""

from ctrflow.models.layers.embedding import FeatureEmbedding, FieldSpec
from ctrflow.models.layers.fm import FMInteraction, LinearTerm
from ctrflow.models.layers.mlp import MLP

__all__ = ["MLP", "FMInteraction", "FeatureEmbedding", "FieldSpec", "LinearTerm"]
