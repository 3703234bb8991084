"""Samples/s of one DeepFM training step (the BARS Frappe shapes) with parts taken
away: where the time between ctrflow and the bare-MLP ceiling goes.

    python benchmarks/step_variants.py --threads 2 --steps 100

Each variant trains ``--steps`` batches of 4096 Frappe-shaped random ids after 5
warm-up steps, with the trainer's step: BCE, embedding L2 0.05, gradient clipping
at 10, Adam. Variants: ``full`` (ctrflow's DeepFM: batch-norm, ReLU and dropout
fused), ``unfused`` (the MLP's modules run one by one: torch's batch-norm and ReLU,
ctrflow's ``Dropout``), ``torch_dropout`` (one by one, with ``torch.nn.Dropout``),
``no_dropout`` (batch-norm and ReLU fused), ``no_dropout_no_bn``, ``compiled``
(``torch.compile`` of the full model) and ``bare`` (Linear + ReLU only).
Every variant runs with freed memory kept for reuse, as the trainer runs on CPU
(``ctrflow.training.memory``). Run-to-run noise on a shared 2-core machine is
about ±3%.
"""

from __future__ import annotations

import argparse
import time

import torch
from torch import nn

from ctrflow.models.batch import Batch
from ctrflow.models.configs import DeepFMConfig
from ctrflow.models.deepfm import DeepFM
from ctrflow.models.layers import Dropout, FieldSpec
from ctrflow.training.loss import l2_penalty
from ctrflow.training.memory import reuse_freed_memory
from ctrflow.training.params import TrainingParams

BATCH, VOCABULARY, FIELDS = 4096, 5400, 10
VARIANTS = (
    "full",
    "unfused",
    "torch_dropout",
    "no_dropout",
    "no_dropout_no_bn",
    "compiled",
    "bare",
)


def build(variant: str) -> nn.Module:
    torch.manual_seed(0)
    spec = FieldSpec(VOCABULARY, FIELDS, 0)
    if variant == "bare":
        widths = [FIELDS * 10, 400, 400, 400]
        layers: list[nn.Module] = []
        for n_in, n_out in zip(widths[:-1], widths[1:], strict=True):
            layers += [nn.Linear(n_in, n_out), nn.ReLU()]
        return nn.Sequential(*layers, nn.Linear(400, 1))
    config = DeepFMConfig(
        net_dropout=0.0 if variant.startswith("no_dropout") else 0.2,
        batch_norm=variant != "no_dropout_no_bn",
    )
    model = DeepFM(spec, config)
    model.mlp.fuse = variant not in {"unfused", "torch_dropout"}
    if variant == "torch_dropout":
        for name, module in list(model.mlp.named_children()):
            if isinstance(module, Dropout):
                setattr(model.mlp, name, nn.Dropout(module.p))
    return model


def samples_per_second(variant: str, steps: int) -> float:
    model = build(variant)
    step_model = torch.compile(model) if variant == "compiled" else model
    optimizer = torch.optim.Adam(
        model.parameters(), lr=1e-3, fused=True
    )  # as the trainer
    loss_fn = nn.BCEWithLogitsLoss()
    params = TrainingParams(embedding_regularizer=0.05)
    ids = torch.randint(0, VOCABULARY, (8 * BATCH, FIELDS), dtype=torch.int32)
    inputs = torch.randn(8 * BATCH, FIELDS * 10)
    numerics = torch.zeros(8 * BATCH, 0)
    labels = (torch.rand(8 * BATCH) < 0.33).float()
    start = 0.0
    for step in range(steps + 5):
        if step == 5:  # after warm-up (and compilation)
            start = time.perf_counter()
        rows = slice((step % 8) * BATCH, (step % 8 + 1) * BATCH)
        if variant == "bare":
            logits = step_model(inputs[rows]).squeeze(-1)
        else:
            logits = step_model(Batch(ids[rows], numerics[rows])).logits
        loss = loss_fn(logits, labels[rows])
        optimizer.zero_grad(set_to_none=True)
        (loss + l2_penalty(model, 0.05, params.net_regularizer)).backward()
        nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        optimizer.step()
    return steps * BATCH / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    results = {}
    for variant in args.variants.split(","):
        if variant not in VARIANTS:
            parser.error(f"unknown variant {variant!r}; choose from {VARIANTS}")
        with reuse_freed_memory():  # as ctrflow's trainer runs on CPU
            results[variant] = samples_per_second(variant, args.steps)
        print(f"{variant}: {results[variant]:,.0f} samples/s", flush=True)
    return results


if __name__ == "__main__":
    main()
