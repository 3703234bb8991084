"""atomic_path: the destination holds the old or the new complete content, never
a temporary's; a killed writer's temporary is cleared by the next write."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from ctrflow.atomic_files import atomic_path, remove_stale_temporaries


def test_a_file_is_renamed_into_place_once_written(tmp_path):
    path = tmp_path / "sub" / "a.txt"
    with atomic_path(path) as tmp:
        tmp.write_text("one")
        assert tmp.parent == path.parent and not path.exists()
    assert path.read_text() == "one"
    assert [p.name for p in path.parent.iterdir()] == ["a.txt"]


def test_an_error_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError, match="disk full"), atomic_path(path) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_a_folder_replaces_the_old_folder_whole(tmp_path):
    path = tmp_path / "export"
    path.mkdir()
    (path / "stale.txt").write_text("old")
    with atomic_path(path) as tmp:
        tmp.mkdir()
        (tmp / "model.onnx").write_bytes(b"new")
    assert [p.name for p in path.iterdir()] == ["model.onnx"]
    assert [p.name for p in tmp_path.iterdir()] == ["export"]


def test_a_dead_writers_temporary_is_removed_a_live_ones_kept(tmp_path):
    exited = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                            capture_output=True, text=True, check=True)  # fmt: skip
    dead = tmp_path / f".a.txt.{int(exited.stdout)}.0badc0de.tmp"
    live = tmp_path / f".a.txt.{os.getpid()}.0badc0de.tmp"
    other = tmp_path / f".b.txt.{int(exited.stdout)}.0badc0de.tmp"
    for path in (dead, live, other):
        path.write_text("partial")
    assert remove_stale_temporaries(tmp_path / "a.txt") == [dead]
    assert live.exists() and other.exists()
