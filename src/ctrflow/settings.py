"""Kedro settings for ctrflow."""

import os
import warnings

from kedro.config import OmegaConfigLoader

from ctrflow.hooks import ModelVersionHooks, RunReportHooks

# Kedro 1.7 registers its `globals`, `runtime_params` and custom resolvers with
# OmegaConf's deprecated `register_new_resolver`; every run and `kedro viz build`
# would print three warnings no user can act on.
warnings.filterwarnings(
    "ignore",
    message=r"register_new_resolver\(\) is deprecated",
    category=UserWarning,
    module=r"kedro\.config\.omegaconf_config",
)
# kedro-viz 12.5 imports FastAPI's deprecated ORJSONResponse (kedro viz run/build)
warnings.filterwarnings(
    "ignore", message=r"ORJSONResponse is deprecated", module=r"kedro_viz\."
)


def shared_data_root() -> str:
    """Where real benchmark data lives: ``$CTRFLOW_SHARED_DATA`` or ``../shared/data``."""
    return os.environ.get("CTRFLOW_SHARED_DATA", "../shared/data")


# where a failed run was (for the error block of `kedro run`, ctrflow.cli) and the
# summary a successful run ends with; score.model_version picks the model scored
HOOKS = (RunReportHooks(), ModelVersionHooks())

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
