"""The figure builders: expected traces, data and labels; they survive plotly.JSONDataset."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import pytest
from kedro_datasets.plotly import JSONDataset

from ctrflow.evaluation.metrics import calibration_table
from ctrflow.evaluation.plots import (
    calibration_figure,
    learning_curve_figure,
    roc_figure,
)


@pytest.fixture
def history() -> list[dict]:
    return [
        {
            "epoch": epoch,
            "train_loss": 0.50 - 0.02 * epoch,
            "valid_auc": 0.70 + 0.01 * epoch,
            "valid_logloss": 0.46 - 0.01 * epoch,
            "learning_rate": 1e-3,
            "seconds": 1.5,
        }
        for epoch in (1, 2, 3)
    ]


def _trace(figure: go.Figure, name: str):
    (trace,) = [t for t in figure.data if t.name == name]
    return trace


def test_roc_figure_has_curve_and_chance_line():
    fpr, tpr = np.array([0.0, 0.2, 1.0]), np.array([0.0, 0.7, 1.0])
    figure = roc_figure(fpr, tpr, 0.78125)

    assert [t.name for t in figure.data] == ["ROC (AUC = 0.7812)", "chance"]
    curve = _trace(figure, "ROC (AUC = 0.7812)")
    np.testing.assert_array_equal(curve.x, fpr)
    np.testing.assert_array_equal(curve.y, tpr)
    assert list(_trace(figure, "chance").x) == [0, 1]
    assert figure.layout.xaxis.title.text == "False positive rate"
    assert figure.layout.yaxis.title.text == "True positive rate"
    assert "AUC = 0.7812" in figure.layout.title.text


def test_roc_figure_rejects_mismatched_arrays():
    with pytest.raises(ValueError, match="shape"):
        roc_figure(np.zeros(3), np.zeros(4), 0.5)


def test_calibration_figure_plots_filled_bins_and_counts():
    labels = np.array([0, 1, 0, 1, 0])
    probabilities = np.array([0.1, 0.2, 0.7, 0.9, 0.05])
    table = calibration_table(labels, probabilities, bins=4)  # bin [.25, .5) is empty
    figure = calibration_figure(table)

    assert [t.name for t in figure.data] == ["model", "perfectly calibrated", "rows"]
    model = _trace(figure, "model")
    np.testing.assert_allclose(model.x, [0.35 / 3, 0.7, 0.9])  # mean predicted per bin
    np.testing.assert_allclose(model.y, [1 / 3, 0.0, 1.0])  # observed click rate
    rows = _trace(figure, "rows")
    assert isinstance(rows, go.Bar)
    assert list(rows.y) == [3, 0, 1, 1]
    np.testing.assert_allclose(rows.x, [0.125, 0.375, 0.625, 0.875])
    assert figure.layout.yaxis.title.text == "Observed click rate"
    assert figure.layout.xaxis2.title.text == "Predicted click probability"
    assert figure.layout.yaxis2.type == "log"
    assert "ECE = " in figure.layout.title.text


def test_learning_curve_figure_plots_loss_and_auc_per_epoch(history):
    figure = learning_curve_figure(history, best_epoch=3)

    assert [t.name for t in figure.data] == ["train loss", "valid logloss", "valid AUC"]
    for name, key in (
        ("train loss", "train_loss"),
        ("valid logloss", "valid_logloss"),
        ("valid AUC", "valid_auc"),
    ):
        trace = _trace(figure, name)
        assert list(trace.x) == [1, 2, 3]
        np.testing.assert_allclose(trace.y, [record[key] for record in history])
    # loss on the left panel, AUC on the right one
    assert _trace(figure, "train loss").xaxis == "x"
    assert _trace(figure, "valid AUC").xaxis == "x2"
    assert figure.layout.yaxis.title.text == "Log loss"
    assert figure.layout.yaxis2.title.text == "AUC"
    assert [shape.x0 for shape in figure.layout.shapes] == [3, 3]
    assert "best epoch 3" in figure.layout.title.text


def test_learning_curve_figure_without_best_epoch_has_no_marker(history):
    assert learning_curve_figure(history).layout.shapes == ()


def test_learning_curve_figure_names_a_missing_key(history):
    del history[1]["valid_auc"]
    with pytest.raises(KeyError, match="record 1 lacks \\['valid_auc'\\]"):
        learning_curve_figure(history)


def test_learning_curve_figure_rejects_an_empty_history():
    with pytest.raises(ValueError, match="no epoch"):
        learning_curve_figure([])


def test_figures_round_trip_through_the_catalog_dataset(tmp_path, history):
    labels = np.array([0, 1, 0, 1])
    probabilities = np.array([0.1, 0.2, 0.7, 0.9])
    figures = {
        "roc": roc_figure(np.array([0.0, 0.5, 1.0]), np.array([0.0, 1.0, 1.0]), 0.75),
        "calibration": calibration_figure(calibration_table(labels, probabilities, 10)),
        "learning_curve": learning_curve_figure(history, best_epoch=2),
    }
    for name, figure in figures.items():
        dataset = JSONDataset(filepath=str(tmp_path / f"{name}.json"))
        dataset.save(figure)
        loaded = dataset.load()
        assert [t.name for t in loaded.data] == [t.name for t in figure.data]
