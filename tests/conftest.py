"""Shared fixtures: small generated demo data, a throw-away copy of the project, the
shared data folder and running the project. No test module imports another: what
several need is a fixture here (a helper is a fixture returning the function)."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
import torch
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from ctrflow.demo_data import (
    CATEGORICAL,
    LABEL,
    NUMERIC,
    generate_demo_logs,
    write_criteo_tsv,
)
from ctrflow.ingestion import describe_reasons, type_rows
from ctrflow.ingestion.derived import add_derived
from ctrflow.ingestion.raw_logs import BLOCK_ROWS_ENV, numbered_lines
from ctrflow.schema import DatasetSchema

# the whole suite ingests in blocks of 1,000 rows (the project runs of
# ``project_copy`` inherit it: 6 blocks of its 6,000 demo rows), the ingestion
# tests in blocks of 3 (tests/ingestion/conftest.py): every file is cut
os.environ.setdefault(BLOCK_ROWS_ENV, "1000")

_PROJECT_ROOT = Path(__file__).resolve().parents[1]
_DEMO_SCHEMA = DatasetSchema(label=LABEL, numeric=NUMERIC, categorical=CATEGORICAL)

_SMALL_MLP = {"hidden_units": [32, 32], "net_dropout": 0.0}
# Small, dropout-free versions of each model's defaults, so every check stays fast.
_SMALL_MODELS = {
    "LR": {},
    "FM": {},
    "DNN": _SMALL_MLP,
    "WideDeep": _SMALL_MLP,
    "DeepFM": _SMALL_MLP,
    "FiBiNET": _SMALL_MLP,
    "IPNN": _SMALL_MLP,
    "DCN": {"dnn_hidden_units": [32, 32], "net_dropout": 0.0},
    "DCNv2": {
        "num_cross_layers": 2,
        "stacked_dnn_hidden_units": [32],
        "parallel_dnn_hidden_units": [32, 32],
        "net_dropout": 0.0,
    },
    "xDeepFM": {
        "dnn_hidden_units": [32, 32],
        "cin_hidden_units": [8, 8],
        "net_dropout": 0.0,
    },
    "AutoIntPlus": {
        "dnn_hidden_units": [32, 32],
        "attention_layers": 2,
        "attention_dim": 16,
        "num_heads": 2,
        "net_dropout": 0.0,
    },
    "DLRM": {"top_mlp_units": [32, 32], "top_mlp_dropout": 0.0},
    "FinalMLP": {
        "mlp1_hidden_units": [32],
        "mlp2_hidden_units": [16],
        "fs_hidden_units": [16],
        "num_heads": 2,
        "mlp1_dropout": 0.0,
        "mlp2_dropout": 0.0,
    },
    "FinalNet": {
        "block1_hidden_units": [32, 32],
        "block2_hidden_units": [32],
        "block1_dropout": 0.0,
        "block2_dropout": 0.0,
    },
    "FCN": {
        "num_deep_cross_layers": 2,
        "num_shallow_cross_layers": 2,
        "deep_net_dropout": 0.0,
        "shallow_net_dropout": 0.0,
    },
    "FGCNN": {
        "channels": [4, 4],
        "kernel_heights": [3, 3],
        "pooling_sizes": [2, 2],
        "recombined_channels": [1, 1],
        "dnn_hidden_units": [32, 32],
    },
    "DIN": {"attention_hidden_units": [16], "dnn_hidden_units": [32, 32]},
}


def _typed_demo_table(rows: int, seed: int = 7) -> pl.DataFrame:
    """Generated demo logs typed as ingestion types them; none may be quarantined."""
    raw = generate_demo_logs(rows, seed).with_columns(pl.all().cast(pl.String))
    typed = type_rows(raw, _DEMO_SCHEMA, "generated", numbered_lines(1, raw.height))
    assert typed.quarantined.height == 0, describe_reasons(typed.quarantined)
    return typed.accepted


def _make_project_copy(destination: Path, demo_rows: int | None) -> Path:
    shutil.copy(_PROJECT_ROOT / "pyproject.toml", destination / "pyproject.toml")
    shutil.copytree(_PROJECT_ROOT / "conf", destination / "conf")
    (destination / "conf" / "local").mkdir(exist_ok=True)
    # Kedro wants the source dir; ctrflow itself is installed
    (destination / "src").mkdir()
    shutil.copy(_PROJECT_ROOT / ".telemetry", destination / ".telemetry")
    if demo_rows:
        write_criteo_tsv(
            generate_demo_logs(demo_rows, seed=7),
            destination / "data" / "01_raw" / "demo" / "demo_logs.tsv.gz",
        )
    return destination


def _run_project(
    project: Path, env: str | None = None, runtime_params: dict | None = None
) -> None:
    bootstrap_project(project)
    # from the project folder, as `kedro run` is: the trainer's checkpoint_dir is
    # relative to the working directory, and must land in the copy
    with (
        contextlib.chdir(project),
        KedroSession.create(
            project_path=project, env=env, runtime_params=runtime_params
        ) as session,
    ):
        session.run(pipeline_names=["train"])


def _latest(path: Path) -> Path:
    versions = sorted(path.glob(f"*/{path.name}"))
    assert versions, f"no version saved under {path}"
    return versions[-1]


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Every test runs torch single-threaded, the end-to-end runs too: their
    tensors are small, and on a few shared cores intra-op threads cost far more in
    contention than they gain (measured on two busy cores: the trainer tests 8.5 s
    instead of 31 s, the tiny-batch checks of every model about 6 s instead of about
    50 s, the demo-slice ``kedro run`` of test_run.py 3.4 s instead of 9.6 s). A test
    or script that sets its own thread count keeps it until the test ends."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def movielens_frames() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Five ratings of two users on three movies as RecBole's ratings, users and
    items files hold them (``name:type`` headers, every value text)."""
    ratings = pl.DataFrame(
        {
            "user_id:token": ["1", "1", "1", "2", "2"],
            "item_id:token": ["10", "20", "30", "10", "30"],
            "rating:float": ["5", "2", "4", "4", "3"],
            "timestamp:float": ["100", "200", "300", "150", "400"],
        }
    )
    users = pl.DataFrame(
        {
            "user_id:token": ["1", "2"],
            "age:token": ["24", "53"],
            "gender:token": ["M", "F"],
            "occupation:token": ["technician", "other"],
            "zip_code:token": ["85711", "94043"],
        }
    )
    items = pl.DataFrame(
        {
            "item_id:token": ["10", "20", "30"],
            "movie_title:token_seq": ["A", "B", "C"],
            "release_year:token": ["1995", "", "1996"],
            "class:token_seq": ["Animation Comedy", "Action", "Drama"],
        }
    )
    return ratings, users, items


@pytest.fixture(scope="session")
def viz_layers() -> list[str]:
    """The kedro-viz layers of the catalog entries, in data-flow order."""
    return [
        "raw",
        "intermediate",
        "feature",
        "model_input",
        "models",
        "model_output",
        "reporting",
    ]


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The project folder (pyproject.toml, conf/, benchmarks/)."""
    return _PROJECT_ROOT


@pytest.fixture(scope="session")
def demo_schema() -> DatasetSchema:
    """The demo data's schema: ``label``, numeric ``I1..I13``, categorical ``C1..C26``."""
    return _DEMO_SCHEMA


@pytest.fixture(scope="session")
def typed_demo_table() -> Callable[..., pl.DataFrame]:
    """``typed_demo_table(rows, seed=7)``: generated demo logs typed as ingestion
    types them (numeric Float64, ids String)."""
    return _typed_demo_table


def _scan_shards(table: pl.DataFrame, folder: Path, shards: int = 3) -> pl.LazyFrame:
    """``table`` written as ``shards`` Parquet files in ``folder``, scanned lazily."""
    folder.mkdir(parents=True, exist_ok=True)
    size = max(1, -(-table.height // shards))
    # an empty table is one empty shard (a scan needs a file)
    for index, part in enumerate(list(table.iter_slices(size)) or [table]):
        part.write_parquet(folder / f"part-{index:05d}.parquet")
    return pl.scan_parquet(folder / "*.parquet")


@pytest.fixture(scope="session")
def scan_shards() -> Callable[..., pl.LazyFrame]:
    """``scan_shards(table, folder, shards=3)``: ``table`` as several Parquet shards
    in ``folder`` (a ``tmp_path``), scanned as a ``LazyFrame`` (a streamed split)."""
    return _scan_shards


@pytest.fixture(scope="session")
def demo_table() -> pl.DataFrame:
    """20,000 typed demo rows."""
    return _typed_demo_table(20_000)


@pytest.fixture(scope="session")
def make_project_copy() -> Callable[[Path, int | None], Path]:
    """``make_project_copy(destination, demo_rows)``: copy pyproject + conf into
    ``destination``, write ``demo_rows`` generated demo logs (none when falsy)."""
    return _make_project_copy


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A project copy whose demo data is 6,000 generated rows."""
    return _make_project_copy(tmp_path, demo_rows=6_000)


@pytest.fixture(scope="session")
def run_project() -> Callable[..., None]:
    """``run_project(project, env=None, runtime_params=None)``: ``kedro run
    --pipeline=train`` in a project copy."""
    return _run_project


@pytest.fixture(scope="session")
def latest() -> Callable[[Path], Path]:
    """``latest(path)``: the newest version of a versioned catalog entry
    (``<path>/<version>/<name>``); fails when none is saved."""
    return _latest


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``$CTRFLOW_SHARED_DATA`` or ``../shared/data`` beside the project, resolved."""
    return Path(
        os.environ.get("CTRFLOW_SHARED_DATA", _PROJECT_ROOT.parent / "shared" / "data")
    ).resolve()


@pytest.fixture(scope="session")
def shared_dataset(shared_data: Path) -> Callable[..., Path]:
    """``shared_dataset(folder, *files)``: ``shared_data / folder``; skips the test,
    saying where it looked, when one of ``files`` is not there."""

    def find(folder: str, *files: str) -> Path:
        path = shared_data / folder
        missing = [name for name in files if not (path / name).is_file()]
        if missing:
            pytest.skip(
                f"{', '.join(missing)} not found in {path} (set CTRFLOW_SHARED_DATA "
                "to the shared data folder)"
            )
        return path

    return find


@pytest.fixture(scope="session")
def small_models() -> dict[str, dict]:
    """Every registered model's small, dropout-free test config (hyper-parameters
    over its defaults), by model name."""
    return _SMALL_MODELS


@pytest.fixture(scope="session")
def price_bucket_table() -> tuple[DatasetSchema, Callable[[list[float]], pl.DataFrame]]:
    """A schema whose one derived field buckets ``price`` at 10, and a function
    making its typed table (with the derived column) from prices; the bucket
    predicts the label."""
    schema = DatasetSchema(
        label="y", numeric=["price"], derived=[{"column": "price", "buckets": [10]}]
    )

    def table(prices: list[float]) -> pl.DataFrame:
        labels = [int(price >= 10) for price in prices]
        raw = pl.DataFrame({"y": pl.Series(labels, dtype=pl.Int8), "price": prices})
        return add_derived(raw, schema.derived)

    return schema, table
