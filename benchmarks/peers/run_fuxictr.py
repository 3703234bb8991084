"""FuxiCTR 2.3.10 DeepFM on Frappe with the BARS configuration, timed, through
FuxiCTR's own path: ``FeatureProcessor`` + ``build_dataset`` (CSV -> feature map and
Parquet, with Ray), ``RankDataLoader(data_format="parquet")``, ``BaseModel.fit`` and
``evaluate``.

Run in the peers environment (``benchmarks/peers/setup_venv.sh``), from anywhere::

    /tmp/peers/bin/python benchmarks/peers/run_fuxictr.py \
        --data-dir ../shared/data/frappe_x1 --threads 2 --output fuxictr.json

The pip package has no model zoo, so ``DeepFM`` below is put together from
``fuxictr.pytorch`` layers the way FuxiCTR's zoo model is: a ``FeatureEmbedding``,
a ``FactorizationMachine`` (first-order LR + pairwise product sum) and an
``MLP_Block`` on the flattened embeddings, their outputs summed, then a sigmoid.
FuxiCTR reads plain ``.csv`` files only, so the gzipped CSVs are first written out
uncompressed into the work folder (counted as preprocessing, like the build).
Ray is started with ``num_cpus=--threads``. Everything FuxiCTR writes (CSV copies,
Parquet, feature map, checkpoint) goes to ``--work-dir`` (a temporary folder,
removed at the end, unless given).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

from peer_common import (
    BARS_DEEPFM,
    FIELDS,
    LABEL,
    SPLIT_FILES,
    limit_threads,
    peer_argument_parser,
    process_started_at,
    result_record,
    slice_csv,
    write_result,
)  # fmt: skip

STARTED_AT = process_started_at()
DATASET_ID = "frappe_x1"


def build_deepfm_class():
    """FuxiCTR's DeepFM, composed from the installed package's layers."""
    from fuxictr.pytorch.layers import FactorizationMachine, FeatureEmbedding, MLP_Block
    from fuxictr.pytorch.models import BaseModel

    class DeepFM(BaseModel):
        def __init__(self, feature_map, *, embedding_dim, hidden_units, hidden_activations,
                     net_dropout, batch_norm, learning_rate, **kwargs):  # fmt: skip
            super().__init__(feature_map, model_id="DeepFM", **kwargs)
            self.embedding_layer = FeatureEmbedding(feature_map, embedding_dim)
            self.fm = FactorizationMachine(feature_map)
            self.mlp = MLP_Block(
                input_dim=feature_map.sum_emb_out_dim(), output_dim=1,
                hidden_units=hidden_units, hidden_activations=hidden_activations,
                output_activation=None, dropout_rates=net_dropout, batch_norm=batch_norm,
            )  # fmt: skip
            self.compile(kwargs["optimizer"], kwargs["loss"], learning_rate)
            self.reset_parameters()
            self.model_to_device()
            self.epoch_log: list[dict] = []

        def forward(self, inputs):
            X = self.get_inputs(inputs)
            embedded = self.embedding_layer(X)
            logit = self.fm(X, embedded) + self.mlp(embedded.flatten(start_dim=1))
            return {"y_pred": self.output_activation(logit)}

        # timing hooks around FuxiCTR's own loop (one validation per epoch)
        def train_epoch(self, data_generator):
            self._epoch_started = time.perf_counter()
            return super().train_epoch(data_generator)

        def eval_step(self):
            train_seconds = time.perf_counter() - self._epoch_started
            logs = self.evaluate(self.valid_gen, metrics=["AUC", "logloss"])
            self.checkpoint_and_earlystop(logs)
            self.train()
            self.epoch_log.append({
                "epoch": self._epoch_index + 1,
                "valid_auc": float(logs["AUC"]),
                "valid_logloss": float(logs["logloss"]),
                "learning_rate": self.optimizer.param_groups[0]["lr"],
                "train_seconds": train_seconds,
                "finished_at": time.time(),
            })  # fmt: skip

    return DeepFM


def main(argv: list[str] | None = None) -> dict:
    parser = peer_argument_parser(__doc__.split("\n\n")[0])
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=None,
        help="where FuxiCTR writes (default: a temporary folder, removed)",
    )
    args = parser.parse_args(argv)  # fmt: skip
    limit_threads(args.threads)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="fuxictr_frappe_"))
    try:
        record = run(args, work)
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    write_result(args.output, record)
    return record


def run(args: argparse.Namespace, work: Path) -> dict:
    import fuxictr
    import ray
    import torch
    from fuxictr.features import FeatureMap
    from fuxictr.preprocess import FeatureProcessor, build_dataset
    from fuxictr.pytorch.dataloaders import RankDataLoader
    from fuxictr.pytorch.torch_utils import seed_everything

    torch.set_num_threads(args.threads)
    ray.init(num_cpus=args.threads, include_dashboard=False,
             logging_level=logging.ERROR, ignore_reinit_error=True)  # fmt: skip
    cfg = BARS_DEEPFM
    limits = {"train": args.train_rows, "valid": args.eval_rows, "test": args.eval_rows}
    csv_paths, rows = {}, {}
    for split, name in SPLIT_FILES.items():
        csv_paths[split] = work / "csv" / f"{split}.csv"
        rows[split] = slice_csv(args.data_dir / name, csv_paths[split], limits[split])

    processor = FeatureProcessor(
        feature_cols=[{"name": FIELDS, "active": True, "dtype": "str", "type": "categorical"}],
        label_col={"name": LABEL, "dtype": "float"},
        dataset_id=DATASET_ID, data_root=str(work / "data"),
    )  # fmt: skip
    train_data, valid_data, test_data = build_dataset(
        processor, train_data=str(csv_paths["train"]), valid_data=str(csv_paths["valid"]),
        test_data=str(csv_paths["test"]), min_categr_count=1,
    )  # fmt: skip
    feature_map = FeatureMap(DATASET_ID, processor.data_dir)
    feature_map.load(str(Path(processor.data_dir) / "feature_map.json"),
                     params={"embedding_dim": cfg["embedding_dim"]})  # fmt: skip

    seed_everything(cfg["seed"])
    model = build_deepfm_class()(
        feature_map,
        embedding_dim=cfg["embedding_dim"], hidden_units=cfg["hidden_units"],
        hidden_activations=cfg["hidden_activations"], net_dropout=cfg["net_dropout"],
        batch_norm=cfg["batch_norm"], learning_rate=cfg["learning_rate"],
        gpu=-1, optimizer=cfg["optimizer"], loss="binary_crossentropy",
        metrics=["logloss", "AUC"], monitor="AUC", monitor_mode="max",
        early_stop_patience=cfg["early_stop_patience"],
        embedding_regularizer=cfg["embedding_regularizer"],
        net_regularizer=cfg["net_regularizer"], reduce_lr_on_plateau=True,
        model_root=str(work / "checkpoints"), verbose=0,
    )  # fmt: skip
    Path(model.checkpoint).parent.mkdir(parents=True, exist_ok=True)
    train_gen, valid_gen = RankDataLoader(
        feature_map, stage="train", train_data=train_data, valid_data=valid_data,
        batch_size=cfg["batch_size"], shuffle=True, data_format="parquet",
    )  # fmt: skip
    training_started_at = time.time()
    model.fit(train_gen, epochs=args.max_epochs, validation_data=valid_gen,
              max_gradient_norm=10.0)  # fmt: skip

    test_gen = RankDataLoader(feature_map, stage="test", test_data=test_data,
                              batch_size=cfg["batch_size"], shuffle=False,
                              data_format="parquet")  # fmt: skip
    test = model.evaluate(test_gen, metrics=["AUC", "logloss"])
    ray.shutdown()
    return result_record(
        tool="FuxiCTR", version=getattr(fuxictr, "__version__", "2.3.10"),
        threads=args.threads,
        config={**cfg, "max_epochs": args.max_epochs, "lr_decay": "x0.1 per epoch without improvement",
                "grad_clip_norm": 10.0, "min_categr_count": 1},
        rows=rows, started_at=STARTED_AT, training_started_at=training_started_at,
        epochs=model.epoch_log,
        test_auc=float(test["AUC"]), test_logloss=float(test["logloss"]),
        notes=[
            "DeepFM composed from fuxictr.pytorch layers (the pip package has no model zoo)",
            "preprocessing includes gunzip of the CSVs, FeatureProcessor fit and the "
            "Ray CSV->Parquet build, and Ray start-up",
            "Ray shuffles the train set each epoch unseeded",
        ],
    )  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1:])
