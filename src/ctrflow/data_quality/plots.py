"""One plotly figure of a data-quality report, for kedro-viz (``data_quality_plot``).

Rows: expectations passed / failed per split and check family; unexpected counts
of every expectation that found any (but passed null checks); null fraction per column and split; and the
drift of valid and test against train (OOV rate per categorical field, PSI per
numeric field, the label rate per split in the title); and the leak check's
single-column validation AUC per field, the probable leaks in the title.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

_PASSED, _FAILED, _WARNING = "#4c9a2a", "#c0392b", "#e67e22"
_SPLIT_COLOURS = {"train": "#1f77b4", "valid": "#ff7f0e", "test": "#2ca02c"}


def data_quality_figure(report: Mapping[str, Any]) -> go.Figure:
    """The report as six stacked panels (see the module docstring).

    Args:
        report: a data-quality report (``ctrflow.data_quality.validate_tables``).

    Returns:
        The figure; an empty panel says so in its title.

    Example::

        >>> report = {"success": True, "splits": {"train": {"expectations": [
        ...     {"split": "train", "check": "row_count", "expectation": "e",
        ...      "column": None, "success": True, "unexpected_count": None,
        ...      "severity": "blocking"}]}}, "null_fractions": {"train": {"a": 0.5}}}
        >>> [trace.name for trace in data_quality_figure(report).data]
        ['passed', 'failed', 'unexpected', 'train']
    """
    drift = report.get("drift") or {}
    label_rate = ", ".join(
        f"{split} {rate:.4f}"
        for split, rate in (drift.get("label_rate") or {}).items()
        if rate is not None
    )
    titles = (
        "Expectations passed / failed, per split and check",
        "Unexpected values per expectation (those with any; passed null checks: "
        "see the null fractions)",
        "Null fraction per column",
        "Drift: share of values unseen in train (OOV), per categorical field",
        "Drift: population-stability index against train, per numeric field"
        + (f" (label rate: {label_rate})" if label_rate else ""),
        "Leak check: AUC of each field alone (train's click rate per value, "
        "scored on valid); probable leaks: "
        + (", ".join(leak["column"] for leak in report.get("probable_leaks") or [])
           or "none"),
    )  # fmt: skip
    figure = make_subplots(rows=6, cols=1, subplot_titles=titles, vertical_spacing=0.06)
    entries = [
        entry for split in report["splits"].values() for entry in split["expectations"]
    ]
    _checks_panel(figure, entries)
    _unexpected_panel(figure, entries)
    _split_bars(figure, report.get("null_fractions") or {}, row=3, legend=True)
    _drift_panel(figure, drift.get("categorical") or [], "oov_rate", row=4)
    _drift_panel(figure, drift.get("numeric") or [], "psi", row=5)
    _drift_panel(figure, (report.get("leaks") or {}).get("columns") or [], "auc", 6)
    status = "passed" if report["success"] else "FAILED"
    figure.update_layout(
        title=f"Data quality: {status}",
        height=2250,
        barmode="group",
        template="plotly_white",
        legend={"orientation": "h", "y": 1.02, "x": 0, "yanchor": "bottom"},
    )
    figure.update_yaxes(title_text="expectations", row=1, col=1)
    figure.update_yaxes(title_text="unexpected rows", row=2, col=1)
    figure.update_yaxes(title_text="null fraction", range=[0, 1], row=3, col=1)
    figure.update_yaxes(title_text="OOV rate", row=4, col=1)
    figure.update_yaxes(title_text="PSI", row=5, col=1)
    figure.update_yaxes(title_text="single-column AUC", row=6, col=1)
    return figure


def _checks_panel(figure: go.Figure, entries: list[dict]) -> None:
    groups: dict[str, list[int]] = {}
    for entry in entries:
        counts = groups.setdefault(f"{entry['split']}: {entry['check']}", [0, 0])
        counts[0 if entry["success"] else 1] += 1
    names = list(groups)
    for index, (name, colour) in enumerate((("passed", _PASSED), ("failed", _FAILED))):
        figure.add_trace(
            go.Bar(
                x=names,
                y=[groups[n][index] for n in names],
                name=name,
                marker_color=colour,
                legendgroup="outcome",
            ),
            row=1,
            col=1,
        )
    figure.update_layout(barmode="group")


def _unexpected_panel(figure: go.Figure, entries: list[dict]) -> None:
    # passed null checks are in the null-fraction panel already
    rows = [
        e
        for e in entries
        if (e.get("unexpected_count") or 0) > 0
        and not (e["success"] and e["check"] == "null_fraction")
    ]
    labels = [
        f"{e['split']}: {e['expectation'].removeprefix('expect_')}"
        + (f" ({e['column']})" if e.get("column") else "")
        for e in rows
    ]
    colours = [
        _PASSED
        if e["success"]
        else (_FAILED if e.get("severity") == "blocking" else _WARNING)
        for e in rows
    ]
    figure.add_trace(
        go.Bar(
            x=labels,
            y=[e["unexpected_count"] for e in rows],
            marker_color=colours,
            name="unexpected",
            showlegend=False,
            hovertext=[
                "passed" if e["success"] else f"failed ({e.get('severity')})"
                for e in rows
            ],
        ),
        row=2,
        col=1,
    )


def _split_bars(
    figure: go.Figure, values: Mapping[str, Mapping[str, float]], row: int, legend: bool
) -> None:
    for split, by_column in values.items():
        figure.add_trace(
            go.Bar(
                x=list(by_column),
                y=list(by_column.values()),
                name=split,
                marker_color=_SPLIT_COLOURS.get(split),
                legendgroup=split,
                showlegend=legend,
            ),
            row=row,
            col=1,
        )


def _drift_panel(figure: go.Figure, records: list[dict], key: str, row: int) -> None:
    by_split: dict[str, dict[str, float]] = {}
    for record in records:
        by_split.setdefault(record["split"], {})[record["column"]] = record[key]
    _split_bars(figure, by_split, row=row, legend=False)
    thresholds = {record["threshold"] for record in records}
    if len(thresholds) == 1:
        figure.add_hline(
            y=thresholds.pop(),
            line={"color": "grey", "dash": "dash", "width": 1},
            annotation_text="threshold",
            row=row,
            col=1,
        )
