"""The kedro-datasets file datasets of our catalog, saving atomically.

Each is its kedro-datasets parent with one change: on the local disk, ``save``
writes the parent's bytes to a temporary file beside the save path (a versioned
entry's ``<filepath>/<version>/.<name>.<pid>.<random>.tmp``), flushes it to disk
and renames it to the save path (``ctrflow.atomic_files``). A crash or a kill
mid-write leaves no file at the path a later load reads: a versioned load takes
the newest version whose file exists, so the previous complete one. Remote
protocols (s3, gcs, ...) keep the parent's save: their stores publish an object
only once it is fully uploaded. ``AtomicPlotlyJSONDataset`` lives in
``ctrflow.datasets.atomic_plotly``: importing plotly takes seconds, which a run
that saves no figure should not pay.

Example catalog entry::

    metrics:
      type: ctrflow.datasets.AtomicJSONDataset
      filepath: data/08_reporting/evaluation/metrics.json
      versioned: true
"""

from __future__ import annotations

import inspect
from pathlib import Path, PurePosixPath
from typing import Any

from kedro.io.core import get_filepath_str
from kedro_datasets.json import JSONDataset
from kedro_datasets.polars import EagerPolarsDataset
from kedro_datasets.text import TextDataset

from ctrflow.atomic_files import atomic_path


class AtomicSave:
    """Mixin before a kedro-datasets file dataset: its ``save``, atomic on the
    local disk. The parent writes to ``_get_save_path()``; during a save that is
    the temporary file."""

    _writing_to: PurePosixPath | None = None

    def _get_save_path(self) -> PurePosixPath:
        if self._writing_to is not None:
            return self._writing_to
        return super()._get_save_path()  # type: ignore[misc]

    def save(self, data: Any) -> None:
        # the parent's own save, without Kedro's wrapper (this save has one)
        parent_save = inspect.unwrap(super().save)  # type: ignore[misc]
        if self._protocol != "file":  # type: ignore[attr-defined]
            parent_save(self, data)
            return
        final = Path(get_filepath_str(self._get_save_path(), "file"))
        with atomic_path(final) as tmp:
            self._writing_to = PurePosixPath(tmp)
            try:
                parent_save(self, data)
            finally:
                self._writing_to = None


class AtomicEagerPolarsDataset(AtomicSave, EagerPolarsDataset):
    """``polars.EagerPolarsDataset`` (parquet, csv, ...) saving atomically."""


class AtomicJSONDataset(AtomicSave, JSONDataset):
    """``json.JSONDataset`` saving atomically."""


class AtomicTextDataset(AtomicSave, TextDataset):
    """``text.TextDataset`` saving atomically."""
