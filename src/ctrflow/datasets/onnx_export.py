"""Saves and loads an ONNX export: one folder per version."""

from __future__ import annotations

import glob
from pathlib import Path, PurePosixPath
from typing import Any

from kedro.io import AbstractVersionedDataset, Version

from ctrflow.export.bundle import OnnxExport
from ctrflow.export.preprocessing import MODEL_FILE


class OnnxExportDataset(AbstractVersionedDataset[OnnxExport, OnnxExport]):
    """A folder per version holding ``model.onnx`` and ``preprocessing.json``
    (``ctrflow.export``); a server points ``OnnxModel`` at the folder.

    Example catalog entry::

        onnx_export:
          type: ctrflow.datasets.OnnxExportDataset
          filepath: data/06_models/onnx_export
          versioned: true

    A version is saved as ``data/06_models/onnx_export/<version>/onnx_export/``.
    """

    def __init__(
        self,
        filepath: str,
        version: Version | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            filepath=PurePosixPath(filepath),
            version=version,
            exists_function=lambda path: (Path(path) / MODEL_FILE).is_file(),
            glob_function=glob.glob,
        )
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {"filepath": self._filepath, "version": self._version}

    def load(self) -> OnnxExport:
        return OnnxExport.load(str(self._get_load_path()))

    def save(self, data: OnnxExport) -> None:
        data.save(str(self._get_save_path()))

    def _exists(self) -> bool:
        try:
            return (Path(str(self._get_load_path())) / MODEL_FILE).is_file()
        except Exception:  # noqa: BLE001 - no version saved yet
            return False
