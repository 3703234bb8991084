"""Saves and loads an ONNX export: one folder per version."""

from __future__ import annotations

from pathlib import Path

from ctrflow.atomic_files import atomic_path
from ctrflow.datasets.versioned import VersionedPathDataset
from ctrflow.export.bundle import OnnxExport
from ctrflow.export.preprocessing import MODEL_FILE


class OnnxExportDataset(VersionedPathDataset[OnnxExport]):
    """A folder per version holding ``model.onnx`` and ``preprocessing.json``
    (``ctrflow.export``); a server points ``OnnxModel`` at the folder.

    Example catalog entry::

        onnx_export:
          type: ctrflow.datasets.OnnxExportDataset
          filepath: data/06_models/onnx_export
          versioned: true

    A version is saved as ``data/06_models/onnx_export/<version>/onnx_export/``.
    """

    @staticmethod
    def _present(path: str) -> bool:
        return (Path(path) / MODEL_FILE).is_file()

    def load(self) -> OnnxExport:
        return OnnxExport.load(str(self._get_load_path()))

    def save(self, data: OnnxExport) -> None:
        """Write the folder atomically: a temporary folder beside the version's
        path, renamed to it once both files are complete."""
        with atomic_path(Path(str(self._get_save_path()))) as tmp:
            data.save(tmp)
