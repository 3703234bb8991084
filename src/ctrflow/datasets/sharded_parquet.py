"""A table as a folder of Parquet shards, written whole or block by block, and
committed atomically: a folder is only ever loaded once complete.

Layout of a saved table::

    <filepath>/part-00000.parquet, part-00001.parquet, ...
    <filepath>/_SUCCESS.json     {"rows": n, "shards": [{"file": ..., "rows": ...}]}

The marker is written last, into a temporary folder beside the target
(``.<name>.tmp-<id>``), which then replaces the target by two renames (the old
folder is moved aside, the new one in, the old deleted), so a crash never leaves
a half-written table at ``filepath``.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import polars as pl
from kedro.io import AbstractDataset, DatasetError, Version
from kedro.io.core import generate_timestamp

MARKER = "_SUCCESS.json"
DEFAULT_SHARD_ROWS = 1_000_000
_TEMP = ".{name}.tmp-"
_OLD = ".{name}.old-"


@dataclass(frozen=True)
class ShardBlock:
    """One block of a table saved in several steps (a streaming node yields one per
    block): non-final blocks are appended as shards to a temporary folder, the
    final one (which may be empty) completes the table and commits it.

    Attributes:
        frame: the block's rows.
        final: whether this is the table's last block.
    """

    frame: pl.DataFrame
    final: bool = False


class ShardedParquetDataset(AbstractDataset[pl.DataFrame | ShardBlock, Any]):
    """A table as a folder of ``part-NNNNN.parquet`` shards with a completion marker.

    ``load`` returns one ``pl.DataFrame`` (the shards in order), or with
    ``lazy: true`` a ``pl.LazyFrame`` over them. ``save`` takes a whole
    ``pl.DataFrame`` (cut into shards of at most ``shard_rows``), a
    ``pl.LazyFrame`` (run by polars' streaming engine, a shard at a time), or a stream of
    ``ShardBlock``s (one or more shards per block, committed by the final one).
    Either way the folder at ``filepath`` is replaced atomically; a folder without
    its marker (``_SUCCESS.json``) is never loaded.

    Example catalog entry::

        "{split}_table":
          type: ctrflow.datasets.ShardedParquetDataset
          filepath: data/02_intermediate/{split}
          load_args: {lazy: false}

    Args:
        filepath: the folder.
        shard_rows: the most rows of one shard.
        lazy: load a ``pl.LazyFrame`` (``pl.scan_parquet``) instead of a frame.
        load_args: ``{lazy: bool}`` (the catalog's way to set ``lazy``).
        version: Kedro's version (``versioned: true``): each run's table in
            ``filepath/<version>/<name>``; loads the newest complete one.
        metadata: Kedro metadata (kedro-viz).
    """

    def __init__(  # noqa: PLR0913 - the catalog's keys
        self,
        filepath: str,
        *,
        shard_rows: int = DEFAULT_SHARD_ROWS,
        lazy: bool = False,
        load_args: dict[str, Any] | None = None,
        version: Version | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        unknown = sorted(set(load_args or {}) - {"lazy"})
        if unknown:
            raise DatasetError(
                f"ShardedParquetDataset {filepath}: load_args {unknown} are not "
                "supported (only 'lazy')"
            )
        if shard_rows < 1:
            raise DatasetError(
                f"ShardedParquetDataset {filepath}: shard_rows must be >= 1, "
                f"got {shard_rows}"
            )
        self._filepath = PurePosixPath(filepath)
        self._shard_rows = shard_rows
        self._lazy = bool((load_args or {}).get("lazy", lazy))
        self._version = version
        self._save_version: str | None = None
        self._open: _OpenTable | None = None
        self.metadata = metadata

    def _describe(self) -> dict[str, Any]:
        return {
            "filepath": str(self._filepath),
            "shard_rows": self._shard_rows,
            "lazy": self._lazy,
            "version": self._version,
        }

    # --- paths -------------------------------------------------------------------

    def resolve_save_version(self) -> str | None:
        """The version this instance saves to (None: not versioned); one per
        instance, so that every block of a stream goes to the same one."""
        if self._version is None:
            return None
        if self._save_version is None:
            self._save_version = self._version.save or generate_timestamp()
        return self._save_version

    def _save_path(self) -> Path:
        version = self.resolve_save_version()
        if version is None:
            return Path(self._filepath)
        return Path(self._filepath) / version / self._filepath.name

    def _load_path(self) -> Path:
        if self._version is None:
            return Path(self._filepath)
        if self._version.load:
            return Path(self._filepath) / self._version.load / self._filepath.name
        complete = sorted(
            (
                p
                for p in Path(self._filepath).glob(f"*/{self._filepath.name}")
                if (p / MARKER).is_file()
            ),
            reverse=True,
        )
        if not complete:
            raise DatasetError(
                f"{self._filepath}: no complete version saved yet; run ingestion "
                "(kedro run --pipeline=ingestion) first"
            )
        return complete[0]

    # --- load --------------------------------------------------------------------

    def load(self) -> pl.DataFrame | pl.LazyFrame:
        folder = self._load_path()
        shards = read_manifest(folder)
        paths = [str(folder / name) for name in shards]
        if self._lazy:
            return pl.scan_parquet(paths)
        return pl.concat([pl.read_parquet(p) for p in paths], rechunk=False)

    def _exists(self) -> bool:
        try:
            return (self._load_path() / MARKER).is_file()
        except DatasetError:
            return False

    def preview(self, nrows: int = 5) -> dict[str, Any]:
        """The first rows, for kedro-viz (as kedro-datasets' tables)."""
        folder = self._load_path()
        first = read_manifest(folder)[0]
        head = pl.read_parquet(folder / first, n_rows=nrows)
        return {
            "index": list(range(head.height)),
            "columns": head.columns,
            "data": [list(row) for row in head.rows()],
        }

    # --- save --------------------------------------------------------------------

    def save(self, data: pl.DataFrame | pl.LazyFrame | ShardBlock) -> None:
        if isinstance(data, ShardBlock):
            self._save_block(data)
            return
        if not isinstance(data, pl.DataFrame | pl.LazyFrame):
            raise DatasetError(
                f"ShardedParquetDataset {self._filepath} saves a polars DataFrame, "
                f"LazyFrame or a ShardBlock, got {type(data).__name__}"
            )
        if self._open is not None:
            raise DatasetError(
                f"ShardedParquetDataset {self._filepath}: a whole table was saved "
                "while a stream of blocks was open (its final block never came)"
            )
        if isinstance(data, pl.DataFrame):
            self._save_block(ShardBlock(data, final=True))
            return
        # a plan: run by the streaming engine, its batches gathered into shards
        # of shard_rows, so memory holds about one shard whatever the table's size
        table = _OpenTable.start(self._save_path(), self._shard_rows)
        pending: list[pl.DataFrame] = []
        pending_rows = 0
        for batch in data.collect_batches(
            chunk_size=self._shard_rows, engine="streaming"
        ):
            if table.empty is None:
                table.empty = batch.clear()
            pending.append(batch)
            pending_rows += batch.height
            if pending_rows >= self._shard_rows:
                rows = pl.concat(pending, rechunk=True)
                whole = rows.height - rows.height % self._shard_rows
                table.append(rows.slice(0, whole))
                pending = [rows.slice(whole)]
                pending_rows = pending[0].height
        if table.empty is None:  # no batch at all: the plan's columns, no rows
            table.empty = data.limit(0).collect()
        if pending_rows:
            table.append(pl.concat(pending, rechunk=True))
        table.commit()

    def _save_block(self, block: ShardBlock) -> None:
        if self._open is None:
            self._open = _OpenTable.start(self._save_path(), self._shard_rows)
        self._open.append(block.frame)
        if block.final:
            table, self._open = self._open, None
            table.commit()


class _OpenTable:
    """A table being written into its temporary folder."""

    def __init__(self, target: Path, temp: Path, shard_rows: int) -> None:
        self.target, self.temp, self.shard_rows = target, temp, shard_rows
        self.shards: list[dict[str, Any]] = []
        self.empty: pl.DataFrame | None = None  # the schema, while no row came

    @classmethod
    def start(cls, target: Path, shard_rows: int) -> _OpenTable:
        target.parent.mkdir(parents=True, exist_ok=True)
        # a run that failed mid-stream left its temporary folder: never committed
        for stale in target.parent.glob(_TEMP.format(name=target.name) + "*"):
            shutil.rmtree(stale, ignore_errors=True)
        temp = target.parent / (_TEMP.format(name=target.name) + uuid.uuid4().hex)
        temp.mkdir()
        return cls(target, temp, shard_rows)

    def append(self, frame: pl.DataFrame) -> None:
        if self.empty is None:
            self.empty = frame.clear()
        for start in range(0, frame.height, self.shard_rows):
            name = f"part-{len(self.shards):05d}.parquet"
            shard = frame.slice(start, self.shard_rows)
            shard.write_parquet(self.temp / name)
            self.shards.append({"file": name, "rows": shard.height})

    def commit(self) -> None:
        if not self.shards:  # no rows: one empty shard keeps the columns and types
            name = "part-00000.parquet"
            (self.empty if self.empty is not None else pl.DataFrame()).write_parquet(
                self.temp / name
            )
            self.shards = [{"file": name, "rows": 0}]
        manifest = {"rows": sum(s["rows"] for s in self.shards), "shards": self.shards}
        (self.temp / MARKER).write_text(json.dumps(manifest, indent=1))
        _swap_in(self.temp, self.target)


def _swap_in(temp: Path, target: Path) -> None:
    """Replace ``target`` (a folder, a file or nothing) by ``temp``: two renames."""
    old = None
    if target.exists() or target.is_symlink():
        old = target.parent / (_OLD.format(name=target.name) + uuid.uuid4().hex)
        os.rename(target, old)
    os.rename(temp, target)
    if old is not None:
        if old.is_dir() and not old.is_symlink():
            shutil.rmtree(old)
        else:
            old.unlink()


def read_manifest(folder: Path) -> list[str]:
    """The shard files of a complete table folder, in order.

    Raises:
        DatasetError: the folder is missing, or has no marker (an incomplete or
            foreign folder), or the marker names a missing shard.
    """
    marker = folder / MARKER
    if not marker.is_file():
        what = "does not exist" if not folder.exists() else f"has no {MARKER}"
        raise DatasetError(
            f"{folder}: {what}, so it holds no complete table (an interrupted or "
            "older run); rerun ingestion (kedro run --pipeline=ingestion)"
        )
    try:
        manifest = json.loads(marker.read_text())
        names = [shard["file"] for shard in manifest["shards"]]
    except (ValueError, KeyError, TypeError) as error:
        raise DatasetError(
            f"{marker}: unreadable ({error}); rerun ingestion "
            "(kedro run --pipeline=ingestion)"
        ) from error
    missing = [name for name in names if not (folder / name).is_file()]
    if missing or not names:
        raise DatasetError(
            f"{folder}: shard(s) {missing or '(none)'} named by {MARKER} are "
            "missing; rerun ingestion (kedro run --pipeline=ingestion)"
        )
    return names


__all__ = ["ShardBlock", "ShardedParquetDataset"]
