"""Every registered model through the ONNX export: exporter used, largest
difference between onnxruntime's and torch's probabilities, pass or the reason.

    python benchmarks/export_all_models.py [--rows 4096] [--models DeepFM DIN]

Each model is built with its registry defaults (the configuration a plain
``kedro run`` trains) on a demo-shaped input: 26 categorical fields of 40-90
values each and 13 numeric fields (DIN also gets one behaviour sequence of 10
steps sharing the first field's vocabulary). Its weights are drawn at trained
scale (embeddings and numeric vectors N(0, 0.3^2), so the probabilities spread), its
batch-norm statistics moved off their initial values by a few training-mode
forward passes, then it is exported in eval mode with ``ExportParams()``'s
defaults. ``--rows`` random encoded rows are scored by torch (``predict_proba``)
and by onnxruntime in batches of 1 (the first 64 rows), 257 and all rows; the
largest difference over all of them is compared with ``parity_atol``. Prints a
Markdown table (the one in ``docs/pipelines/export.md``) and writes
``benchmarks/results/export_all_models.json``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import polars as pl
import torch

from ctrflow.export.onnx import build_onnx_export
from ctrflow.export.params import ExportParams
from ctrflow.export.parity import onnx_inputs
from ctrflow.export.runtime import OnnxModel
from ctrflow.feature_engineering.feature_map import (
    FIRST_VALUE_ID,
    CategoricalField,
    FeatureMap,
    NumericField,
    SequenceField,
)
from ctrflow.models import MODEL_NAMES, ModelsConfig, build_model
from ctrflow.training.artifact import ModelArtifact, predict_proba

RESULTS = Path(__file__).resolve().parent / "results" / "export_all_models.json"
TRAINED_RESULTS = RESULTS.with_name("export_all_models_trained.json")
SEQUENCE_LENGTH = 10
# trained embeddings are far from their N(0, 1e-4) initialisation: at this scale
# the probabilities spread (their standard deviation is in the table)
EMBEDDING_STD = 0.3


def demo_feature_map(sequence: bool, seed: int = 0) -> FeatureMap:
    """26 categorical fields of 40-90 values, 13 standardised numerics, and (when
    ``sequence``) a behaviour sequence over ``C1``'s vocabulary."""
    rng = np.random.default_rng(seed)
    fields, offset = [], 0
    for index in range(26):
        size = int(rng.integers(40, 91))
        vocabulary = [f"v{k}" for k in range(size)]
        fields.append(CategoricalField(f"C{index + 1}", vocabulary, offset))
        offset += size + FIRST_VALUE_ID
    numeric = [NumericField(f"I{k + 1}", "log1p", 1.0, 2.0) for k in range(13)]
    sequences = [SequenceField("history", "C1", SEQUENCE_LENGTH)] if sequence else []
    return FeatureMap("label", fields, numeric, sequences)


def random_encoded(feature_map: FeatureMap, rows: int, seed: int = 1) -> pl.DataFrame:
    """An encoded table as ``encode_table`` writes it: every id within its
    field's range (OOV and padding included), numerics N(0, 1)."""
    rng = np.random.default_rng(seed)
    columns: dict[str, pl.Series] = {
        feature_map.label: pl.Series(rng.integers(0, 2, rows), dtype=pl.Int8)
    }
    for f in feature_map.categorical:
        values = rng.integers(f.offset + 1, f.offset + f.size, rows)
        columns[f.name] = pl.Series(values, dtype=pl.Int32)
    for f in feature_map.numeric:
        columns[f.name] = pl.Series(rng.standard_normal(rows), dtype=pl.Float32)
    for s in feature_map.sequence:
        target = feature_map.categorical_field(s.vocabulary_of)
        steps = rng.integers(
            target.offset + 1, target.offset + target.size, (rows, s.max_length)
        )
        lengths = rng.integers(0, s.max_length + 1, rows)
        steps[np.arange(s.max_length) >= lengths[:, None]] = target.offset  # PAD
        columns[s.name] = pl.Series(steps.tolist(), dtype=pl.List(pl.Int32))
    return pl.DataFrame(columns)


def trained_like(name: str, feature_map: FeatureMap, seed: int = 0) -> ModelArtifact:
    """``name`` with its default config, weights at trained scale and moved
    batch-norm statistics, in eval mode."""
    torch.manual_seed(seed)
    config = getattr(ModelsConfig(), name)
    model = build_model(name, feature_map.field_spec, config)
    with torch.no_grad():
        for parameter_name, parameter in model.named_parameters():
            if "embedding" in parameter_name or "numeric_vectors" in parameter_name:
                parameter.normal_(0.0, EMBEDDING_STD)
        model.train()
        warm = random_encoded(feature_map, 512, seed=seed + 100)
        artifact = ModelArtifact(model, name, config.model_dump(), feature_map, {})
        from ctrflow.training.data import to_tensors  # noqa: PLC0415

        batch = to_tensors(warm, feature_map)
        for _ in range(3):
            model(batch)
    model.eval()
    return artifact


def check(name: str, rows: int, params: ExportParams) -> dict:
    """Export ``name`` and compare it with torch on ``rows`` random rows."""
    feature_map = demo_feature_map(sequence=name == "DIN")
    artifact = trained_like(name, feature_map)
    return _compare(artifact, random_encoded(feature_map, rows), params)


def check_trained(
    name: str, model_input: Path, params: ExportParams, epochs: int = 1
) -> dict:
    """``name`` trained ``epochs`` epochs on a project's encoded splits
    (``data/05_model_input``: the demo's after ``kedro run --pipeline=train``),
    exported, and compared with torch on the whole test split (batches of 1 for
    the first 64 rows, 257, all)."""
    from ctrflow.training.data import to_tensors  # noqa: PLC0415
    from ctrflow.training.params import TrainingParams  # noqa: PLC0415
    from ctrflow.training.trainer import fit  # noqa: PLC0415

    feature_map = FeatureMap.from_dict(
        json.loads(_saved(model_input / "feature_map.json").read_text())
    )
    split = {s: _encoded_split(model_input, s) for s in ("train", "valid", "test")}
    needs_sequence = name == "DIN"
    if needs_sequence and not feature_map.sequence:
        return {"model": name, "exporter": None, "max_abs_diff": None,
                "result": "not run: the data has no behaviour sequence (DIN's input)"}  # fmt: skip
    training = TrainingParams(
        model=name, device="cpu", max_epochs=epochs, early_stop_patience=epochs,
        batch_size=4096, progress_bar=False,
    )  # fmt: skip
    config = getattr(training.models, name)
    torch.manual_seed(training.seed)
    model = build_model(name, feature_map.field_spec, config)
    model, _ = fit(
        model,
        to_tensors(split["train"], feature_map),
        to_tensors(split["valid"], feature_map),
        training,
    )
    artifact = ModelArtifact(model, name, config.model_dump(), feature_map, {})
    return _compare(artifact, split["test"], params)


def _encoded_split(model_input: Path, split: str) -> pl.DataFrame:
    """An encoded split as the catalog writes it (a folder of shards,
    ``<split>_encoded/``), or one Parquet file ``<split>_encoded.parquet``."""
    from ctrflow.datasets import ShardedParquetDataset  # noqa: PLC0415

    folder = model_input / f"{split}_encoded"
    if folder.is_dir():
        return ShardedParquetDataset(str(folder)).load()
    return pl.read_parquet(model_input / f"{split}_encoded.parquet")


def _saved(path: Path) -> Path:
    """``path``, or its latest version when the catalog versions it
    (``<path>/<version>/<name>``)."""
    if path.is_dir():
        return sorted(v for v in path.iterdir() if v.is_dir())[-1] / path.name
    return path


def _compare(
    artifact: ModelArtifact, encoded: pl.DataFrame, params: ExportParams
) -> dict:
    """Export ``artifact`` and compare onnxruntime with torch on ``encoded``."""
    started = time.perf_counter()
    try:
        export = build_onnx_export(artifact, params)
    except Exception as error:  # noqa: BLE001 - reported in the table
        return {"model": artifact.model_name, "exporter": None, "max_abs_diff": None,
                "result": f"fails: {type(error).__name__}: {str(error)[:300]}"}  # fmt: skip
    seconds = time.perf_counter() - started
    onnx_model = OnnxModel.from_bytes(
        export.onnx_model, export.preprocessing, threads=1
    )
    expected = predict_proba(artifact, encoded, device="cpu").astype(np.float64)
    inputs = onnx_inputs(encoded, artifact.feature_map)
    rows, worst = encoded.height, 0.0
    for batch_size in (1, 257, rows):
        stop = min(64, rows) if batch_size == 1 else rows
        for start in range(0, stop, batch_size):
            part = onnx_model.predict_proba(
                *(x[start : start + batch_size] for x in inputs)
            )
            gap = np.abs(part - expected[start : start + batch_size]).max()
            worst = max(worst, float(gap))
    passed = worst <= params.parity_atol
    return {
        "model": artifact.model_name,
        "exporter": export.exporter,
        "fallback_reason": export.fallback_reason,
        "max_abs_diff": worst,
        "rows": rows,
        "export_seconds": round(seconds, 2),
        "spread": float(expected.std()),
        "result": "matches" if passed else f"differs by more than {params.parity_atol:g}",
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4096)
    parser.add_argument("--models", nargs="*", default=list(MODEL_NAMES))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--trained-on", type=Path, default=None,
        help="a project's data/05_model_input: train each model one epoch on its "
        "encoded splits and compare on its whole test split instead",
    )  # fmt: skip
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    params = ExportParams()
    results = []
    for name in args.models:
        if args.trained_on is None:
            results.append(check(name, args.rows, params))
        else:
            results.append(check_trained(name, args.trained_on, params))
        print(json.dumps(results[-1]), flush=True)  # noqa: T201
    output = args.output or (RESULTS if args.trained_on is None else TRAINED_RESULTS)
    output.parent.mkdir(exist_ok=True)
    output.write_text(json.dumps({"rows": args.rows, "opset": params.opset,
                                  "trained_on": str(args.trained_on or ""),
                                  "results": results}, indent=2) + "\n")  # fmt: skip
    print("\n" + table(results))  # noqa: T201


def table(results: list[dict]) -> str:
    """The Markdown table of ``docs/pipelines/export.md``."""
    lines = [
        "| model | exporter | max abs diff | spread | result |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        diff = "" if r["max_abs_diff"] is None else f"{r['max_abs_diff']:.2e}"
        spread = f"{r['spread']:.3f}" if r.get("spread") is not None else ""
        exporter = r["exporter"] or "-"
        lines.append(
            f"| {r['model']} | {exporter} | {diff} | {spread} | {r['result']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
