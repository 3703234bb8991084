"""A JSON file a streaming node writes once, with its last block."""

from __future__ import annotations

from typing import Any, Final

from ctrflow.datasets.atomic import AtomicJSONDataset


class _Pending:
    """The value a streaming node yields for an output that is not complete yet."""

    def __repr__(self) -> str:
        return "PENDING"


PENDING: Final = _Pending()


class FinalJSONDataset(AtomicJSONDataset):
    """``AtomicJSONDataset`` (saved atomically) whose save ignores ``PENDING``.

    A generator node yields every output once per block; the ingestion's data
    fingerprint is only known after the last one, so the blocks before yield
    ``PENDING``, and a run stopped mid-stream leaves the previous file untouched.

    Example catalog entry::

        data_fingerprint:
          type: ctrflow.datasets.FinalJSONDataset
          filepath: data/02_intermediate/data_fingerprint.json
    """

    def save(self, data: Any) -> None:
        if data is PENDING:
            return
        super().save(data)
