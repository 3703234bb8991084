"""Kedro settings for ctrflow."""

import os

from kedro.config import OmegaConfigLoader


def shared_data_root() -> str:
    """Where real benchmark data lives: ``$CTRFLOW_SHARED_DATA`` or ``../shared/data``."""
    return os.environ.get("CTRFLOW_SHARED_DATA", "../shared/data")


CONFIG_LOADER_CLASS = OmegaConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    # conf/<env>/parameters*.yml overrides single keys of conf/base's blocks: an
    # environment writes `data_quality: {min_rows: 50}` and keeps every other
    # data_quality key of conf/base (nested blocks merge too; lists are replaced
    # whole). Kedro's default, destructive, would replace the whole block.
    "merge_strategy": {"parameters": "soft"},
    # conf/<env>/catalog.yml writes `${shared_data:}/frappe_x1/...`
    "custom_resolvers": {"shared_data": shared_data_root},
}
