"""What every benchmark script shares: the machine's description, a child process
measured for wall time and peak memory, JSON results, and the docs table update.

The scripts run as ``python benchmarks/<name>.py`` from the project root, so this
module is importable as ``common``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DOCS_PAGE = PROJECT_ROOT / "docs" / "benchmarks.md"
RESULTS_DIR = PROJECT_ROOT / "benchmarks" / "results"


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (``platform.processor()`` elsewhere)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine() -> dict[str, Any]:
    """CPU model, cores, memory, GPU (if torch sees one), versions and the date."""
    import torch

    memory_gib = None
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        memory_gib = round(pages * page_size / 2**30, 1)
    except (ValueError, OSError):
        pass
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "date": dt.date.today().isoformat(),
    }


def machine_line(info: dict[str, Any]) -> str:
    """One line for the docs: ``CPU, N cores, M GiB[, GPU] — torch X, YYYY-MM-DD``."""
    gpu = f", {info['gpu']}" if info.get("gpu") else ", no GPU"
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['memory_gib']} GiB{gpu}; "
        f"torch {info['torch']}; {info['date']}"
    )


@dataclass(frozen=True)
class Measured:
    """A finished child process: exit status, wall seconds, peak resident memory."""

    returncode: int
    seconds: float
    peak_rss_bytes: int

    @property
    def peak_rss_gib(self) -> float:
        return self.peak_rss_bytes / 2**30


def run_measured(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | str | None = None,
    log_path: Path | None = None,
) -> Measured:
    """Run ``command`` to completion and measure it.

    Peak memory is the child's own ``ru_maxrss`` from ``wait4`` (its largest
    process, not the sum over processes it spawned in turn). Output goes to
    ``log_path`` when given, else to this process's stdout/stderr.
    """
    merged_env = {**os.environ, **(env or {})}
    log = open(log_path, "w") if log_path else None  # noqa: SIM115 - closed below
    try:
        start = time.perf_counter()
        child = subprocess.Popen(
            command, env=merged_env, cwd=cwd,
            stdout=log, stderr=subprocess.STDOUT if log else None,
        )  # fmt: skip
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log:
            log.close()
    return Measured(child.returncode, seconds, usage.ru_maxrss * 1024)


def write_json(path: Path, data: dict[str, Any]) -> Path:
    """Write ``data`` as indented JSON, creating the folder."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def update_docs_section(name: str, markdown: str, page: Path = DOCS_PAGE) -> None:
    """Replace the text between ``<!-- benchmark:NAME start -->`` and
    ``<!-- benchmark:NAME end -->`` in ``page``; append the marked section at the
    end when the markers are not there yet."""
    start, end = f"<!-- benchmark:{name} start -->", f"<!-- benchmark:{name} end -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    text = page.read_text() if page.exists() else ""
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    page.write_text(text)


def markdown_table(header: list[str], rows: list[list[Any]]) -> str:
    """A GitHub markdown table; floats keep the formatting the caller gave them."""
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
