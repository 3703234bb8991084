"""The base of the datasets that keep one local path (a file or a folder) per
version: the model artifact and the ONNX export."""

from __future__ import annotations

import glob
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from kedro.io import AbstractVersionedDataset, Version

_T = TypeVar("_T")


class VersionedPathDataset(AbstractVersionedDataset[_T, _T]):
    """``filepath/<version>/<name>`` on the local disk; a subclass says, with
    ``_present``, what makes a saved version complete, and loads and saves it."""

    def __init__(
        self,
        filepath: str,
        version: Version | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            filepath=PurePosixPath(filepath),
            version=version,
            exists_function=self._present,
            glob_function=glob.glob,
        )
        self.metadata = metadata

    @staticmethod
    def _present(path: str) -> bool:
        """Whether ``path`` holds a saved version."""
        return Path(path).exists()

    def _describe(self) -> dict[str, Any]:
        return {"filepath": self._filepath, "version": self._version}

    def _exists(self) -> bool:
        try:
            return self._present(str(self._get_load_path()))
        except Exception:  # noqa: BLE001 - no version saved yet
            return False
