"""Scoring speed of one model: torch eager against onnxruntime at batch 1, 64 and
4096, and the forward pass against its GEMM ceiling.

    python benchmarks/inference.py [--model DeepFM] [--threads 2]

The model is built with its registry defaults on the demo-shaped input of
``benchmarks/export_all_models.py`` (26 categorical fields, 13 numeric; weights at
trained scale, eval mode) and exported with ``ExportParams()``'s defaults. For
each batch size, the same encoded rows are scored repeatedly by
``predict_logits``'s torch path (``torch.inference_mode``) and by
``OnnxModel.predict_logits``; the median latency of one call and the rows/s it
implies are reported, with onnxruntime's p50/p99 at batch 1. The ceiling is the
MLP's matrix products alone (``torch.addmm`` chains of the model's exact shapes at
batch 4096, nothing else): the forward pass's rows/s divided by it is the fraction
of the ceiling. Writes ``benchmarks/results/inference.json`` and the ``inference``
section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import common
import numpy as np
import torch
from export_all_models import demo_feature_map, random_encoded, trained_like
from torch import nn

BATCHES = (1, 64, 4096)


def _timed(call, repeats: int) -> list[float]:
    """Seconds of each of ``repeats`` calls, after three warm-up calls."""
    for _ in range(3):
        call()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return seconds


def _repeats(batch: int) -> int:
    return 2000 if batch == 1 else 400 if batch == 64 else 30


def gemm_ceiling(model: nn.Module, batch: int, repeats: int) -> dict[str, float]:
    """rows/s of the model's ``nn.Linear`` products alone, chained at ``batch``
    rows: the arithmetic the forward pass cannot avoid."""
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    inputs = [torch.randn(batch, m.in_features) for m in linears]
    weights = [m.weight.detach().t().contiguous() for m in linears]
    biases = [m.bias.detach() if m.bias is not None else None for m in linears]

    def products() -> None:
        for x, w, b in zip(inputs, weights, biases, strict=True):
            torch.addmm(b, x, w) if b is not None else torch.mm(x, w)

    with torch.inference_mode():
        seconds = statistics.median(_timed(products, repeats))
    flops = sum(2 * batch * m.in_features * m.out_features for m in linears)
    return {
        "rows_per_second": batch / seconds,
        "gflops": flops / seconds / 1e9,
        "mflop_per_row": flops / batch / 1e6,
    }


def measure(model_name: str, threads: int) -> dict[str, Any]:
    from ctrflow.export.onnx import build_onnx_export  # noqa: PLC0415
    from ctrflow.export.params import ExportParams  # noqa: PLC0415
    from ctrflow.export.parity import onnx_inputs  # noqa: PLC0415
    from ctrflow.export.runtime import OnnxModel  # noqa: PLC0415
    from ctrflow.training.data import to_tensors  # noqa: PLC0415

    torch.set_num_threads(threads)
    feature_map = demo_feature_map(sequence=model_name == "DIN")
    artifact = trained_like(model_name, feature_map)
    export = build_onnx_export(artifact, ExportParams())
    onnx_model = OnnxModel.from_bytes(
        export.onnx_model, export.preprocessing, threads=threads
    )
    encoded = random_encoded(feature_map, max(BATCHES))
    tensors = to_tensors(encoded, feature_map)
    arrays = onnx_inputs(encoded, feature_map)
    model = artifact.model.eval()
    results: dict[str, Any] = {"model": model_name, "threads": threads, "batches": {}}
    for batch in BATCHES:
        batch_tensors = tensors.slice(0, batch)
        batch_arrays = [a[:batch] for a in arrays]

        def torch_call(data=batch_tensors) -> None:
            with torch.inference_mode():
                model(data)

        def onnx_call(inputs=batch_arrays) -> None:
            onnx_model.predict_logits(*inputs)

        torch_seconds = _timed(torch_call, _repeats(batch))
        onnx_seconds = _timed(onnx_call, _repeats(batch))
        results["batches"][batch] = {
            "torch_median_ms": statistics.median(torch_seconds) * 1e3,
            "onnx_median_ms": statistics.median(onnx_seconds) * 1e3,
            "onnx_p99_ms": float(np.percentile(onnx_seconds, 99)) * 1e3,
            "torch_rows_per_second": batch / statistics.median(torch_seconds),
            "onnx_rows_per_second": batch / statistics.median(onnx_seconds),
        }
    results["gemm_ceiling"] = gemm_ceiling(model, max(BATCHES), 30)
    forward = results["batches"][max(BATCHES)]["torch_rows_per_second"]
    ceiling = results["gemm_ceiling"]["rows_per_second"]
    results["forward_vs_ceiling"] = forward / ceiling
    onnx_forward = results["batches"][max(BATCHES)]["onnx_rows_per_second"]
    results["onnx_forward_vs_ceiling"] = onnx_forward / ceiling
    return results


def markdown(result: dict[str, Any], command: str, machine: dict[str, Any]) -> str:
    rows = []
    for batch, r in result["batches"].items():
        rows.append([
            batch,
            f"{r['torch_median_ms']:.3f}", f"{r['onnx_median_ms']:.3f}",
            f"{r['torch_rows_per_second']:,.0f}", f"{r['onnx_rows_per_second']:,.0f}",
            f"{r['onnx_rows_per_second'] / r['torch_rows_per_second']:.2f}",
        ])  # fmt: skip
    ceiling = result["gemm_ceiling"]
    one = result["batches"][1]
    return "\n".join(
        [
            f"Command: `{command}` — {common.machine_line(machine)}; "
            f"{result['model']} (registry defaults, 26 categorical + 13 numeric "
            f"fields), {result['threads']} threads; medians of repeated calls.",
            "",
            common.markdown_table(
                [
                    "batch",
                    "torch ms",
                    "onnxruntime ms",
                    "torch rows/s",
                    "onnxruntime rows/s",
                    "onnxruntime / torch",
                ],
                rows,
            ),  # fmt: skip
            "",
            f"onnxruntime at batch 1: p50 {one['onnx_median_ms']:.3f} ms, p99 "
            f"{one['onnx_p99_ms']:.3f} ms (target p50 < 1 ms).",
            f"The forward pass's GEMMs alone ({ceiling['mflop_per_row']:.2f} MFLOP a "
            f"row, {ceiling['gflops']:.0f} GFLOP/s): {ceiling['rows_per_second']:,.0f} "
            f"rows/s at batch 4096; torch's forward reaches "
            f"{result['forward_vs_ceiling']:.2f} of it (target ≥ 0.7), onnxruntime's "
            f"whole forward {result['onnx_forward_vs_ceiling']:.2f} times it.",
        ]
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="DeepFM")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--output", type=Path, default=common.RESULTS_DIR / "inference.json"
    )
    parser.add_argument("--docs-page", type=Path, default=common.DOCS_PAGE)
    args = parser.parse_args(argv)
    result = measure(args.model, args.threads)
    info = common.machine()
    common.write_json(args.output, {"machine": info, **result})
    given = sys.argv[1:] if argv is None else argv
    command = " ".join(["python benchmarks/inference.py", *given])
    text = markdown(result, command, info)
    common.update_docs_section("inference", text, args.docs_page)
    print(text)  # noqa: T201
    return result


if __name__ == "__main__":
    main()
