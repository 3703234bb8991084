"""Every model's hyper-parameters, and its one registration.

Torch-free (pydantic only): reading or validating parameters never imports torch.
Each class is a model's ``training.models.<name>`` block with BARS names; its field
defaults are the one source of that model's defaults (``conf/base`` repeats none of
them; ``ctrflow.models.registry.default_parameters()`` lists them all). The
decorator registers the class under its parameter name with the dotted path of the
``nn.Module`` it configures (imported when the model is built) and, where it
differs, the model's name in the BARS leaderboard. Registration order is the order
of ``ModelName`` and of ``training.models``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PositiveInt, model_validator

from ctrflow.models.config import ModelConfig, register

# FiBiNET's bilinear layer: one W shared by all pairs, one per field, one per pair
BilinearType = Literal["field_all", "field_each", "field_interaction"]
# FinalNet's normalisation inside a block: batch norm, layer norm or none
NormType = Literal["BN", "LN", "none"]


@register("LR", model="ctrflow.models.lr.LR")
class LRConfig(ModelConfig):
    """LR has no hyper-parameters of its own."""


@register("FM", model="ctrflow.models.fm.FM")
class FMConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned FM (``FM_frappe_x1``,
    test AUC 0.9671). BARS tuned ``regularizer: 5e-6`` there:
    ``embedding_regularizer: 5.0e-6`` in ``conf/frappe``."""

    embedding_dim: int = Field(10, ge=1)


@register("DNN", model="ctrflow.models.dnn.DNN", bars_name="YoutubeDNN")
class DNNConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned DNN (``DNN_frappe_x1``,
    test AUC 0.9833; ``embedding_regularizer: 0.05``)."""

    embedding_dim: int = Field(10, ge=1)
    hidden_units: list[PositiveInt] = Field(default_factory=lambda: [400, 400, 400])
    net_dropout: float = Field(0.2, ge=0, lt=1)
    batch_norm: bool = True


@register("WideDeep", model="ctrflow.models.widedeep.WideDeep", bars_name="Wide&Deep")
class WideDeepConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned Wide&Deep
    (``WideDeep_frappe_x1``, test AUC 0.9841; ``embedding_regularizer: 0.1``)."""

    embedding_dim: int = Field(10, ge=1)
    hidden_units: list[PositiveInt] = Field(default_factory=lambda: [400, 400, 400])
    net_dropout: float = Field(0.6, ge=0, lt=1)
    batch_norm: bool = True


@register("DeepFM", model="ctrflow.models.deepfm.DeepFM")
class DeepFMConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned DeepFM."""

    embedding_dim: int = Field(10, ge=1)
    hidden_units: list[PositiveInt] = Field(default_factory=lambda: [400, 400, 400])
    net_dropout: float = Field(0.2, ge=0, lt=1)
    batch_norm: bool = True


@register("DCN", model="ctrflow.models.dcn.DCN")
class DCNConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned DCN (``DCN_frappe_x1``,
    test AUC 0.9839; ``embedding_regularizer: 0.05``). FuxiCTR 1.1 called
    ``num_cross_layers`` ``crossing_layers``. ``dnn_hidden_units: []`` gives the
    cross network alone (BARS' ``CrossNet``)."""

    embedding_dim: int = Field(10, ge=1)
    dnn_hidden_units: list[PositiveInt] = Field(default_factory=lambda: [400, 400, 400])
    num_cross_layers: int = Field(3, ge=1)
    net_dropout: float = Field(0.2, ge=0, lt=1)
    batch_norm: bool = True


@register("DCNv2", model="ctrflow.models.dcnv2.DCNv2", bars_name="DCN-V2")
class DCNv2Config(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned DCN-V2 (``DCNv2_frappe_x1``,
    test AUC 0.9845; ``embedding_regularizer: 0.05``).

    ``model_structure``: ``crossnet_only`` (BARS' CrossNet-V2), ``stacked`` (MLP on
    the cross output), ``parallel`` (cross and MLP side by side) or
    ``stacked_parallel`` (both MLPs). ``use_low_rank_mixture`` swaps the full-rank
    cross for ``num_experts`` rank-``low_rank`` experts.
    """

    embedding_dim: int = Field(10, ge=1)
    model_structure: Literal[
        "crossnet_only", "stacked", "parallel", "stacked_parallel"
    ] = "parallel"
    use_low_rank_mixture: bool = False
    low_rank: int = Field(32, ge=1)
    num_experts: int = Field(4, ge=1)
    num_cross_layers: int = Field(4, ge=1)
    stacked_dnn_hidden_units: list[PositiveInt] = Field(
        default_factory=lambda: [500, 500, 500], min_length=1
    )
    parallel_dnn_hidden_units: list[PositiveInt] = Field(
        default_factory=lambda: [400, 400, 400], min_length=1
    )
    net_dropout: float = Field(0.4, ge=0, lt=1)
    batch_norm: bool = True


@register("xDeepFM", model="ctrflow.models.xdeepfm.xDeepFM")
class xDeepFMConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned xDeepFM
    (``xDeepFM_frappe_x1``, test AUC 0.9845; ``embedding_regularizer: 0.1``).
    FuxiCTR 1.1 called ``cin_hidden_units`` ``cin_layer_units``;
    ``dnn_hidden_units: []`` gives LR + CIN (BARS' ``CIN``)."""

    embedding_dim: int = Field(10, ge=1)
    dnn_hidden_units: list[PositiveInt] = Field(default_factory=lambda: [400, 400, 400])
    cin_hidden_units: list[PositiveInt] = Field(
        default_factory=lambda: [64], min_length=1
    )
    net_dropout: float = Field(0.2, ge=0, lt=1)
    batch_norm: bool = True


@register(
    "AutoIntPlus", model="ctrflow.models.autoint.AutoIntPlus", bars_name="AutoInt+"
)
class AutoIntPlusConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned AutoInt+
    (``AutoInt+_frappe_x1``, test AUC 0.9848; ``embedding_regularizer: 0.1``).
    ``dnn_hidden_units: []`` gives plain AutoInt; ``net_dropout`` drops both the
    attention weights and the MLP's units, as in FuxiCTR."""

    embedding_dim: int = Field(10, ge=1)
    dnn_hidden_units: list[PositiveInt] = Field(default_factory=lambda: [400, 400, 400])
    attention_layers: int = Field(5, ge=1)
    attention_dim: int = Field(128, ge=1)
    num_heads: int = Field(4, ge=1)
    use_scale: bool = True
    use_residual: bool = True
    layer_norm: bool = True
    use_wide: bool = False
    net_dropout: float = Field(0.1, ge=0, lt=1)
    batch_norm: bool = True

    @model_validator(mode="after")
    def _heads_divide_attention_dim(self) -> AutoIntPlusConfig:
        if self.attention_dim % self.num_heads:
            raise ValueError(
                f"attention_dim {self.attention_dim} must be a multiple of "
                f"num_heads {self.num_heads}"
            )
        return self


@register("FiBiNET", model="ctrflow.models.fibinet.FiBiNET")
class FiBiNETConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned FiBiNET
    (``FiBiNET_frappe_x1``, test AUC 0.9832; ``embedding_regularizer: 0.05``)."""

    embedding_dim: int = Field(10, ge=1)
    hidden_units: list[PositiveInt] = Field(default_factory=lambda: [400, 400, 400])
    reduction_ratio: float = Field(2, gt=0)
    bilinear_type: BilinearType = "field_all"
    net_dropout: float = Field(0.3, ge=0, lt=1)
    batch_norm: bool = True


@register("IPNN", model="ctrflow.models.ipnn.IPNN")
class IPNNConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned IPNN (``IPNN_frappe_x1``,
    test AUC 0.9841; ``embedding_regularizer: 0.05``)."""

    embedding_dim: int = Field(10, ge=1)
    hidden_units: list[PositiveInt] = Field(default_factory=lambda: [400, 400, 400])
    net_dropout: float = Field(0.3, ge=0, lt=1)
    batch_norm: bool = False


@register("DLRM", model="ctrflow.models.dlrm.DLRM")
class DLRMConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned DLRM (``DLRM_frappe_x1``,
    test AUC 0.9840; ``embedding_regularizer: 0.1``), which chose
    ``interaction_op: cat`` and no bottom MLP (Frappe has no numerics).

    ``bottom_mlp_units: []`` embeds each numeric field as a scaled vector like the
    other models; otherwise an MLP maps all numerics to one D-wide vector.
    """

    embedding_dim: int = Field(10, ge=1)
    interaction_op: Literal["dot", "cat"] = "cat"
    bottom_mlp_units: list[PositiveInt] = Field(default_factory=list)
    bottom_mlp_dropout: float = Field(0.0, ge=0, lt=1)
    top_mlp_units: list[PositiveInt] = Field(default_factory=lambda: [400, 400, 400])
    top_mlp_dropout: float = Field(0.4, ge=0, lt=1)
    batch_norm: bool = True


@register("FinalMLP", model="ctrflow.models.finalmlp.FinalMLP")
class FinalMLPConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned FinalMLP
    (``FinalMLP_frappe_x1``, run ``004_e1ab402f``, test AUC 0.9861;
    ``embedding_regularizer: 0.05``).

    BARS conditioned the two gates on the ``user`` and ``item`` embeddings
    (``fs1_context``, ``fs2_context``); the model does not see field names, so here
    both gates use a learned context vector (FuxiCTR's behaviour for an empty
    context list).
    """

    embedding_dim: int = Field(10, ge=1)
    mlp1_hidden_units: list[PositiveInt] = Field(
        default_factory=lambda: [400], min_length=1
    )
    mlp1_dropout: float = Field(0.4, ge=0, lt=1)
    mlp1_batch_norm: bool = True
    mlp2_hidden_units: list[PositiveInt] = Field(
        default_factory=lambda: [100], min_length=1
    )
    mlp2_dropout: float = Field(0.4, ge=0, lt=1)
    mlp2_batch_norm: bool = True
    use_fs: bool = True
    fs_hidden_units: list[PositiveInt] = Field(default_factory=lambda: [400])
    num_heads: int = Field(5, ge=1)

    @model_validator(mode="after")
    def _heads_divide_both_streams(self) -> FinalMLPConfig:
        widths = (self.mlp1_hidden_units[-1], self.mlp2_hidden_units[-1])
        if any(width % self.num_heads for width in widths):
            raise ValueError(
                f"num_heads {self.num_heads} must divide the last widths of "
                f"mlp1_hidden_units and mlp2_hidden_units {widths}"
            )
        return self


@register("FinalNet", model="ctrflow.models.finalnet.FinalNet")
class FinalNetConfig(ModelConfig):
    """BARS names; defaults are the BARS Frappe_x1 tuned FinalNet
    (``FinalNet_2B_frappe_x1``, run ``003_c3722b71``, test AUC 0.9857;
    ``embedding_regularizer: 0.1``).

    ``2B`` trains as FuxiCTR does: the averaged logit's BCE plus each block's BCE
    against the averaged prediction, held constant (self-distillation; the model
    returns both blocks' logits, ``ctrflow.training.loss`` adds the terms).
    """

    embedding_dim: int = Field(10, ge=1)
    block_type: Literal["1B", "2B"] = "2B"
    use_field_gate: bool = True
    block1_hidden_units: list[PositiveInt] = Field(
        default_factory=lambda: [400, 400], min_length=1
    )
    block1_dropout: float = Field(0.1, ge=0, lt=1)
    block2_hidden_units: list[PositiveInt] = Field(
        default_factory=lambda: [400], min_length=1
    )
    block2_dropout: float = Field(0.1, ge=0, lt=1)
    norm_type: NormType = "BN"

    @model_validator(mode="after")
    def _even_widths(self) -> FinalNetConfig:
        widths = [*self.block1_hidden_units, *self.block2_hidden_units]
        if any(width % 2 for width in widths):
            raise ValueError(
                f"block hidden units must be even (factorized halves): {widths}"
            )
        return self


@register("FCN", model="ctrflow.models.fcn.FCN")
class FCNConfig(ModelConfig):
    """FuxiCTR's DCNv3 names and defaults (``model_zoo/DCNv3``, as remembered: no
    BARS Frappe_x1 run exists) with BARS' x1 ``embedding_dim: 10``.

    ``tri_bce``: train with FCN's Tri-BCE loss, the averaged logit's BCE plus each
    branch's BCE weighted by how much worse that branch is (the model returns the
    branch logits, ``ctrflow.training.loss`` adds the terms), as FuxiCTR does. FuxiCTR's multi-head split (``num_heads``) is not implemented
    (one head).
    """

    embedding_dim: int = Field(10, ge=1)
    num_deep_cross_layers: int = Field(4, ge=1)
    num_shallow_cross_layers: int = Field(4, ge=1)
    deep_net_dropout: float = Field(0.1, ge=0, lt=1)
    shallow_net_dropout: float = Field(0.3, ge=0, lt=1)
    layer_norm: bool = True
    tri_bce: bool = True


@register("FGCNN", model="ctrflow.models.fgcnn.FGCNN")
class FGCNNConfig(ModelConfig):
    """FuxiCTR's FGCNN names and defaults (``FGCNN_default``, as remembered: no
    BARS Frappe_x1 run exists) with BARS' x1 ``embedding_dim: 10``. The
    4096-2048-1024-512 MLP is costly on CPU; shrink ``dnn_hidden_units`` for quick
    runs. ``share_embedding: false`` gives the generator its own embedding table.
    """

    embedding_dim: int = Field(10, ge=1)
    share_embedding: bool = False
    channels: list[PositiveInt] = Field(default_factory=lambda: [14, 16, 18, 20])
    kernel_heights: list[PositiveInt] = Field(default_factory=lambda: [7, 7, 7, 7])
    pooling_sizes: list[PositiveInt] = Field(default_factory=lambda: [2, 2, 2, 2])
    recombined_channels: list[PositiveInt] = Field(default_factory=lambda: [2, 2, 2, 2])
    conv_batch_norm: bool = True
    dnn_hidden_units: list[PositiveInt] = Field(
        default_factory=lambda: [4096, 2048, 1024, 512]
    )
    net_dropout: float = Field(0.0, ge=0, lt=1)
    dnn_batch_norm: bool = False

    @model_validator(mode="after")
    def _stages_match(self) -> FGCNNConfig:
        lengths = {
            len(self.channels),
            len(self.kernel_heights),
            len(self.pooling_sizes),
            len(self.recombined_channels),
        }
        if len(lengths) != 1:
            raise ValueError(
                "channels, kernel_heights, pooling_sizes and recombined_channels "
                "must have the same length (one entry per convolution stage)"
            )
        return self


@register("DIN", model="ctrflow.models.din.DIN")
class DINConfig(ModelConfig):
    """BARS / FuxiCTR names; defaults after FuxiCTR's ``DIN_default``.

    Attributes:
        embedding_dim: D, shared by the fields and the sequence items.
        attention_hidden_units: hidden layers of the local activation unit.
        attention_hidden_activations: ``Dice`` (the paper's) or ``ReLU``.
        din_use_softmax: normalise the attention weights over the sequence
            (the paper does not).
        dnn_hidden_units: the MLP over all field embeddings and pooled sequences.
        net_dropout: dropout after each MLP hidden layer.
        batch_norm: batch-normalise each MLP hidden layer.
    """

    embedding_dim: int = Field(10, ge=1)
    attention_hidden_units: list[int] = Field(default_factory=lambda: [64])
    attention_hidden_activations: Literal["Dice", "ReLU"] = "Dice"
    din_use_softmax: bool = False
    dnn_hidden_units: list[int] = Field(default_factory=lambda: [512, 128, 64])
    net_dropout: float = Field(0.0, ge=0, lt=1)
    batch_norm: bool = False
