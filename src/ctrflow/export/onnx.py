"""A trained model as an ONNX graph of plain tensors, beside its preprocessing spec.

The graph's inputs are what a server without Python can build from a raw row with
``preprocessing.json``: ``ids`` int64 ``[batch, Fc]`` (global ids: per-field
offset + local id), ``numerics`` float32 ``[batch, Fn]`` (transformed and
standardised) and, for a model with behaviour sequences, ``sequences`` int64
``[batch, S, L]``. Its output is ``logits`` float32 ``[batch]`` (before the
sigmoid: ``probability = 1 / (1 + exp(-logit))``), the same numbers as the torch
model's ``ModelOutput.logits``.

Torch's dynamo exporter (``torch.onnx.export(..., dynamo=True)``, through
``torch.export``) writes it; where it fails the TorchScript exporter is tried, and
the result says which one wrote the graph. The model is exported in eval mode
(dropout off, batch-norm on its running statistics; the fused CPU kernels of
``ctrflow.models.layers.fused_norm`` apply only in training).
"""

from __future__ import annotations

import copy
import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import torch
from torch import nn

from ctrflow.export.bundle import Exporter, OnnxExport
from ctrflow.export.params import ExportParams
from ctrflow.export.preprocessing import (
    MODEL_FILE,
    PREPROCESSING_FILE,
    input_specs,
    preprocessing_spec,
)
from ctrflow.models.batch import Batch
from ctrflow.training.artifact import ModelArtifact

logger = logging.getLogger(__name__)


class ExportError(RuntimeError):
    """Neither of torch's ONNX exporters could export the model."""


class PlainInputs(nn.Module):
    """A model taking plain tensors instead of a ``Batch``, returning its logits.

    Args:
        model: a registered model (``Batch -> ModelOutput``), in eval mode.
        sequences: the model reads behaviour sequences: ``forward`` takes them.

    Example::

        >>> from ctrflow.models import FieldSpec, build_model, config_type
        >>> model = build_model("LR", FieldSpec(10, 2, 1), config_type("LR")()).eval()
        >>> plain = PlainInputs(model, sequences=False)
        >>> plain(torch.ones(4, 2, dtype=torch.int64), torch.zeros(4, 1)).shape
        torch.Size([4])
    """

    def __init__(self, model: nn.Module, sequences: bool) -> None:
        super().__init__()
        self.model = model
        self.sequences = sequences

    def forward(
        self,
        ids: torch.Tensor,
        numerics: torch.Tensor,
        sequences: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Args: ids [B, Fc] int64, numerics [B, Fn] float32, sequences
        [B, S, L] int64 (only when built with ``sequences``). Returns logits [B]."""
        return self.model(Batch(ids, numerics, sequences=sequences)).logits


@dataclass(frozen=True)
class ExportResult:
    """What ``export_onnx`` wrote.

    Attributes:
        folder: the export folder.
        model_path: ``folder / "model.onnx"``.
        preprocessing_path: ``folder / "preprocessing.json"``.
        exporter: ``dynamo`` or ``torchscript`` (the fallback).
        opset: the graph's ONNX opset.
        fallback_reason: the dynamo exporter's error when the fallback was used.
    """

    folder: Path
    model_path: Path
    preprocessing_path: Path
    exporter: Exporter
    opset: int
    fallback_reason: str | None = field(default=None)


def build_onnx_export(
    artifact: ModelArtifact, params: ExportParams | None = None
) -> OnnxExport:
    """Export ``artifact``'s model to ONNX in memory, with its preprocessing spec.

    Args:
        artifact: the trained model with its feature map (and schema, when known).
        params: opset, dynamic batch and example rows (defaults: ``ExportParams()``).

    Returns:
        The serialised graph and the spec; ``exporter`` says which exporter wrote
        it.

    Raises:
        ExportError: both exporters failed (the message holds both errors).
    """
    params = params or ExportParams()
    model = artifact.model
    if model.training or any(p.device.type != "cpu" for p in model.parameters()):
        model = copy.deepcopy(model).cpu().eval()  # the artifact stays as it was
    spec = artifact.feature_map.field_spec
    wrapper = PlainInputs(model, sequences=bool(spec.sequences)).eval()
    example = _example_inputs(artifact, params.example_rows)
    names = [i["name"] for i in input_specs(artifact.feature_map, params.dynamic_batch)]
    try:
        onnx_model = _export_dynamo(wrapper, example, names, params)
        exporter: Exporter = "dynamo"
        reason = None
    except Exception as error:  # noqa: BLE001 - any exporter failure: try the other
        reason = f"{type(error).__name__}: {str(error).splitlines()[0][:500]}"
        logger.warning(
            "the dynamo ONNX exporter failed on %s (%s); trying the TorchScript one",
            artifact.model_name,
            reason,
        )
        try:
            onnx_model = _export_torchscript(wrapper, example, names, params)
        except Exception as second:
            raise ExportError(
                f"{artifact.model_name} cannot be exported to ONNX: the dynamo "
                f"exporter failed ({reason}), the TorchScript exporter too "
                f"({type(second).__name__}: {str(second).splitlines()[0][:500]})"
            ) from second
        exporter = "torchscript"
    preprocessing = preprocessing_spec(
        artifact,
        exporter=exporter,
        opset=params.opset,
        dynamic_batch=params.dynamic_batch,
        fallback_reason=reason,
    )
    return OnnxExport(
        model_name=artifact.model_name,
        onnx_model=onnx_model,
        preprocessing=preprocessing,
        exporter=exporter,
        opset=params.opset,
        fallback_reason=reason,
    )


def export_onnx(
    artifact: ModelArtifact, folder: str | Path, params: ExportParams | None = None
) -> ExportResult:
    """Export ``artifact``'s model and write ``model.onnx`` and
    ``preprocessing.json`` into ``folder``.

    Args:
        artifact: the trained model with its feature map.
        folder: where to write (created if needed).
        params: opset, dynamic batch and example rows (defaults: ``ExportParams()``).

    Returns:
        The paths written and the exporter used.

    Raises:
        ExportError: both exporters failed.
    """
    export = build_onnx_export(artifact, params)
    folder = export.save(folder)
    return ExportResult(
        folder=folder,
        model_path=folder / MODEL_FILE,
        preprocessing_path=folder / PREPROCESSING_FILE,
        exporter=export.exporter,
        opset=export.opset,
        fallback_reason=export.fallback_reason,
    )


def _example_inputs(artifact: ModelArtifact, rows: int) -> tuple[torch.Tensor, ...]:
    """Random valid inputs of the feature map's shape: each field's ids within its
    own range, standard-normal numerics, sequences of the target field's ids."""
    feature_map = artifact.feature_map
    generator = torch.Generator().manual_seed(0)
    columns = [
        torch.randint(f.offset, f.offset + f.size, (rows,), generator=generator)
        for f in feature_map.categorical
    ]
    ids = (
        torch.stack(columns, dim=1)
        if columns
        else torch.zeros((rows, 0), dtype=torch.int64)
    )
    numerics = torch.randn(rows, len(feature_map.numeric), generator=generator)
    if not feature_map.sequence:
        return ids, numerics
    length = max(s.max_length for s in feature_map.sequence)
    steps = []
    for sequence in feature_map.sequence:
        target = feature_map.categorical_field(sequence.vocabulary_of)
        steps.append(
            torch.randint(
                target.offset, target.offset + target.size, (rows, length),
                generator=generator,
            )
        )  # fmt: skip
    return ids, numerics, torch.stack(steps, dim=1)


def _export_dynamo(
    wrapper: nn.Module,
    example: tuple[torch.Tensor, ...],
    names: list[str],
    params: ExportParams,
) -> bytes:
    batch = torch.export.Dim("batch", min=1) if params.dynamic_batch else None
    dynamic_shapes = {name: {0: batch} for name in names} if batch is not None else None
    with torch.no_grad(), warnings.catch_warnings(), _quiet_registration():
        warnings.simplefilter("ignore")
        program = torch.onnx.export(
            wrapper,
            example,
            dynamo=True,
            opset_version=params.opset,
            input_names=names,
            output_names=["logits"],
            dynamic_shapes=dynamic_shapes,
            optimize=True,
            verbose=False,
        )
    return program.model_proto.SerializeToString()


@contextmanager
def _quiet_registration() -> Iterator[None]:
    """Silence the exporter's warnings about torchvision ops it cannot register
    (four lines per export; torchvision is not a ctrflow dependency)."""
    registration = logging.getLogger("torch.onnx._internal.exporter._registration")
    level = registration.level
    registration.setLevel(logging.ERROR)
    try:
        yield
    finally:
        registration.setLevel(level)


def _export_torchscript(
    wrapper: nn.Module,
    example: tuple[torch.Tensor, ...],
    names: list[str],
    params: ExportParams,
) -> bytes:
    buffer = io.BytesIO()
    axes = (
        {name: {0: "batch"} for name in [*names, "logits"]}
        if params.dynamic_batch
        else None
    )
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            wrapper,
            example,
            buffer,
            dynamo=False,
            opset_version=params.opset,
            input_names=names,
            output_names=["logits"],
            dynamic_axes=axes,
        )
    return buffer.getvalue()
