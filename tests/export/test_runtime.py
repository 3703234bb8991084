"""OnnxModel: threads for a shared machine, clear errors for a bad folder or
inputs."""

from __future__ import annotations

import numpy as np
import pytest

from ctrflow.export.onnx import export_onnx
from ctrflow.export.runtime import OnnxModel, session_options
from ctrflow.training.threads import available_cpus


def test_session_options_respect_the_cpus_and_never_spin():
    options = session_options()
    assert options.intra_op_num_threads == min(available_cpus(), 4)
    assert options.inter_op_num_threads == 1
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert session_options(threads=2).intra_op_num_threads == 2


def test_a_folder_without_the_graph_is_named(tmp_path):
    (tmp_path / "preprocessing.json").write_text("{}")
    with pytest.raises(FileNotFoundError, match=r"model\.onnx: not an ONNX export"):
        OnnxModel(tmp_path)


def test_inputs_of_different_row_counts_are_refused(tmp_path, make_artifact):
    model = OnnxModel(export_onnx(make_artifact("LR"), tmp_path).folder, threads=1)
    ids = np.full((4, 26), 1, dtype=np.int64)
    assert model.predict_logits(ids, np.zeros((4, 13), np.float32)).shape == (4,)
    # int32 ids and float64 numerics are converted
    np.testing.assert_array_equal(
        model.predict_logits(ids.astype(np.int32), np.zeros((4, 13))),
        model.predict_logits(ids, np.zeros((4, 13), np.float32)),
    )
    with pytest.raises(ValueError, match="different row counts"):
        model.predict_logits(ids, np.zeros((3, 13), np.float32))
