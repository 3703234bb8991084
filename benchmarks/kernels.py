"""The pieces of the CPU training step that 2026-11-29's changes touched, each timed
alone: the figures ``docs/benchmarks.md`` quotes for them.

    python benchmarks/kernels.py --threads 2

- ``layer``: one MLP block on a (rows x width) batch, forward + backward:
  torch's BatchNorm1d and ReLU with ctrflow's ``Dropout`` module by module, then
  ``batch_norm_relu_dropout`` fused;
- ``adam``: one ``Adam.step`` over the BARS Frappe DeepFM's parameters, torch's
  default (per-tensor loop), ``foreach`` and ``fused``;
- ``page_faults``: minor page faults per DeepFM training step
  (``benchmarks/step_variants.py``'s step) without and with ``reuse_freed_memory``.

Every timing is the mean of ``--repeats`` calls after 5 warm-up calls, all within
``reuse_freed_memory`` except the page-fault comparison. Writes
``benchmarks/results/kernels.json``.
"""

from __future__ import annotations

import argparse
import resource
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import common
import step_variants
import torch
from torch import nn

from ctrflow.models.layers import Dropout
from ctrflow.models.layers.fused_norm import batch_norm_relu_dropout
from ctrflow.training.memory import reuse_freed_memory


def _milliseconds(fn, repeats: int) -> float:
    for _ in range(5):
        fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats * 1e3


def layer(rows: int, width: int, repeats: int) -> dict[str, float]:
    """Forward + backward of BatchNorm -> ReLU -> Dropout(0.2), in ms."""
    x = torch.randn(rows, width, requires_grad=True)
    grad = torch.randn(rows, width)
    modules = nn.Sequential(nn.BatchNorm1d(width), nn.ReLU(), Dropout(0.2)).train()
    norm = nn.BatchNorm1d(width).train()

    def unfused() -> None:
        x.grad = None
        modules(x).backward(grad)

    def fused() -> None:
        x.grad = None
        batch_norm_relu_dropout(x, norm, 0.2).backward(grad)

    return {
        "unfused_ms": _milliseconds(unfused, repeats),
        "fused_ms": _milliseconds(fused, repeats),
    }


def adam(repeats: int) -> dict[str, float]:
    """One optimizer step over the DeepFM's parameters (random gradients), in ms."""
    model = step_variants.build("full")
    for parameter in model.parameters():
        parameter.grad = torch.randn_like(parameter)
    variants = {
        "default_ms": {},
        "foreach_ms": {"foreach": True},
        "fused_ms": {"fused": True},
    }
    return {
        name: _milliseconds(torch.optim.Adam(model.parameters(), lr=1e-3, **options).step, repeats)
        for name, options in variants.items()
    }  # fmt: skip


def page_faults(steps: int) -> dict[str, float]:
    """Minor page faults per training step of the DeepFM, without and with the
    trainer's memory reuse (each in a fresh model, after step_variants' warm-up)."""
    result = {}
    for name, context in (("plain", nullcontext), ("reuse", reuse_freed_memory)):
        with context():
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            step_variants.samples_per_second("full", steps)
            faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
        result[f"{name}_per_step"] = faults / (steps + 5)  # warm-up steps included
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rows", type=int, default=4096)
    parser.add_argument("--width", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument(
        "--output", type=Path, default=common.RESULTS_DIR / "kernels.json"
    )
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    with reuse_freed_memory():
        result: dict[str, Any] = {
            "threads": args.threads,
            "layer": {"rows": args.rows, "width": args.width,
                      **layer(args.rows, args.width, args.repeats)},
            "adam": adam(args.repeats),
        }  # fmt: skip
    result["page_faults"] = page_faults(args.steps)
    result["machine"] = common.machine()
    common.write_json(args.output, result)
    for part in ("layer", "adam", "page_faults"):
        values = ", ".join(
            f"{key} {value:,.3f}" if isinstance(value, float) else f"{key} {value}"
            for key, value in result[part].items()
        )
        print(f"{part}: {values}")
    return result


if __name__ == "__main__":
    main()
