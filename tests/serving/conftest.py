"""Scorers of our own for the service's tests (pure Python rules, no model) and a
real uvicorn server on 127.0.0.1, started in a thread and stopped after."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import numpy as np
import pytest
import uvicorn

from ctrflow.serving import ServeParams, create_app


class RowError(ValueError):
    """The shape of ``ctrflow.scoring.scorer.RowError`` (contract 2): the service
    recognises a bad row by these attributes, not by the class."""

    def __init__(self, row: int, field: str | None, reason: str) -> None:
        super().__init__(f"row {row}, field {field!r}: {reason}")
        self.row = row
        self.field = field
        self.reason = reason


class RuleScorer:
    """0.9 for ``site == "news"``, else 0.1, minus 0.05 when ``price`` is over 100.

    ``site`` must be a string; ``price``, when given, a number or null. A row that
    breaks either raises ``RowError`` naming it. A row with ``sleep_seconds``
    makes the scorer sleep that long first.
    """

    version = "2026-01-01T00.00.00.000Z"
    model_name = "Rule"

    def __init__(self) -> None:
        self.calls = 0

    def predict(self, rows: list[dict[str, Any]]) -> np.ndarray:
        self.calls += 1
        for row in rows:
            if "sleep_seconds" in row:
                time.sleep(float(row["sleep_seconds"]))
        out = []
        for index, row in enumerate(rows):
            site = row.get("site")
            if not isinstance(site, str):
                reason = "missing" if "site" not in row else "not a string"
                raise RowError(index, "site", reason)
            price = row.get("price")
            if price is not None and (
                isinstance(price, bool) or not isinstance(price, int | float)
            ):
                raise RowError(index, "price", "not a number")
            probability = 0.9 if site == "news" else 0.1
            if price is not None and price > 100:
                probability -= 0.05
            out.append(probability)
        return np.asarray(out, dtype=np.float32)


class CrashingScorer:
    """Fails on every call the way a bug would (no row named)."""

    version = None

    def predict(self, rows: list[dict[str, Any]]) -> np.ndarray:
        raise RuntimeError("secret internal state 42")


class WrongLengthScorer:
    """Returns one probability too few: a scorer bug the service must not pass on."""

    def predict(self, rows: list[dict[str, Any]]) -> np.ndarray:
        return np.zeros(len(rows) - 1, dtype=np.float32)


@pytest.fixture(scope="session")
def scorers() -> dict[str, type]:
    """The test scorers by name, and ``RowError``."""
    return {
        "rule": RuleScorer,
        "crash": CrashingScorer,
        "wrong_length": WrongLengthScorer,
        "RowError": RowError,
    }


@contextmanager
def _running(scorer: Any, params: ServeParams | None = None) -> Iterator[str]:
    """A real uvicorn server (any free port on 127.0.0.1) serving ``scorer``;
    yields its base URL and stops it on exit."""
    params = params or ServeParams()
    config = uvicorn.Config(
        create_app(scorer, params),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        limit_concurrency=params.max_concurrent_connections,
        timeout_keep_alive=5,
        server_header=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    started = time.monotonic()
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped while starting"
        assert time.monotonic() - started < 20, "uvicorn did not start in 20 s"
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(20)
        assert not thread.is_alive(), "uvicorn did not stop"


@pytest.fixture(scope="session")
def running_server() -> Callable[..., AbstractContextManager[str]]:
    """``running_server(scorer, params)``: a context manager yielding the base URL
    of a real uvicorn server serving ``scorer`` (stopped on exit)."""
    return _running
