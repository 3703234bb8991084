"""``plotly.JSONDataset`` saving atomically (``ctrflow.datasets.atomic``), in its
own module: importing plotly takes seconds, paid only by the catalogs' figures."""

from __future__ import annotations

from kedro_datasets.plotly import JSONDataset

from ctrflow.datasets.atomic import AtomicSave


class AtomicPlotlyJSONDataset(AtomicSave, JSONDataset):
    """``plotly.JSONDataset`` saving atomically.

    Example catalog entry::

        roc_plot:
          type: ctrflow.datasets.AtomicPlotlyJSONDataset
          filepath: data/08_reporting/evaluation/roc.json
          versioned: true
    """
