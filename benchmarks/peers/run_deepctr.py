"""DeepCTR-Torch 0.3.0 DeepFM on Frappe with the BARS configuration, timed.

Run in the peers environment (``benchmarks/peers/setup_venv.sh``), from anywhere::

    /tmp/peers/bin/python benchmarks/peers/run_deepctr.py \
        --data-dir ../shared/data/frappe_x1 --threads 2 --output deepctr.json

Preprocessing: the three CSVs read with pandas; per field, the vocabulary of the train
split (ids 1..n in sorted order, 0 for a value train never saw). Model:
``deepctr_torch.models.DeepFM`` (embedding 10, DNN 400x3 with batch-norm, dropout 0.2,
embedding and linear-part L2 0.05, DNN L2 0), Adam lr 1e-3, batch 4096,
``EarlyStopping(monitor="val_auc", patience=2, restore_best_weights=True)``.
DeepCTR-Torch has no learning-rate decay on plateau and no gradient clipping, so
neither is applied. Its EarlyStopping restores the best weights only when it stops
training; at the epoch cap this script restores them itself.
"""

from __future__ import annotations

import sys
import time

from peer_common import (
    BARS_DEEPFM,
    FIELDS,
    LABEL,
    SPLIT_FILES,
    limit_threads,
    peer_argument_parser,
    process_started_at,
    result_record,
    write_result,
)  # fmt: skip

STARTED_AT = process_started_at()


def main(argv: list[str] | None = None) -> dict:
    parser = peer_argument_parser(__doc__.split("\n\n")[0])
    args = parser.parse_args(argv)  # fmt: skip
    limit_threads(args.threads)

    import deepctr_torch
    import numpy as np
    import pandas as pd
    import torch
    from deepctr_torch.callbacks import Callback, EarlyStopping
    from deepctr_torch.inputs import SparseFeat
    from deepctr_torch.models import DeepFM
    from sklearn.metrics import log_loss, roc_auc_score

    torch.set_num_threads(args.threads)
    cfg = BARS_DEEPFM
    limits = {"train": args.train_rows, "valid": args.eval_rows, "test": args.eval_rows}
    frames = {
        split: pd.read_csv(args.data_dir / name, nrows=limits[split])
        for split, name in SPLIT_FILES.items()
    }
    features, inputs = [], {split: {} for split in frames}
    for field in FIELDS:
        vocabulary = np.unique(frames["train"][field].to_numpy())
        features.append(SparseFeat(field, vocabulary_size=len(vocabulary) + 1,
                                   embedding_dim=cfg["embedding_dim"]))  # fmt: skip
        for split, frame in frames.items():
            values = frame[field].to_numpy()
            position = np.searchsorted(vocabulary, values).clip(0, len(vocabulary) - 1)
            known = vocabulary[position] == values
            inputs[split][field] = np.where(known, position + 1, 0).astype(np.int64)
    labels = {
        split: frame[LABEL].to_numpy(np.float32) for split, frame in frames.items()
    }
    rows = {split: len(frame) for split, frame in frames.items()}

    torch.manual_seed(cfg["seed"])
    np.random.seed(cfg["seed"])
    model = DeepFM(
        features, features,
        dnn_hidden_units=tuple(cfg["hidden_units"]),
        l2_reg_linear=cfg["embedding_regularizer"],
        l2_reg_embedding=cfg["embedding_regularizer"],
        l2_reg_dnn=cfg["net_regularizer"],
        dnn_dropout=cfg["net_dropout"],
        dnn_activation=cfg["hidden_activations"],
        dnn_use_bn=cfg["batch_norm"],
        seed=cfg["seed"], task="binary", device="cpu",
    )  # fmt: skip
    model.compile(torch.optim.Adam(model.parameters(), lr=cfg["learning_rate"]),
                  "binary_crossentropy", metrics=["binary_crossentropy", "auc"])  # fmt: skip

    epochs: list[dict] = []
    clock = {"epoch_start": 0.0, "eval_start": 0.0}
    evaluate = model.evaluate

    def timed_evaluate(*a, **k):  # fit() validates through self.evaluate
        clock["eval_start"] = time.perf_counter()
        return evaluate(*a, **k)

    model.evaluate = timed_evaluate

    class EpochTimes(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            clock["epoch_start"] = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            epochs.append({
                "epoch": epoch + 1,
                "valid_auc": float(logs["val_auc"]),
                "valid_logloss": float(logs["val_binary_crossentropy"]),
                "train_seconds": clock["eval_start"] - clock["epoch_start"],
                "finished_at": time.time(),
            })  # fmt: skip
            last = epochs[-1]
            print(f"epoch {last['epoch']}: valid AUC {last['valid_auc']:.5f}, logloss "
                  f"{last['valid_logloss']:.5f}, {last['train_seconds']:.1f} s training",
                  flush=True)  # fmt: skip

    stopper = EarlyStopping(monitor="val_auc", min_delta=1e-6, patience=cfg["early_stop_patience"],
                            mode="max", restore_best_weights=True)  # fmt: skip
    training_started_at = time.time()
    model.fit(
        inputs["train"], labels["train"], batch_size=cfg["batch_size"],
        epochs=args.max_epochs, verbose=0, shuffle=True,
        validation_data=(inputs["valid"], labels["valid"]),
        callbacks=[EpochTimes(), stopper],
    )  # fmt: skip
    if stopper.stopped_epoch == 0 and stopper.best_weights is not None:
        model.load_state_dict(stopper.best_weights)  # the epoch cap: restore too

    predicted = model.predict(inputs["test"], batch_size=cfg["batch_size"]).reshape(-1)
    record = result_record(
        tool="DeepCTR-Torch", version=deepctr_torch.__version__, threads=args.threads,
        config={**cfg, "max_epochs": args.max_epochs, "l2_reg_linear": cfg["embedding_regularizer"],
                "lr_decay": None, "grad_clip_norm": None},
        rows=rows, started_at=STARTED_AT, training_started_at=training_started_at,
        epochs=epochs,
        test_auc=float(roc_auc_score(labels["test"], predicted)),
        test_logloss=float(log_loss(labels["test"], np.clip(predicted, 1e-7, 1 - 1e-7))),
        notes=[
            "no learning-rate decay on plateau (DeepCTR-Torch has none)",
            "no gradient clipping (DeepCTR-Torch has none)",
            "vocabulary from the train split, unseen values -> id 0",
            "fit(verbose=0): no per-batch training metrics (verbose>0 computes AUC and "
            "logloss on every training batch, in the training time)",
            "the log loss is summed over the batch (reduction='sum'), not averaged: the "
            "L2 terms weigh about 1/batch as much as in FuxiCTR and ctrflow",
        ],
    )  # fmt: skip
    write_result(args.output, record)
    return record


if __name__ == "__main__":
    main(sys.argv[1:])
