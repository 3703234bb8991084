"""The machine's limit for a CTR model's training step, and ctrflow against it.

Three figures at the same batch size and thread count (defaults: the BARS Frappe
DeepFM: 10 fields x embedding 10, MLP 400 x 3, batch 4096, 2 threads):

- the sustained GEMM rate on the model's own layer shapes (forward ``X @ W.T``,
  backward ``dY @ W`` and ``dY.T @ X`` of every Linear), and the samples/s that
  rate allows if a step were nothing but those GEMMs;
- the bare MLP: the same Linear stack with ReLU only (no embedding, batch-norm,
  dropout or FM), trained with Adam on fixed inputs: the ceiling for the model
  (with freed memory kept for reuse, as ctrflow's trainer keeps it on CPU);
- ctrflow: DeepFM through the project's own trainer (``ctrflow.training.fit``) on
  Frappe-shaped synthetic ids, and its fraction of the ceiling.

    python benchmarks/ceiling.py --threads 2

writes ``benchmarks/results/ceiling.json`` and the ``ceiling`` section of
docs/benchmarks.md. ``benchmarks/peers.py`` calls ``measure`` in its own run.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import common
import torch
from torch import nn

from ctrflow.training.memory import reuse_freed_memory


@dataclass(frozen=True)
class Shapes:
    """A DeepFM-like step: ``fields * embedding_dim`` inputs to the hidden layers."""

    fields: int = 10
    embedding_dim: int = 10
    hidden_units: tuple[int, ...] = (400, 400, 400)
    batch_size: int = 4096
    vocabulary: int = 5400  # Frappe's id space, roughly

    @property
    def layer_dims(self) -> list[tuple[int, int]]:
        widths = [self.fields * self.embedding_dim, *self.hidden_units, 1]
        return list(zip(widths[:-1], widths[1:], strict=True))

    @property
    def flops_per_sample(self) -> float:
        """Forward + both backward GEMMs: 3 x 2 x in x out per Linear."""
        return sum(6.0 * n_in * n_out for n_in, n_out in self.layer_dims)


def _seconds_per_call(fn, repeats: int, warmup: int = 3) -> float:
    for _ in range(warmup):
        fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats


def gemm_rate(shapes: Shapes, repeats: int = 30) -> dict[str, Any]:
    """GFLOP/s of the step's GEMMs, each timed alone on fresh random operands."""
    batch = shapes.batch_size
    total_flops, total_seconds, per_layer = 0.0, 0.0, []
    for n_in, n_out in shapes.layer_dims:
        x, w = torch.randn(batch, n_in), torch.randn(n_out, n_in)
        dy = torch.randn(batch, n_out)
        seconds = sum(
            _seconds_per_call(fn, repeats)
            for fn in (lambda: x @ w.T, lambda: dy @ w, lambda: dy.T @ x)
        )
        flops = 6.0 * batch * n_in * n_out
        per_layer.append(
            {"shape": f"{n_in}x{n_out}", "gflop_per_second": flops / seconds / 1e9}
        )
        total_flops += flops
        total_seconds += seconds
    rate = total_flops / total_seconds
    return {
        "gflop_per_second": rate / 1e9,
        "per_layer": per_layer,
        "flops_per_sample": shapes.flops_per_sample,
        "gemm_bound_samples_per_second": rate / shapes.flops_per_sample,
    }


def bare_mlp_samples_per_second(shapes: Shapes, steps: int = 40) -> float:
    """Linear + ReLU only, BCE loss, Adam: full training steps on fixed inputs."""
    torch.manual_seed(0)
    layers: list[nn.Module] = []
    for n_in, n_out in shapes.layer_dims:
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    model = nn.Sequential(*layers[:-1])  # no ReLU on the logit
    optimizer = torch.optim.Adam(
        model.parameters(), lr=1e-3, fused=True
    )  # as the trainer
    loss_fn = nn.BCEWithLogitsLoss()
    batches = 8
    inputs = torch.randn(batches * shapes.batch_size, shapes.layer_dims[0][0])
    labels = (torch.rand(batches * shapes.batch_size) < 0.33).float()

    def step(index=[0]) -> None:  # noqa: B006 - a step counter
        begin = (index[0] % batches) * shapes.batch_size
        index[0] += 1
        end = begin + shapes.batch_size
        loss = loss_fn(model(inputs[begin:end]).squeeze(-1), labels[begin:end])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    return shapes.batch_size / _seconds_per_call(step, steps, warmup=5)


def ctrflow_samples_per_second(
    shapes: Shapes, rows: int = 200_000, epochs: int = 2
) -> dict[str, Any]:
    """DeepFM (BARS Frappe config) through ``ctrflow.training.fit`` on synthetic
    Frappe-shaped ids with a planted signal; the last epoch's samples/s (the first
    pays one-off allocation)."""
    from ctrflow.models.layers import FieldSpec
    from ctrflow.models.registry import build_model
    from ctrflow.training.data import TensorSet
    from ctrflow.training.params import TrainingParams
    from ctrflow.training.trainer import fit

    generator = torch.Generator().manual_seed(0)
    per_field = shapes.vocabulary // shapes.fields
    local = torch.randint(0, per_field, (rows, shapes.fields), generator=generator)
    ids = (local + torch.arange(shapes.fields) * per_field).to(torch.int32)
    signal = (local[:, 0] % 7 - 3).float() + (local[:, 1] % 5 - 2).float()
    labels = (torch.rand(rows, generator=generator) < torch.sigmoid(signal)).float()
    numerics = torch.zeros(rows, 0)
    valid_rows = rows // 10
    train = TensorSet(ids[valid_rows:], numerics[valid_rows:], labels[valid_rows:])
    valid = TensorSet(ids[:valid_rows], numerics[:valid_rows], labels[:valid_rows])
    params = TrainingParams(
        model="DeepFM", device="cpu", max_epochs=epochs, early_stop_patience=epochs,
        batch_size=shapes.batch_size, embedding_regularizer=0.05, progress_bar=False,
        num_threads=torch.get_num_threads(),
    )  # fmt: skip
    spec = FieldSpec(shapes.vocabulary, shapes.fields, 0)
    model = build_model("DeepFM", spec, params.models.DeepFM)
    _, history = fit(model, train, valid, params)
    return {
        "rows": len(train),
        "epochs": epochs,
        "samples_per_second": history["epochs"][-1]["samples_per_second"],
    }


def measure(
    threads: int,
    shapes: Shapes = Shapes(),
    ctrflow: bool = True,
    rows: int = 200_000,
    repeats: int = 3,
) -> dict[str, Any]:
    """All three figures with ``threads`` torch threads. The bare MLP and ctrflow
    are measured ``repeats`` times, alternately, and their medians reported: one
    process on these shared cores can run 10% slower than the next."""
    torch.set_num_threads(threads)
    result: dict[str, Any] = {"threads": threads, "shapes": shapes.__dict__}
    bare_runs, ctrflow_runs = [], []
    with reuse_freed_memory():  # the allocator ctrflow's trainer runs under
        result["gemm"] = gemm_rate(shapes)
        for _ in range(repeats):
            bare_runs.append(bare_mlp_samples_per_second(shapes))
            if ctrflow:
                ctrflow_runs.append(ctrflow_samples_per_second(shapes, rows=rows))
    result["bare_mlp_runs"] = bare_runs
    result["bare_mlp_samples_per_second"] = statistics.median(bare_runs)
    if ctrflow:
        rates = [run["samples_per_second"] for run in ctrflow_runs]
        result["ctrflow_runs"] = rates
        result["ctrflow"] = {
            **ctrflow_runs[0],
            "samples_per_second": statistics.median(rates),
        }
        result["ctrflow_fraction_of_bare_mlp"] = (
            result["ctrflow"]["samples_per_second"]
            / result["bare_mlp_samples_per_second"]
        )
    return result


def markdown(result: dict[str, Any], command: str, machine: dict[str, Any]) -> str:
    gemm = result["gemm"]
    rows = [
        ["GEMMs of the step, sustained", f"{gemm['gflop_per_second']:.0f} GFLOP/s",
         f"{gemm['gemm_bound_samples_per_second']:,.0f} samples/s if a step were only its GEMMs "
         f"({gemm['flops_per_sample'] / 1e6:.2f} MFLOP/sample)"],
        ["bare MLP (Linear + ReLU, Adam)", f"{result['bare_mlp_samples_per_second']:,.0f} samples/s",
         "the ceiling"],
    ]  # fmt: skip
    if "ctrflow" in result:
        rows.append(
            ["ctrflow DeepFM, `ctrflow.training.fit`",
             f"{result['ctrflow']['samples_per_second']:,.0f} samples/s",
             f"{result['ctrflow_fraction_of_bare_mlp']:.2f} of the ceiling (target ≥ 0.8)"]
        )  # fmt: skip
    per_layer = ", ".join(
        f"{layer['shape']}: {layer['gflop_per_second']:.0f}"
        for layer in gemm["per_layer"]
    )
    return "\n".join(
        [
            f"Command: `{command}` — {common.machine_line(machine)}; "
            f"{result['threads']} threads, batch {result['shapes']['batch_size']}; "
            f"bare MLP and ctrflow: the median of {len(result['bare_mlp_runs'])} "
            "alternating runs each.",
            "",
            common.markdown_table(["", "measured", "meaning"], rows),
            "",
            f"GFLOP/s per layer shape (forward + backward GEMMs): {per_layer}.",
        ]
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument(
        "--ctrflow-rows",
        type=int,
        default=200_000,
        help="synthetic rows for the trainer",
    )
    parser.add_argument(
        "--no-ctrflow", action="store_true", help="skip the trainer run"
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="runs of the bare MLP and of ctrflow"
    )
    parser.add_argument(
        "--output", type=Path, default=common.RESULTS_DIR / "ceiling.json"
    )
    parser.add_argument("--docs-page", type=Path, default=common.DOCS_PAGE)
    args = parser.parse_args(argv)
    shapes = Shapes(batch_size=args.batch_size)
    result = measure(
        args.threads, shapes, ctrflow=not args.no_ctrflow, rows=args.ctrflow_rows,
        repeats=args.repeats,
    )  # fmt: skip
    machine = common.machine()
    result["machine"] = machine
    common.write_json(args.output, result)
    command = f"python benchmarks/ceiling.py --threads {args.threads}"
    common.update_docs_section(
        "ceiling", markdown(result, command, machine), args.docs_page
    )
    print(markdown(result, command, machine))
    return result


if __name__ == "__main__":
    main()
