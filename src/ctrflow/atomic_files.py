"""Atomic writes of local files and folders (leaf: imports nothing of ctrflow).

A writer writes to a temporary name in the destination's folder, flushes it to
disk (fsync) and renames it over the destination (``os.replace``, atomic on one
file system), so a reader finds the complete old content, the complete new one, or
nothing: never a half-written file after a crash or a kill. The temporary name,
``.<name>.<pid>.<random>.tmp``, matches no Kedro version glob (``<path>/*/<name>``);
one left by a killed writer is removed by the next write to the same path.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporaries of ``path`` whose writer process is gone (killed
    mid-write); returns them."""
    pattern = re.compile(rf"^\.{re.escape(path.name)}\.(\d+)\.[0-9a-f]+\.tmp$")
    stale = []
    if path.parent.is_dir():
        for candidate in path.parent.iterdir():
            match = pattern.match(candidate.name)
            if match and not _alive(int(match.group(1))):
                _remove(candidate)
                stale.append(candidate)
    return stale


def _fsync(path: Path) -> None:
    """Flush ``path`` (a file, or a folder with everything in it) to disk."""
    paths = [path] if path.is_file() else [*sorted(path.rglob("*")), path]
    for item in paths:
        fd = os.open(item, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; write the file (or folder) there.

    When the block ends without an error the temporary is flushed to disk and
    renamed to ``path`` (a folder replaces an existing folder of that name); on an
    error it is removed and ``path`` is left as it was.

    Args:
        path: the destination; its parent folders are created.

    Example::

        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> with atomic_path(folder / "a.txt") as tmp:
        ...     _ = tmp.write_text("complete")
        >>> (folder / "a.txt").read_text(), [p.name for p in folder.iterdir()]
        ('complete', ['a.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    tmp = _temporary(path)
    try:
        yield tmp
        _fsync(tmp)
        if tmp.is_dir() and path.is_dir():
            # a folder cannot be renamed over a non-empty one: move the old one
            # aside first (readers see the old, then briefly none, then the new)
            old = _temporary(path)
            path.rename(old)
            os.replace(tmp, path)
            _remove(old)
        else:
            os.replace(tmp, path)
        _fsync_folder(path.parent)
    except BaseException:
        _remove(tmp)
        raise


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (the folder's entry list)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
