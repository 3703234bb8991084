"""The thread-count picker (affinity, cgroup v1/v2 quotas from fake cgroup trees)
and the OpenMP waiting policy ``ctrflow`` sets before torch loads."""

import os
import subprocess
import sys

import pytest
import torch

from ctrflow.training.threads import (
    available_cpus,
    cgroup_cpu_limit,
    configure_openmp_waiting,
    pick_threads,
    set_cpu_threads,
)


def _cgroup_v2(tmp_path, cpu_max: str, path: str = "/"):
    root = tmp_path / "cgroup"
    folder = root / path.lstrip("/")
    folder.mkdir(parents=True)
    (folder / "cpu.max").write_text(cpu_max + "\n")
    proc = tmp_path / "proc_cgroup"
    proc.write_text(f"0::{path}\n")
    return root, proc


def test_cgroup_v2_quota_in_the_process_cgroup(tmp_path):
    root, proc = _cgroup_v2(tmp_path, "150000 100000", "/job/step")
    assert cgroup_cpu_limit(root, proc) == 1.5


def test_cgroup_v2_without_a_quota(tmp_path):
    root, proc = _cgroup_v2(tmp_path, "max 100000")
    assert cgroup_cpu_limit(root, proc) is None
    assert available_cpus(root, proc) == len(os.sched_getaffinity(0))


def test_cgroup_v1_quota(tmp_path):
    folder = tmp_path / "cgroup" / "cpu" / "docker" / "abc"
    folder.mkdir(parents=True)
    (folder / "cpu.cfs_quota_us").write_text("250000\n")
    (folder / "cpu.cfs_period_us").write_text("100000\n")
    proc = tmp_path / "proc_cgroup"
    proc.write_text("4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n0::/\n")
    assert cgroup_cpu_limit(tmp_path / "cgroup", proc) == 2.5


def test_no_cgroup_files_means_no_quota(tmp_path):
    assert cgroup_cpu_limit(tmp_path / "none", tmp_path / "missing") is None


def test_quota_caps_the_affinity_rounded_up(tmp_path):
    root, proc = _cgroup_v2(tmp_path, "50000 100000")  # half a CPU: one thread
    assert available_cpus(root, proc) == 1
    root, proc = _cgroup_v2(tmp_path / "big", "6400000 100000")  # 64 CPUs of quota
    assert available_cpus(root, proc) == len(os.sched_getaffinity(0))


def test_affinity_is_honoured_in_a_pinned_process():
    code = (
        "import os; os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}); "
        "from pathlib import Path; from ctrflow.training.threads import available_cpus; "
        "print(available_cpus(Path('/nonexistent'), Path('/nonexistent')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    assert done.stdout.strip() == "1"


def test_set_cpu_threads_uses_the_count_or_the_available_cpus():
    before = torch.get_num_threads()
    try:
        assert set_cpu_threads(1) == 1 and torch.get_num_threads() == 1
        assert 1 <= set_cpu_threads(None) == torch.get_num_threads() <= available_cpus()
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize(
    ("environ", "policy"),
    [
        ({}, "PASSIVE"),
        ({"OMP_WAIT_POLICY": "ACTIVE"}, "ACTIVE"),  # the caller's choice stays
        ({"GOMP_SPINCOUNT": "10000"}, None),  # a spin count the caller tuned
        ({"CTRFLOW_LEGACY_THREADS": "1"}, None),  # the behaviour before
    ],
)
def test_openmp_waiting_policy(environ, policy):
    configure_openmp_waiting(environ)
    assert environ.get("OMP_WAIT_POLICY") == policy


def test_importing_ctrflow_sets_the_policy_before_torch():
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    code = "import ctrflow, os, sys; print(os.environ['OMP_WAIT_POLICY'], 'torch' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert done.stdout.split() == ["PASSIVE", "False"]


@pytest.mark.parametrize(
    ("available", "busy", "threads"),
    [(2, 0.0, 2), (2, 0.95, 1), (2, 2.0, 1), (16, 3.2, 13), (16, 15.0, 8), (1, 1.0, 1)],
)
def test_pick_threads_leaves_busy_cpus_down_to_half(available, busy, threads):
    assert pick_threads(available, busy) == threads
