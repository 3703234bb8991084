"""A JSON file that may not have been written yet: it loads as ``None`` then."""

from __future__ import annotations

from typing import Any

from kedro_datasets.json import JSONDataset

from ctrflow.datasets.atomic import AtomicJSONDataset


class OptionalJSONDataset(AtomicJSONDataset):
    """``json.JSONDataset`` that loads ``None`` where no file (or no version) exists
    (and saves atomically, as ``AtomicJSONDataset``).

    The benchmark's leaderboard reads every registered model's ``<model>.metrics``;
    a model never run has none, and a run of some models (``--tags``) must not fail
    on the others (nor ``kedro viz build`` on a missing version).

    Example catalog entry::

        "{name}.metrics":
          type: ctrflow.datasets.OptionalJSONDataset
          filepath: data/09_benchmark/{name}/metrics.json
          versioned: true
    """

    def load(self) -> Any:
        if not self._exists():
            return None
        return JSONDataset.load.__wrapped__(self)  # type: ignore[attr-defined]
