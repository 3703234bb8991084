"""Saves and loads a trained model with everything needed to score new data."""

from __future__ import annotations

from pathlib import Path

import torch
from kedro.io import DatasetError, Version

from ctrflow.atomic_files import atomic_path
from ctrflow.datasets.versioned import VersionedPathDataset
from ctrflow.training.artifact import ModelArtifact


class TorchModelDataset(VersionedPathDataset[ModelArtifact]):
    """One file per version holding the weights, the model's name and config, the
    feature map (vocabularies, offsets, numeric transforms) and the training
    parameters, as plain tensors and dicts (loadable with ``weights_only=True``).

    Example catalog entry::

        model:
          type: ctrflow.datasets.TorchModelDataset
          filepath: data/06_models/model.pt
          versioned: true
    """

    def at_version(self, version: str) -> TorchModelDataset:
        """This entry loading ``version`` (its save version kept).

        Raises:
            DatasetError: no such version is saved; the message lists those that are.
        """
        path = Path(str(self._filepath))
        if not (path / version / path.name).is_file():
            saved = sorted(p.parent.name for p in path.glob(f"*/{path.name}"))
            raise DatasetError(
                f"model version {version!r} is not saved under {path} "
                f"(saved: {saved or 'none'}); name one of them, or null for the latest"
            )
        save = self._version.save if self._version is not None else None
        return TorchModelDataset(
            filepath=str(self._filepath),
            version=Version(version, save),
            metadata=self.metadata,
        )

    def load(self) -> ModelArtifact:
        """The artifact of the load version (the latest unless one is given), its
        ``version`` set to that version (None when not versioned)."""
        state = torch.load(
            str(self._get_load_path()), map_location="cpu", weights_only=True
        )
        artifact = ModelArtifact.from_state(state)
        if self._version is not None:
            artifact.version = self.resolve_load_version()
        return artifact

    def save(self, data: ModelArtifact) -> None:
        """Write the artifact atomically: a temporary file beside the version's
        path, renamed to it once complete (``ctrflow.atomic_files``)."""
        with atomic_path(Path(str(self._get_save_path()))) as tmp:
            torch.save(data.to_state(), tmp)
