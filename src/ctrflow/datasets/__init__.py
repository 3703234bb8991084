"""Custom Kedro datasets: raw impression logs (several formats, MovieLens), tables
as Parquet shards, trained models, ONNX exports, optional JSON, and the
kedro-datasets file datasets saving atomically (``Atomic*``,
``ctrflow.datasets.atomic``).

``TorchModelDataset`` and ``AtomicPlotlyJSONDataset`` are imported when first used
(they need torch, plotly), so that importing this package, or naming
``ImpressionLogDataset`` in a catalog, does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ctrflow.datasets.atomic import (
    AtomicEagerPolarsDataset,
    AtomicJSONDataset,
    AtomicTextDataset,
)
from ctrflow.datasets.final_json import PENDING, FinalJSONDataset
from ctrflow.datasets.impression_logs import ImpressionLogDataset, RawLogsError
from ctrflow.datasets.movielens import MovieLensLogsDataset
from ctrflow.datasets.onnx_export import OnnxExportDataset
from ctrflow.datasets.optional_json import OptionalJSONDataset
from ctrflow.datasets.sharded_parquet import ShardBlock, ShardedParquetDataset
from ctrflow.ingestion.raw_logs import RawLogs

if TYPE_CHECKING:
    from ctrflow.datasets.atomic_plotly import AtomicPlotlyJSONDataset
    from ctrflow.datasets.torch_model import TorchModelDataset

__all__ = [
    "PENDING",
    "AtomicEagerPolarsDataset",
    "AtomicJSONDataset",
    "AtomicPlotlyJSONDataset",
    "AtomicTextDataset",
    "FinalJSONDataset",
    "ImpressionLogDataset",
    "MovieLensLogsDataset",
    "OnnxExportDataset",
    "OptionalJSONDataset",
    "RawLogs",
    "RawLogsError",
    "ShardBlock",
    "ShardedParquetDataset",
    "TorchModelDataset",
]


def __getattr__(name: str) -> Any:
    if name == "TorchModelDataset":
        from ctrflow.datasets.torch_model import TorchModelDataset  # noqa: PLC0415

        return TorchModelDataset
    if name == "AtomicPlotlyJSONDataset":
        from ctrflow.datasets.atomic_plotly import AtomicPlotlyJSONDataset  # noqa: PLC0415

        return AtomicPlotlyJSONDataset
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
