"""What the trainer's per-epoch checkpoint costs (``ctrflow.training.checkpoint``):
the figures ``docs/benchmarks.md`` quotes.

    python benchmarks/checkpoint.py --threads 2

On the BARS Frappe DeepFM (``benchmarks/step_variants.py``'s ``full`` model, Adam
state after one step) and Frappe-sized splits of random ids (``--train-rows``,
``--valid-rows``, 10 fields): ``key_ms``, the run key once per ``fit`` (xxhash of
both splits and the initial weights); ``write_ms``, one checkpoint written
atomically after an epoch (weights, Adam, best weights, RNG states; fsync and
rename); ``read_ms``, reading and checking it at a restart; ``megabytes``, its size.
Each timing is the median of ``--repeats``. Writes
``benchmarks/results/checkpoint.json`` and the ``checkpoint`` section of
``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import common
import step_variants
import torch

from ctrflow.models.batch import Batch
from ctrflow.training import checkpoint
from ctrflow.training.params import TrainingParams


def _median_ms(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def _split(rows: int) -> Batch:
    ids = torch.randint(0, step_variants.VOCABULARY, (rows, step_variants.FIELDS))
    return Batch(ids.int(), torch.zeros(rows, 0), (torch.rand(rows) < 0.33).float())


def measure(train_rows: int, valid_rows: int, repeats: int) -> dict[str, float]:
    model = step_variants.build("full")
    train, valid = _split(train_rows), _split(valid_rows)
    params = TrainingParams(device="cpu", batch_size=4096)
    cpu = torch.device("cpu")
    key_ms = _median_ms(
        lambda: checkpoint.run_key(model, train, valid, params, cpu), repeats
    )
    key = checkpoint.run_key(model, train, valid, params, cpu)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    model(train.slice(0, 4096)).logits.sum().backward()
    optimizer.step()  # Adam's moments exist, as after an epoch
    training = checkpoint.TrainingState(model, optimizer, None, torch.Generator())
    progress = checkpoint.Progress(
        history=[{"epoch": 1, "valid_auc": 0.9}],
        best_auc=0.9,
        best_epoch=1,
        best_state=copy.deepcopy(model.state_dict()),
        epoch=1,
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "DeepFM.ckpt"
        write_ms = _median_ms(
            lambda: checkpoint.write_checkpoint(path, key, progress, training, cpu),
            repeats,
        )
        read_ms = _median_ms(lambda: checkpoint.read_checkpoint(path, key), repeats)
        megabytes = path.stat().st_size / 2**20
    return {
        "train_rows": train_rows,
        "valid_rows": valid_rows,
        "parameters": sum(p.numel() for p in model.parameters()),
        "key_ms": key_ms,
        "write_ms": write_ms,
        "read_ms": read_ms,
        "megabytes": megabytes,
    }


def markdown(result: dict[str, Any], command: str) -> str:
    """The ``docs/benchmarks.md`` section of one run."""
    return "\n".join(
        [
            f"Command: `{command}` — {common.machine_line(result['machine'])}; the "
            f"BARS Frappe DeepFM ({result['parameters']:,} parameters), "
            f"{result['train_rows']:,} train + {result['valid_rows']:,} valid rows of "
            "random ids; medians of "
            f"{result['repeats']} calls.",
            "",
            common.markdown_table(
                [
                    "run key (once per fit)",
                    "write (per epoch)",
                    "read (restart)",
                    "file",
                ],
                [
                    [
                        f"{result['key_ms']:.1f} ms",
                        f"{result['write_ms']:.1f} ms",
                        f"{result['read_ms']:.1f} ms",
                        f"{result['megabytes']:.1f} MiB",
                    ]
                ],
            ),  # fmt: skip
        ]
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--train-rows", type=int, default=202_027)  # Frappe_x1
    parser.add_argument("--valid-rows", type=int, default=57_722)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument(
        "--output", type=Path, default=common.RESULTS_DIR / "checkpoint.json"
    )
    parser.add_argument("--docs-page", type=Path, default=common.DOCS_PAGE)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    result: dict[str, Any] = {
        "threads": args.threads,
        "repeats": args.repeats,
        **measure(args.train_rows, args.valid_rows, args.repeats),
        "machine": common.machine(),
    }
    common.write_json(args.output, result)
    command = "python benchmarks/checkpoint.py --threads " + str(args.threads)
    common.update_docs_section("checkpoint", markdown(result, command), args.docs_page)
    print(markdown(result, command))  # noqa: T201
    return result


if __name__ == "__main__":
    main()
