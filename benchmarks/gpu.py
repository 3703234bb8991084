"""GPU training and scoring throughput of DeepFM and DCNv2 on Criteo-shaped rows.

Run from the project root on a machine with a CUDA device::

    python benchmarks/gpu.py --rows 10000000 --batch-sizes 4096,65536

For each model x batch size x variant (bf16 autocast off/on x torch.compile
off/on) it measures, through the project's own code:

- training samples/s: ``ctrflow.training.fit`` for ``--epochs`` epochs (default
  2); the figure is the *last* epoch's ``samples_per_second`` from the returned
  history, so the compile warm-up (paid in epoch 1) is excluded;
- scoring rows/s: ``ctrflow.training.trainer.predict_logits`` over the training
  rows with ``--score-batch-size`` rows per batch, one untimed warm-up pass, then
  one timed pass (``torch.cuda.synchronize`` around it);
- peak GPU memory: ``torch.cuda.max_memory_allocated``, reset before training
  and again before scoring (the resident data set is included in both);
  ``null`` on CPU.

The rows are generated *already encoded*, directly on the target device: a
``TensorSet`` of int32 global ids (26 categorical fields with per-field offsets,
long-tail vocabularies shaped like the demo generator's, about 1.09M ids in all),
13 float32 numerics (standardised log counters, missing = 0) and float32 labels
drawn from a planted logistic model (field effects, a C3 x C4 interaction, two
counters), so the models learn something and the validation AUC can be read
against the planted model's own AUC. Ingestion and encoding are excluded; the
scaling benchmark covers them. The validation rows (a slice generated after the
training rows) stay on the CPU, as ``fit`` expects.

Without a CUDA device and with ``--device auto`` the same run happens on the CPU
as a smoke test (50,000 rows unless ``--rows`` is given), and the docs section
says so: those are not GPU figures. A variant that fails (e.g. torch.compile
without a working C++ compiler, or out of memory) is recorded as failed with its
error; the other variants still run.

Results: JSON (``--output``) and the ``gpu`` section of ``--docs-page``.
"""

from __future__ import annotations

import argparse
import gc
import logging
import math
import shlex
import sys
import time
import traceback
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import common
import torch

from ctrflow.evaluation.metrics import roc_auc
from ctrflow.models.layers import FieldSpec
from ctrflow.models.registry import ModelsConfig, build_model
from ctrflow.training.data import TensorSet
from ctrflow.training.params import TrainingParams
from ctrflow.training.trainer import fit, predict_logits

logger = logging.getLogger("benchmarks.gpu")

GPU_ROWS = 10_000_000
CPU_ROWS = 50_000
TARGET_TRAIN = 3_000_000  # DeepFM training samples/s, one H100, 10M rows
TARGET_SCORE = 20_000_000  # scoring rows/s

# (bf16_autocast, compile) per variant name
VARIANTS: dict[str, tuple[bool, bool]] = {
    "fp32": (False, False),
    "bf16": (True, False),
    "fp32+compile": (False, True),
    "bf16+compile": (True, True),
}


@dataclass(frozen=True)
class Field:
    """One categorical field of the generated data.

    ``cardinality`` kept values drawn with P(k) ~ 1 / (k + 1) ** ``exponent``
    (``None``: uniform); ``missing`` and ``oov`` are the fractions of rows that
    hold the field's missing-value id and the shared OOV / rare id.
    """

    name: str
    cardinality: int
    exponent: float | None = 1.1
    missing: float = 0.0
    oov: float = 0.0

    @property
    def vocab_size(self) -> int:
        # local ids: 0 padding, 1 OOV / rare, 2 missing, 3.. the kept values
        return self.cardinality + 3


# The demo generator's fields (ctrflow.demo_data): the same cardinalities, Zipf
# exponents and missing fractions; C8 (near-unique ids there) keeps 1,000,000
# values and sends 30% of rows to OOV, as a min-count vocabulary would on Criteo.
FIELDS: tuple[Field, ...] = (
    Field("C1", 50, 0.8),
    Field("C2", 2_000, 1.05, missing=0.05),
    Field("C3", 20, None),
    Field("C4", 20, None),
    Field("C5", 50, 0.8),  # C1 with 5% of its values replaced at random
    Field("C6", 3), Field("C7", 500), Field("C8", 1_000_000, None, oov=0.3),
    Field("C9", 2), Field("C10", 10), Field("C11", 100),
    Field("C12", 1_000, missing=0.3), Field("C13", 5_000), Field("C14", 4),
    Field("C15", 300), Field("C16", 50_000), Field("C17", 7), Field("C18", 2_000),
    Field("C19", 25, missing=0.45), Field("C20", 150), Field("C21", 800),
    Field("C22", 3_000, missing=0.1), Field("C23", 60),
    Field("C24", 20_000, missing=0.2), Field("C25", 5),
    Field("C26", 1, None),
)  # fmt: skip
PLANTED_FIELDS = ("C1", "C2", "C3", "C4", "C5")  # the label reads C1..C4; C5 copies C1
NUM_NUMERIC = 13
BASE_LOGIT = -1.6


@dataclass(frozen=True)
class Generated:
    train: TensorSet  # on the target device
    valid: TensorSet  # on the CPU
    spec: FieldSpec
    planted_valid_auc: float  # AUC of the true logits on the validation rows
    seconds: float


def _draw_local(
    field: Field, rows: int, generator: torch.Generator, device: torch.device
) -> torch.Tensor:
    """Value indices 0..cardinality-1 (int64) of one field, before PAD/OOV/missing."""
    if field.exponent is None:
        return torch.randint(
            0, field.cardinality, (rows,), generator=generator, device=device
        )
    ranks = torch.arange(1, field.cardinality + 1, device=device, dtype=torch.float64)
    cdf = torch.cumsum(ranks.pow(-field.exponent), 0)
    cdf /= cdf[-1].clone()
    uniform = torch.rand(rows, generator=generator, device=device, dtype=torch.float64)
    drawn = torch.searchsorted(cdf, uniform, right=True)
    return drawn.clamp_(max=field.cardinality - 1)


def generate(
    rows: int,
    valid_rows: int,
    device: torch.device,
    seed: int,
    max_cardinality: int | None = None,
) -> Generated:
    """``rows`` training and ``valid_rows`` validation rows, encoded, on ``device``
    (validation copied to the CPU). Labels follow the planted logistic model.
    ``max_cardinality`` caps each field's kept values (a smaller embedding table
    for quick smoke tests; the planted fields C1..C5 keep theirs)."""
    start = time.perf_counter()
    fields = [
        replace(f, cardinality=min(f.cardinality, max_cardinality))
        if max_cardinality and f.name not in PLANTED_FIELDS
        else f
        for f in FIELDS
    ]
    total = rows + valid_rows
    gen = torch.Generator(device=device).manual_seed(seed)

    def rand(n: int) -> torch.Tensor:
        return torch.rand(n, generator=gen, device=device)

    ids = torch.empty((total, len(fields)), dtype=torch.int32, device=device)
    local: dict[str, torch.Tensor] = {}
    offset = 0
    for column, field in enumerate(fields):
        if field.name == "C5":
            replaced = rand(total) < 0.05
            noise = torch.randint(0, 50, (total,), generator=gen, device=device)
            values = torch.where(replaced, noise, local["C1"])
        else:
            values = _draw_local(field, total, gen, device)
        if field.name in ("C1", "C2", "C3", "C4"):
            local[field.name] = values
        encoded = values + 3
        if field.oov:
            encoded = torch.where(rand(total) < field.oov, 1, encoded)
        if field.missing:
            encoded = torch.where(rand(total) < field.missing, 2, encoded)
        ids[:, column] = (encoded + offset).to(torch.int32)
        offset += field.vocab_size
        del values, encoded

    # counters as the demo draws them (heavy-tailed, many zeros), then log1p and
    # standardised; a missing value reads 0 (the mean) but the label sees the truth
    numerics = torch.empty((total, NUM_NUMERIC), dtype=torch.float32, device=device)
    truth: list[torch.Tensor] = []
    for i in range(NUM_NUMERIC):
        normal = torch.randn(total, generator=gen, device=device)
        counts = torch.floor(
            torch.exp(math.log(2 + 3 * i) + 1.5 * normal) * rand(total) ** 2
        )
        logged = torch.log1p(counts)
        standard = (logged - logged.mean()) / logged.std().clamp_min(1e-6)
        if i < 2:
            truth.append(logged - logged.mean())
        numerics[:, i] = torch.where(rand(total) < 0.05 + 0.03 * i, 0.0, standard)
        del normal, counts, logged, standard

    def effects(n: int, mean: float, std: float) -> torch.Tensor:
        return mean + std * torch.randn(n, generator=gen, device=device)

    c1, c2, c3 = effects(50, 0, 0.8), effects(2_000, 0, 0.7), effects(20, 0, 0.5)
    gain, c4 = effects(20, 0.6, 0.6), effects(20, 0, 1.0)
    logit = (
        BASE_LOGIT
        + c1[local["C1"]]
        + c2[local["C2"]]
        + c3[local["C3"]]
        + gain[local["C3"]] * c4[local["C4"]]
        + 0.45 * truth[0]
        - 0.35 * truth[1]
    )
    labels = (rand(total) < torch.sigmoid(logit)).to(torch.float32)
    del local, truth

    train = TensorSet(ids[:rows], numerics[:rows], labels[:rows])
    valid = TensorSet(ids[rows:], numerics[rows:], labels[rows:]).to(
        torch.device("cpu")
    )
    planted_auc = roc_auc(valid.labels.numpy(), logit[rows:].cpu().numpy())
    if device.type == "cuda":
        torch.cuda.synchronize()
    spec = FieldSpec(
        vocab_size=offset, num_categorical=len(fields), num_numeric=NUM_NUMERIC
    )
    return Generated(train, valid, spec, planted_auc, time.perf_counter() - start)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _reset_peak(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
        torch.cuda.reset_peak_memory_stats(device)


def _peak_gib(device: torch.device) -> float | None:
    if device.type != "cuda":
        return None
    return torch.cuda.max_memory_allocated(device) / 2**30


def _error_text(error: BaseException) -> str:
    """The exception's type and first lines (inductor errors run to pages)."""
    lines = [line for line in str(error).strip().splitlines() if line.strip()]
    text = " ".join(lines[:3])
    return f"{type(error).__name__}: {text[:500]}"


def run_variant(
    data: Generated,
    model_name: str,
    variant: str,
    batch_size: int,
    *,
    device: torch.device,
    epochs: int,
    score_batch_size: int,
    seed: int,
) -> dict[str, Any]:
    """Train, score and measure one model x variant x batch size."""
    bf16, compiled = VARIANTS[variant]
    row: dict[str, Any] = {
        "model": model_name,
        "variant": variant,
        "bf16_autocast": bf16,
        "compile": compiled,
        "batch_size": batch_size,
        "score_batch_size": score_batch_size,
        "status": "ok",
        "error": None,
    }
    started = time.perf_counter()
    torch._dynamo.reset()  # every variant compiles from scratch, no cache limit hit
    params = TrainingParams(
        model=model_name,
        device=device.type,
        seed=seed,
        max_epochs=epochs,
        batch_size=batch_size,
        early_stop_patience=epochs,
        embedding_regularizer=0.0,  # the figures were measured without L2
        bf16_autocast=bf16,
        compile=compiled,
        progress_bar=False,
    )
    model = None
    try:
        torch.manual_seed(seed)
        model = build_model(model_name, data.spec, getattr(ModelsConfig(), model_name))
        _reset_peak(device)
        model, history = fit(model, data.train, data.valid, params)
        row["peak_train_gpu_gib"] = _peak_gib(device)
        last = history["epochs"][-1]
        row |= {
            "train_samples_per_second": last["samples_per_second"],
            "epoch_samples_per_second": [
                e["samples_per_second"] for e in history["epochs"]
            ],
            "epoch_seconds": [e["seconds"] for e in history["epochs"]],
            "valid_auc": last["valid_auc"],
            "valid_logloss": last["valid_logloss"],
        }

        model.to(device)
        scorer = torch.compile(model) if compiled else model
        _reset_peak(device)
        predict_logits(scorer, data.train, score_batch_size, device, bf16)  # warm-up
        _sync(device)
        start = time.perf_counter()
        predict_logits(scorer, data.train, score_batch_size, device, bf16)
        _sync(device)
        seconds = time.perf_counter() - start
        row |= {
            "score_seconds": seconds,
            "score_rows_per_second": len(data.train) / seconds,
            "peak_score_gpu_gib": _peak_gib(device),
        }
    except Exception as error:  # noqa: BLE001 - one failed variant must not end the run
        row["status"] = "failed"
        row["error"] = _error_text(error)
        logger.warning(
            "%s %s batch %d failed: %s", model_name, variant, batch_size, row["error"]
        )
        logger.debug("%s", traceback.format_exc())
    finally:
        del model
        gc.collect()
        if device.type == "cuda":
            torch.cuda.empty_cache()
    row["wall_seconds"] = time.perf_counter() - started
    return row


# --- report ----------------------------------------------------------------------


def _rate(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 1e6:
        return f"{value / 1e6:.2f}M"
    if value >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:.0f}"


def _gib(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _best(rows: list[dict[str, Any]], model: str, key: str) -> dict[str, Any] | None:
    ok = [r for r in rows if r["model"] == model and r["status"] == "ok"]
    return max(ok, key=lambda r: r[key]) if ok else None


def targets(result: dict[str, Any]) -> list[str]:
    """One line per target: the best DeepFM figure against it."""
    rows = result["results"]
    lines = []
    for key, target, what in (
        ("train_samples_per_second", TARGET_TRAIN, "training samples/s"),
        ("score_rows_per_second", TARGET_SCORE, "scoring rows/s"),
    ):
        best = _best(rows, "DeepFM", key)
        goal = f"DeepFM {what} ≥ {_rate(target)} on one H100, 10M rows"
        if best is None:
            lines.append(f"- {goal}: no DeepFM run succeeded.")
        elif result["cpu_smoke_run"]:
            lines.append(
                f"- {goal}: not measured here (CPU smoke run; best CPU figure "
                f"{_rate(best[key])}, {best['variant']}, batch {best['batch_size']:,})."
            )
        else:
            verdict = "met" if best[key] >= target else "not met"
            lines.append(
                f"- {goal}: **{verdict}**, best {_rate(best[key])} "
                f"({best['variant']}, batch {best['batch_size']:,}, "
                f"{result['rows']:,} rows on {result['machine']['gpu']})."
            )
    return lines


def docs_markdown(result: dict[str, Any]) -> str:
    """The ``gpu`` section: heading, command, machine, caveats, table, targets."""
    header = [
        "model", "batch", "variant", "training samples/s (last epoch)",
        "epoch 1 samples/s", "valid AUC", "scoring rows/s",
        "peak GPU GiB (train / score)", "status",
    ]  # fmt: skip
    table_rows = []
    for r in result["results"]:
        ok = r["status"] == "ok"
        epochs = r.get("epoch_samples_per_second") or [None]
        table_rows.append(
            [
                r["model"],
                f"{r['batch_size']:,}",
                r["variant"],
                _rate(r.get("train_samples_per_second")) if ok else "–",
                _rate(epochs[0]) if ok else "–",
                f"{r['valid_auc']:.4f}" if ok else "–",
                _rate(r.get("score_rows_per_second")) if ok else "–",
                f"{_gib(r.get('peak_train_gpu_gib'))} / {_gib(r.get('peak_score_gpu_gib'))}"
                if ok and r.get("peak_train_gpu_gib") is not None
                else "–",
                "ok" if ok else f"failed: {r['error']}",
            ]
        )
    gen = result["data"]
    kind = (
        "**CPU smoke run, not the GPU figures**: no CUDA device was available, so this "
        "checks that the benchmark runs; the bf16 rows equal the fp32 ones (the trainer "
        "applies bf16 autocast on CUDA only) and peak GPU memory is not measured."
        if result["cpu_smoke_run"]
        else f"On {result['machine']['gpu']} (`{result['device']}`)."
    )
    parts = [
        "## GPU: training and scoring throughput (DeepFM, DCNv2)",
        "",
        "Command (project root):",
        "",
        f"```bash\n{result['command']}\n```",
        "",
        f"Machine: {common.machine_line(result['machine'])}.",
        "",
        kind,
        "",
        f"{result['rows']:,} Criteo-shaped rows generated already encoded on the device "
        f"(26 categorical fields, {gen['vocab_size']:,} ids in all, long-tail like the "
        f"demo data; 13 float numerics; labels from a planted logistic model, "
        f"{gen['positive_rate']:.1%} positive) in {gen['seconds']:.1f} s, not timed. "
        "Ingestion and encoding are excluded; the scaling benchmark covers them. "
        f"Validation: {result['valid_rows']:,} more rows (planted model's own AUC on "
        f"them: {gen['planted_valid_auc']:.4f}). Training: `ctrflow.training.fit`, "
        f"{result['epochs']} epochs, BARS model configs, Adam 1e-3, gradient clipping 10, "
        "no L2; the training figure is the last epoch's samples/s (epoch 1 includes "
        "torch.compile's warm-up). Scoring: `predict_logits` over the training rows, "
        f"{result['score_batch_size']:,} rows per batch, timed after a warm-up pass. "
        "Peak GPU memory includes the resident data set.",
        "",
        common.markdown_table(header, table_rows),
        "",
        "Targets:",
        "",
        *targets(result),
        "",
        f"Whole run: {result['total_seconds']:.0f} s.",
    ]
    return "\n".join(parts)


# --- main ------------------------------------------------------------------------


def _names(value: str, allowed: list[str], what: str) -> list[str]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in allowed]
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown {what} {unknown or value!r}; choose from {', '.join(allowed)}"
        )
    return names


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=None,
        help=f"training rows (default {GPU_ROWS:,} on CUDA, {CPU_ROWS:,} on CPU)",
    )  # fmt: skip
    parser.add_argument("--valid-rows", type=int, default=None,
                        help="validation rows (default rows/20, 5,000..500,000)")  # fmt: skip
    parser.add_argument(
        "--models", default="DeepFM,DCNv2",
        type=lambda v: _names(v, list(ModelsConfig.model_fields), "model"),
    )  # fmt: skip
    parser.add_argument(
        "--variants", default=",".join(VARIANTS),
        type=lambda v: _names(v, list(VARIANTS), "variant"),
        help=f"subset of {', '.join(VARIANTS)}",
    )  # fmt: skip
    parser.add_argument(
        "--batch-sizes", default="4096",
        type=lambda v: [int(x) for x in v.split(",") if x.strip()],
        help="training batch sizes, comma-separated (e.g. 4096,65536)",
    )  # fmt: skip
    parser.add_argument("--score-batch-size", type=int, default=262_144)
    parser.add_argument("--epochs", type=int, default=2,
                        help="epochs per variant; the last one is reported")  # fmt: skip
    parser.add_argument("--device", choices=["auto", "cuda", "cpu"], default="auto")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--max-cardinality", type=int, default=None,
        help="cap each field's kept values (quick smoke tests; default: none, "
        "about 1.09M ids in all)",
    )  # fmt: skip
    parser.add_argument("--output", type=Path, default=common.RESULTS_DIR / "gpu.json")
    parser.add_argument("--docs-page", type=Path, default=common.DOCS_PAGE)
    args = parser.parse_args(argv)
    if args.epochs < 1 or any(b < 1 for b in args.batch_sizes) or not args.batch_sizes:
        parser.error("--epochs and --batch-sizes must be positive")
    return args


def main(argv: list[str] | None = None) -> dict[str, Any]:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    started = time.perf_counter()
    if args.device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("--device cuda but no CUDA device is available")
    use_cuda = args.device == "cuda" or (
        args.device == "auto" and torch.cuda.is_available()
    )
    device = torch.device("cuda" if use_cuda else "cpu")
    rows = args.rows or (GPU_ROWS if use_cuda else CPU_ROWS)
    valid_rows = args.valid_rows or min(max(rows // 20, 5_000), 500_000)

    data = generate(rows, valid_rows, device, args.seed, args.max_cardinality)
    logger.info(
        "generated %d + %d rows on %s in %.1fs (vocabulary %d, planted valid AUC %.4f)",
        rows, valid_rows, device, data.seconds, data.spec.vocab_size,
        data.planted_valid_auc,
    )  # fmt: skip

    results = []
    for batch_size in args.batch_sizes:
        for model_name in args.models:
            for variant in args.variants:
                row = run_variant(
                    data, model_name, variant, batch_size, device=device,
                    epochs=args.epochs, score_batch_size=args.score_batch_size,
                    seed=args.seed,
                )  # fmt: skip
                results.append(row)
                logger.info(
                    "%s batch %d %s: %s train %s samples/s, score %s rows/s, "
                    "peak GPU %s / %s GiB, %.1fs",
                    model_name, batch_size, variant, row["status"],
                    _rate(row.get("train_samples_per_second")),
                    _rate(row.get("score_rows_per_second")),
                    _gib(row.get("peak_train_gpu_gib")),
                    _gib(row.get("peak_score_gpu_gib")), row["wall_seconds"],
                )  # fmt: skip

    result: dict[str, Any] = {
        "benchmark": "gpu",
        "command": "python benchmarks/gpu.py"
        + (f" {shlex.join(argv)}" if argv else ""),
        "machine": common.machine(),
        "device": str(device),
        "cpu_smoke_run": device.type != "cuda",
        "rows": rows,
        "valid_rows": valid_rows,
        "epochs": args.epochs,
        "score_batch_size": args.score_batch_size,
        "data": {
            "categorical_fields": len(FIELDS),
            "numeric_fields": NUM_NUMERIC,
            "vocab_size": data.spec.vocab_size,
            "max_cardinality": args.max_cardinality,
            "positive_rate": float(data.train.labels.float().mean().item()),
            "planted_valid_auc": data.planted_valid_auc,
            "seconds": data.seconds,
        },
        "targets": {
            "deepfm_train_samples_per_second": TARGET_TRAIN,
            "score_rows_per_second": TARGET_SCORE,
        },
        "results": results,
        "total_seconds": time.perf_counter() - started,
    }
    common.write_json(args.output, result)
    common.update_docs_section("gpu", docs_markdown(result), args.docs_page)
    print(docs_markdown(result))
    print(f"\nwrote {args.output} and the 'gpu' section of {args.docs_page}")
    return result


if __name__ == "__main__":
    main()
