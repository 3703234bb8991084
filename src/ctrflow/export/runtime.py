"""An exported model scored with onnxruntime (CPU), from its folder or in memory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from ctrflow.export.preprocessing import MODEL_FILE, PREPROCESSING_FILE
from ctrflow.training.threads import available_cpus


def session_options(threads: int | None = None) -> ort.SessionOptions:
    """onnxruntime options for a small shared machine: ``threads`` intra-op
    threads (default: the CPUs this process may use, at most 4), one inter-op
    thread, no spinning threads between calls, every graph optimisation.

    Args:
        threads: intra-op threads; ``None`` picks ``min(available_cpus(), 4)``.

    Returns:
        The options.
    """
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or min(available_cpus(), 4)
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # idle threads sleep instead of busy-waiting (the cores are shared)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


class OnnxModel:
    """A CTR model exported by ``export_onnx``, scored by onnxruntime on the CPU.

    Args:
        folder: an export folder (``model.onnx`` and ``preprocessing.json``).
        threads: intra-op threads (see ``session_options``).

    Raises:
        FileNotFoundError: the folder lacks ``model.onnx`` or ``preprocessing.json``.

    Example::

        model = OnnxModel("data/06_models/onnx_export/<version>/onnx_export")
        probabilities = model.predict_proba(ids, numerics)
    """

    def __init__(self, folder: str | Path, threads: int | None = None) -> None:
        folder = Path(folder)
        for name in (MODEL_FILE, PREPROCESSING_FILE):
            if not (folder / name).is_file():
                raise FileNotFoundError(f"{folder / name}: not an ONNX export folder")
        spec = json.loads((folder / PREPROCESSING_FILE).read_text())
        self._init((folder / MODEL_FILE).read_bytes(), spec, threads)

    @classmethod
    def from_bytes(
        cls,
        onnx_model: bytes,
        preprocessing: dict[str, Any],
        threads: int | None = None,
    ) -> OnnxModel:
        """An ``OnnxModel`` from a serialised graph and its spec (no files)."""
        model = cls.__new__(cls)
        model._init(onnx_model, preprocessing, threads)
        return model

    def _init(
        self, onnx_model: bytes, preprocessing: dict[str, Any], threads: int | None
    ) -> None:
        self.preprocessing = preprocessing
        self.session = ort.InferenceSession(
            onnx_model,
            sess_options=session_options(threads),
            providers=["CPUExecutionProvider"],
        )
        self.input_names = [i.name for i in self.session.get_inputs()]

    def predict_logits(
        self,
        ids: np.ndarray,
        numerics: np.ndarray,
        sequences: np.ndarray | None = None,
    ) -> np.ndarray:
        """Logits (float32, one per row) of encoded rows.

        Args:
            ids: [rows, Fc] global ids (any integer dtype; sent as int64).
            numerics: [rows, Fn] encoded numerics (sent as float32).
            sequences: [rows, S, L] global ids, for a model exported with
                behaviour sequences (ignored otherwise).

        Returns:
            [rows] float32 logits.

        Raises:
            ValueError: the model needs ``sequences`` and none were given, or the
                rows of the inputs differ.
        """
        feeds = {
            "ids": np.ascontiguousarray(ids, dtype=np.int64),
            "numerics": np.ascontiguousarray(numerics, dtype=np.float32),
        }
        if "sequences" in self.input_names:
            if sequences is None:
                raise ValueError(
                    "this model reads behaviour sequences: pass sequences "
                    "[rows, S, L] (preprocessing.json, onnx.inputs)"
                )
            feeds["sequences"] = np.ascontiguousarray(sequences, dtype=np.int64)
        rows = {name: value.shape[0] for name, value in feeds.items()}
        if len(set(rows.values())) > 1:
            raise ValueError(f"inputs have different row counts: {rows}")
        feeds = {name: feeds[name] for name in self.input_names}
        (logits,) = self.session.run(["logits"], feeds)
        return np.asarray(logits, dtype=np.float32)

    def predict_proba(
        self,
        ids: np.ndarray,
        numerics: np.ndarray,
        sequences: np.ndarray | None = None,
    ) -> np.ndarray:
        """Click probabilities (float32, one per row): the sigmoid of
        ``predict_logits`` computed as ``ctrflow.training.artifact.predict_proba``
        computes it (in float64, then float32)."""
        logits = self.predict_logits(ids, numerics, sequences)
        return (1.0 / (1.0 + np.exp(-logits.astype(np.float64)))).astype(np.float32)
