"""ONNX export of a trained model: the graph of plain tensors (``onnx``), the
preprocessing spec a non-Python server applies (``preprocessing``), onnxruntime
scoring (``runtime``) and the parity check against torch (``parity``).

Importing this package imports nothing heavy: torch, onnx and onnxruntime load
with the submodule that needs them (``from ctrflow.export.onnx import
export_onnx``).
"""

from ctrflow.export.params import ExportParams

__all__ = ["ExportParams"]
