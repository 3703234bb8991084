"""Custom Kedro datasets: raw impression logs in several formats, trained models."""

from ctrflow.datasets.impression_logs import (
    ImpressionLogDataset,
    RawLogs,
    RawLogsError,
)
from ctrflow.datasets.torch_model import TorchModelDataset

__all__ = ["ImpressionLogDataset", "RawLogs", "RawLogsError", "TorchModelDataset"]
