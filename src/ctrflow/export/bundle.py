"""An exported model in memory (graph bytes + spec) and its folder on disk.

Torch-free, so the catalog's ``OnnxExportDataset`` loads and saves exports without
importing torch or onnxruntime.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ctrflow.export.preprocessing import MODEL_FILE, PREPROCESSING_FILE

Exporter = Literal["dynamo", "torchscript"]


@dataclass(frozen=True)
class OnnxExport:
    """An exported model in memory: what ``export_onnx`` writes to a folder.

    Attributes:
        model_name: the registry name of the exported model.
        onnx_model: the serialised ONNX ``ModelProto`` (``model.onnx``).
        preprocessing: the spec written to ``preprocessing.json``.
        exporter: which of torch's exporters wrote the graph.
        opset: the graph's ONNX opset.
        fallback_reason: why the dynamo exporter was not used (``None`` when it was).
    """

    model_name: str
    onnx_model: bytes
    preprocessing: dict[str, Any]
    exporter: Exporter
    opset: int
    fallback_reason: str | None = None

    def save(self, folder: str | Path) -> Path:
        """Write ``model.onnx`` and ``preprocessing.json`` into ``folder``
        (created if needed); returns the folder."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MODEL_FILE).write_bytes(self.onnx_model)
        (folder / PREPROCESSING_FILE).write_text(
            json.dumps(self.preprocessing, indent=2, ensure_ascii=False) + "\n"
        )
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> OnnxExport:
        """Read an export folder written by ``save``.

        Raises:
            FileNotFoundError: ``model.onnx`` or ``preprocessing.json`` is missing.
        """
        folder = Path(folder)
        for name in (MODEL_FILE, PREPROCESSING_FILE):
            if not (folder / name).is_file():
                raise FileNotFoundError(f"{folder / name}: not an ONNX export folder")
        spec = json.loads((folder / PREPROCESSING_FILE).read_text())
        onnx_block = spec["onnx"]
        return cls(
            model_name=spec["model"]["name"],
            onnx_model=(folder / MODEL_FILE).read_bytes(),
            preprocessing=spec,
            exporter=onnx_block["exporter"],
            opset=onnx_block["opset"],
            fallback_reason=onnx_block.get("fallback_reason"),
        )
