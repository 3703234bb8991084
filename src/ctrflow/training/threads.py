"""CPU threads that share cores gracefully: how many, and how idle ones wait.

Two OpenMP runtimes run a training step: torch's own ``libgomp`` (its intra-op
pool) and the system's, under numba's ``omp`` threading layer (the fused
batch-norm kernels). By default an idle libgomp thread spins for about 300,000
iterations before it sleeps, so each pool burns the cores the other one (or any
other process) is about to use; beside one CPU-bound process on two cores the demo
DeepFM ran at 31% of its quiet samples/s. ``OMP_WAIT_POLICY=PASSIVE`` makes idle
threads sleep at once; libgomp reads it when it is loaded, so ``ctrflow``'s
``__init__`` sets it (unless already set) before anything imports torch.

The thread count (``training.num_threads``; null = ``pick_threads``) starts from
the CPUs this process may run on (``os.sched_getaffinity``) capped by its cgroup's
CPU quota (cgroup v2 ``cpu.max``, v1 ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``),
not the machine's core count that torch assumes. A thread that shares its core with
a busy process stalls every parallel region at its barrier (torch splits each op
into one static chunk per thread), so the CPUs other processes kept busy over a
short sample before training are left to them, down to half the CPUs: beside one
busy loop on two cores the demo trains with one thread at 53% of its quiet
speed instead of 34% with two (``benchmarks/shared_cores.py``). The count is fixed for the run; the results do not
depend on it here (docs/architecture.md, "Reproducibility").

``CTRFLOW_LEGACY_THREADS=1`` restores the behaviour before (torch's thread count,
spinning threads), for ``benchmarks/shared_cores.py``. This module imports nothing
heavy: ``ctrflow/__init__.py`` uses it before torch loads.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import MutableMapping
from pathlib import Path

LEGACY_ENV = "CTRFLOW_LEGACY_THREADS"
CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")
PROC_STAT = Path("/proc/stat")


def legacy_threads(environ: MutableMapping[str, str] = os.environ) -> bool:
    """Whether ``CTRFLOW_LEGACY_THREADS`` asks for the behaviour before issue 15."""
    return environ.get(LEGACY_ENV, "").strip().lower() in {"1", "true", "yes"}


def configure_openmp_waiting(environ: MutableMapping[str, str] = os.environ) -> None:
    """``OMP_WAIT_POLICY=PASSIVE`` unless the caller set a policy or a spin count,
    or ``CTRFLOW_LEGACY_THREADS`` is on. Only effective before libgomp is loaded."""
    if legacy_threads(environ) or "GOMP_SPINCOUNT" in environ:
        return
    environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _quota_cpus(quota: str, period: str) -> float | None:
    if quota.strip() in {"max", "-1"}:
        return None
    cpus = int(quota) / int(period)
    return cpus if cpus > 0 else None


def _cgroup_dirs(root: Path, proc_cgroup: Path, controller: str) -> list[Path]:
    """This process's cgroup folders for ``controller`` (v2 ``0::/path`` when the
    controller is empty), then the root's: in a container the cgroup is often
    mounted as the root, while ``/proc/self/cgroup`` names the host's path."""
    dirs = []
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            dirs.append(root / path.lstrip("/"))
    return [*dirs, root]


def cgroup_cpu_limit(
    root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP
) -> float | None:
    """The CPUs this process's cgroup quota allows (``2.5`` = 250 ms per 100 ms),
    or None without a quota. Reads cgroup v2 ``cpu.max`` ("QUOTA PERIOD", "max" =
    none), else v1 ``cpu/cpu.cfs_quota_us`` and ``cpu.cfs_period_us`` (-1 = none)."""
    for folder in _cgroup_dirs(root, proc_cgroup, ""):
        try:
            quota, period = (folder / "cpu.max").read_text().split()
        except (OSError, ValueError):
            continue
        return _quota_cpus(quota, period)
    for mount in ("cpu", "cpu,cpuacct"):
        for folder in _cgroup_dirs(root / mount, proc_cgroup, "cpu"):
            try:
                quota = (folder / "cpu.cfs_quota_us").read_text()
                period = (folder / "cpu.cfs_period_us").read_text()
            except OSError:
                continue
            return _quota_cpus(quota, period)
    return None


def available_cpus(root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> int:
    """CPUs this process may use: its affinity mask, capped by the cgroup quota
    rounded up (1.5 CPUs of quota: 2 threads, as loky and the JVM count)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # no affinity on this platform (macOS)
        cpus = os.cpu_count() or 1
    limit = cgroup_cpu_limit(root, proc_cgroup)
    if limit is not None:
        cpus = min(cpus, math.ceil(limit))
    return max(1, cpus)


def _busy_seconds(cpus: set[int], stat: Path) -> float:
    """Non-idle CPU seconds of ``cpus`` since boot, from ``/proc/stat``."""
    ticks = os.sysconf("SC_CLK_TCK")
    busy = 0
    for line in stat.read_text().splitlines():
        name, *fields = line.split()
        if name.startswith("cpu") and name[3:].isdigit() and int(name[3:]) in cpus:
            user, nice, system, _idle, _iowait, irq, softirq, steal = map(
                int, fields[:8]
            )
            busy += user + nice + system + irq + softirq + steal
    return busy / ticks


def cpus_busy_elsewhere(seconds: float = 0.2, stat: Path = PROC_STAT) -> float:
    """How many of this process's CPUs other processes kept busy over ``seconds``
    (``/proc/stat`` minus this process's own CPU time); 0.0 where unreadable."""
    try:
        cpus = os.sched_getaffinity(0)
        start, own_start = _busy_seconds(cpus, stat), sum(os.times()[:2])
        time.sleep(seconds)
        busy = _busy_seconds(cpus, stat) - start
        own = sum(os.times()[:2]) - own_start
    except (AttributeError, OSError, ValueError):
        return 0.0
    return max(0.0, (busy - own) / seconds)


def pick_threads(available: int, busy_elsewhere: float) -> int:
    """``available`` CPUs less those busy elsewhere, but at least half of them."""
    floor = math.ceil(available / 2)
    return max(floor, min(available, available - round(busy_elsewhere)))


def set_cpu_threads(num_threads: int | None) -> int:
    """Set torch's intra-op threads (which the fused kernels' numba threads follow)
    to ``num_threads``, or when None to ``pick_threads`` of the available CPUs and
    those busy elsewhere now; returns the count. Under ``CTRFLOW_LEGACY_THREADS`` a
    None leaves torch's own default."""
    import torch  # noqa: PLC0415 - this module loads before torch (see above)

    if num_threads is None:
        if legacy_threads():
            return torch.get_num_threads()
        available = available_cpus()
        busy = cpus_busy_elsewhere() if available > 1 else 0.0
        num_threads = pick_threads(available, busy)
    if torch.get_num_threads() != num_threads:
        torch.set_num_threads(num_threads)
    return num_threads
