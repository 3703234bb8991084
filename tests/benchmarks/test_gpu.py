"""CPU smoke test of ``benchmarks/gpu.py``: every model x variant row, the docs section.

The GPU figures themselves come from running the script on a GPU machine; this only
checks that the script runs end to end (on 10,000 rows, a capped vocabulary, one
epoch, the eager variants: torch.compile takes over a minute on two CPU cores).
"""

from __future__ import annotations

import json

import pytest
import torch


@pytest.fixture
def gpu_benchmark(load_benchmark):
    """``benchmarks/gpu.py`` as a module (it imports ``common`` from its folder)."""
    return load_benchmark("gpu")


@pytest.mark.slow
def test_cpu_smoke_run_writes_one_row_per_model_and_variant(gpu_benchmark, tmp_path):
    output, page = tmp_path / "gpu.json", tmp_path / "benchmarks.md"
    page.write_text("# Benchmarks\n\nOther sections stay.\n")
    variants = ["fp32", "bf16"]

    gpu_benchmark.main(
        [
            "--device", "cpu", "--rows", "10000", "--valid-rows", "3000",
            "--models", "DeepFM,DCNv2", "--variants", ",".join(variants),
            "--epochs", "1", "--max-cardinality", "5000",
            "--score-batch-size", "65536",
            "--output", str(output), "--docs-page", str(page),
        ]
    )  # fmt: skip

    result = json.loads(output.read_text())
    assert result["cpu_smoke_run"] is True
    assert result["device"] == "cpu"
    assert result["rows"] == 10_000
    rows = result["results"]
    assert sorted((r["model"], r["variant"]) for r in rows) == sorted(
        (m, v) for m in ("DeepFM", "DCNv2") for v in variants
    )
    for row in rows:
        assert row["status"] == "ok", row["error"]
        assert row["batch_size"] == 4096
        assert row["train_samples_per_second"] > 0
        assert row["score_rows_per_second"] > 0
        assert row["peak_train_gpu_gib"] is None
        assert row["peak_score_gpu_gib"] is None
        assert 0 <= row["valid_auc"] <= 1  # one short epoch: no quality bar
    assert 0.5 < result["data"]["planted_valid_auc"] <= 1

    text = page.read_text()
    assert "Other sections stay." in text
    section = text.split("<!-- benchmark:gpu start -->")[1].split(
        "<!-- benchmark:gpu end -->"
    )[0]
    assert "CPU smoke run, not the GPU figures" in section
    assert "python benchmarks/gpu.py --device cpu --rows 10000" in section
    assert section.count("| DeepFM |") == 2 and section.count("| DCNv2 |") == 2
    assert "3.00M" in section and "20.00M" in section  # the targets


def test_failed_variant_is_recorded_not_raised(gpu_benchmark, monkeypatch):
    """A variant whose training raises (e.g. torch.compile without a compiler)
    comes back as ``failed`` with the error; the run goes on."""
    data = gpu_benchmark.generate(2_000, 1_000, torch.device("cpu"), seed=1,
                                  max_cardinality=100)  # fmt: skip

    def broken_fit(*args, **kwargs):
        raise RuntimeError("inductor: no C++ compiler\nsecond line")

    monkeypatch.setattr(gpu_benchmark, "fit", broken_fit)
    row = gpu_benchmark.run_variant(
        data, "DeepFM", "fp32+compile", 512, device=torch.device("cpu"),
        epochs=1, score_batch_size=1024, seed=1,
    )  # fmt: skip
    assert row["status"] == "failed"
    assert row["error"].startswith("RuntimeError: inductor: no C++ compiler")
    assert row["compile"] is True and row["bf16_autocast"] is False


def test_generated_rows_are_encoded_like_the_pipeline(gpu_benchmark):
    data = gpu_benchmark.generate(4_000, 1_000, torch.device("cpu"), seed=3)
    train, valid, spec = data.train, data.valid, data.spec
    assert train.ids.dtype == torch.int32 and train.ids.shape == (4_000, 26)
    assert train.numerics.dtype == torch.float32 and train.numerics.shape == (4_000, 13)
    assert train.labels.dtype == torch.float32 and len(valid) == 1_000
    assert spec.vocab_size == sum(f.vocab_size for f in gpu_benchmark.FIELDS)
    # every id lies inside its own field's range (offset + local, local >= 1)
    offset = 0
    for column, field in enumerate(gpu_benchmark.FIELDS):
        ids = train.ids[:, column]
        assert int(ids.min()) >= offset + 1
        assert int(ids.max()) < offset + field.vocab_size
        offset += field.vocab_size
    assert set(train.labels.unique().tolist()) == {0.0, 1.0}
