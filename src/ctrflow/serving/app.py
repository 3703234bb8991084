"""The HTTP scorer: ``GET /health`` and ``POST /predict`` in front of a Scorer.

Every request is checked before the scorer sees it: the body's size (from
``Content-Length``, then while it is read), strict JSON (no ``NaN``/``Infinity``,
no duplicate keys), the rows, fields per row and string lengths against
``ServeParams``, and each value a JSON scalar or a flat list of them (a
sequence field's ids). The scorer runs in its own thread
pool under the request's deadline. A row the scorer cannot type (``RowError``, see
``_row_error``) answers 422 naming the row and the field; anything unexpected
answers 500 with a generic message, is logged, and the service keeps serving.

This is the only module of ctrflow that imports FastAPI (``ctrflow.serving``
imports it on first use of ``create_app``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any, Protocol

import numpy as np
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ctrflow.serving.params import ServeParams

log = logging.getLogger(__name__)

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")
_SHOWN = 40  # characters of a bad value or key shown in a message


class RowScorer(Protocol):
    """What the service scores with: ``ctrflow.scoring.scorer.Scorer`` or any object
    with this method (``version`` and ``model_name``, when present, are reported)."""

    def predict(self, rows: list[dict[str, Any]]) -> np.ndarray:
        """One click probability per row, in order."""
        ...


class RequestError(Exception):
    """A request the service refuses: the HTTP status and a message for the client.

    Attributes:
        status: the 4xx status to answer with.
        message: what is wrong, naming the row and field when there is one.
        row: the 0-based position in ``rows`` of the bad row, if any.
        field: the bad field of that row, if any.
    """

    def __init__(
        self,
        status: int,
        message: str,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.row = row
        self.field = field

    def body(self) -> dict[str, Any]:
        """The JSON body of the answer."""
        body: dict[str, Any] = {"detail": self.message}
        if self.row is not None:
            body["row"] = self.row
            body["field"] = self.field
        return body


class _NotJson:
    """Stands for a ``NaN``/``Infinity``/``-Infinity`` literal until the row check
    names its row and field."""

    def __init__(self, literal: str) -> None:
        self.literal = literal


def _strict_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"duplicate key {_short(key)} in one object")
        found[key] = value
    return found


def _short(text: str) -> str:
    shown = text if len(text) <= _SHOWN else text[:_SHOWN] + "..."
    return repr(shown)


def parse_body(body: bytes) -> Any:
    """Strict JSON: UTF-8, no duplicate keys; ``NaN`` and ``Infinity`` (which
    Python's ``json`` accepts) come back as markers the row check refuses.

    Args:
        body: the raw request body.

    Returns:
        The parsed document.

    Raises:
        RequestError: 400 when the body is not UTF-8 or not valid JSON.

    Example::

        >>> parse_body(b'{"rows": [{"C1": "a"}]}')
        {'rows': [{'C1': 'a'}]}
        >>> parse_body(b'{"a": 1, "a": 2}')
        Traceback (most recent call last):
        ...
        ctrflow.serving.app.RequestError: body is not valid JSON: duplicate key 'a' in one object
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RequestError(400, f"body is not UTF-8: {error}") from None
    try:
        return json.loads(
            text, parse_constant=_NotJson, object_pairs_hook=_strict_object
        )
    except RecursionError:
        raise RequestError(400, "body is not valid JSON: nested too deeply") from None
    except ValueError as error:  # json.JSONDecodeError is one
        raise RequestError(400, f"body is not valid JSON: {error}") from None


def check_rows(document: Any, params: ServeParams) -> list[dict[str, Any]]:
    """The rows of a ``{"rows": [...]}`` document, each checked against the limits.

    Args:
        document: the parsed body (``parse_body``).
        params: the limits (rows per request, fields per row, string length).

    Returns:
        The rows, unchanged.

    Raises:
        RequestError: 422 naming what is wrong (the row and field for a bad value).

    Example::

        >>> check_rows({"rows": [{"C1": "a", "I1": 3}]}, ServeParams())
        [{'C1': 'a', 'I1': 3}]
        >>> check_rows({"rows": [{"C1": "a", "history": [3, 7]}]}, ServeParams())
        [{'C1': 'a', 'history': [3, 7]}]
        >>> check_rows({"rows": [{"C1": [[1]]}]}, ServeParams())
        Traceback (most recent call last):
        ...
        ctrflow.serving.app.RequestError: rows[0].C1[0] is a list: a list holds strings, numbers, true/false or null
    """
    if not isinstance(document, dict):
        raise RequestError(
            422, 'the body must be a JSON object: {"rows": [{field: value, ...}, ...]}'
        )
    if "rows" not in document:
        raise RequestError(422, 'the body has no "rows" key')
    unknown = sorted(key for key in document if key != "rows")
    if unknown:
        shown = ", ".join(_short(key) for key in unknown[:5])
        raise RequestError(422, f'unknown key(s) {shown}: the body holds only "rows"')
    rows = document["rows"]
    if not isinstance(rows, list):
        raise RequestError(422, f'"rows" is {_kind(rows)}, not a list of objects')
    if not rows:
        raise RequestError(422, '"rows" is empty: send at least one row')
    if len(rows) > params.max_rows_per_request:
        raise RequestError(
            422,
            f'"rows" holds {len(rows)} rows, at most {params.max_rows_per_request} '
            "per request",
        )
    for index, row in enumerate(rows):
        _check_row(index, row, params)
    return rows


def _check_row(index: int, row: Any, params: ServeParams) -> None:
    where = f"rows[{index}]"
    if not isinstance(row, dict):
        raise RequestError(
            422, f"{where} is {_kind(row)}, not an object of field: value", row=index
        )
    if len(row) > params.max_fields_per_row:
        raise RequestError(
            422,
            f"{where} has {len(row)} fields, at most {params.max_fields_per_row}",
            row=index,
        )
    for field, value in row.items():
        if len(field) > params.max_string_length:
            raise RequestError(
                422,
                f"{where} has a field name of {len(field)} characters, at most "
                f"{params.max_string_length}",
                row=index,
            )
        if _SURROGATE.search(field):
            raise RequestError(
                422, f"{where} has a field name with an unpaired surrogate", row=index
            )
        problem = _value_problem(value, params)
        if problem:
            separator = "" if problem.startswith("[") else " "
            raise RequestError(
                422, f"{where}.{field}{separator}{problem}", row=index, field=field
            )


def _value_problem(value: Any, params: ServeParams) -> str | None:
    """Why a value cannot go to the scorer (``"is ..."``, or ``"[i] is ..."`` for
    an item of a list), or None when it can: a JSON scalar, or a flat list of them
    (a sequence field's ids)."""
    if isinstance(value, list):
        if len(value) > params.max_list_length:
            return f"is a list of {len(value)} items, at most {params.max_list_length}"
        for index, item in enumerate(value):
            if isinstance(item, list | dict):
                return (
                    f"[{index}] is {_kind(item)}: a list holds strings, numbers, "
                    "true/false or null"
                )
            problem = _scalar_problem(item, params)
            if problem:
                return f"[{index}] {problem}"
        return None
    return _scalar_problem(value, params)


def _scalar_problem(value: Any, params: ServeParams) -> str | None:
    problem = None
    if value is None or isinstance(value, bool):
        pass
    elif isinstance(value, str):
        if len(value) > params.max_string_length:
            problem = (
                f"is a string of {len(value)} characters, at most "
                f"{params.max_string_length}"
            )
        elif _SURROGATE.search(value):
            problem = "holds an unpaired surrogate (\\ud800-\\udfff): not a character"
    elif isinstance(value, int):
        if not _INT64_MIN <= value <= _INT64_MAX:
            problem = "is an integer outside the 64-bit range"
    elif isinstance(value, float):
        if not math.isfinite(value):
            problem = "is a number outside the float64 range"
    elif isinstance(value, _NotJson):
        problem = (
            f"is {value.literal}, which JSON does not allow (send null for a "
            "missing value)"
        )
    else:
        problem = (
            f"is {_kind(value)}: a value is a string, a number, true/false, null "
            "or a list of those"
        )
    return problem


def _kind(value: Any) -> str:
    kinds = [
        (dict, "an object"),
        (list, "a list"),
        (str, "a string"),
        (bool, "a boolean"),
        (int | float, "a number"),
        (_NotJson, "a NaN/Infinity literal"),
    ]
    if value is None:
        return "null"
    return next((kind for type_, kind in kinds if isinstance(value, type_)), "a value")


def _row_error(error: BaseException) -> RequestError | None:
    """A scorer's error about one row as a 422, or None for any other error.

    Duck-typed on the attributes of ``ctrflow.scoring.scorer.RowError`` (``row``:
    an int, ``field``: a str or None, ``reason``: a str), so the service needs no
    import of the scorer and any scorer may report a bad row the same way.
    """
    row = getattr(error, "row", None)
    field = getattr(error, "field", None)
    reason = getattr(error, "reason", None)
    if (
        isinstance(row, int)
        and not isinstance(row, bool)
        and (field is None or isinstance(field, str))
        and isinstance(reason, str)
    ):
        return RequestError(422, str(error) or reason, row=row, field=field)
    return None


def _probabilities(result: Any, rows: int) -> list[float]:
    probabilities = np.asarray(result, dtype=np.float64)
    if probabilities.shape != (rows,) or not np.all(np.isfinite(probabilities)):
        raise RuntimeError(
            f"the scorer returned shape {probabilities.shape} (finite: "
            f"{bool(np.all(np.isfinite(probabilities)))}) for {rows} rows"
        )
    return probabilities.tolist()


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise RequestError(400, "Content-Length is not a number")
        if int(declared) > limit:
            raise RequestError(
                413, f"the body is {declared} bytes, at most {limit} per request"
            )
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise RequestError(
                413, f"the body is over {limit} bytes, the most per request"
            )
    return bytes(body)


def _check_content_type(request: Request) -> None:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json":
        # a browser posts a form or text/plain to any address without asking
        # first; application/json needs the server's leave (CORS preflight)
        raise RequestError(
            415, f"Content-Type is {media or 'missing'!r}: send application/json"
        )


def _model_name(scorer: RowScorer) -> str | None:
    name = getattr(scorer, "model_name", None)
    if name is None:
        name = getattr(getattr(scorer, "artifact", None), "model_name", None)
    return None if name is None else str(name)


def create_app(
    scorer: RowScorer,
    params: ServeParams | None = None,
    *,
    model_version: str | None = None,
) -> FastAPI:
    """The service scoring with ``scorer`` under the limits of ``params``.

    Args:
        scorer: what turns rows into probabilities (``RowScorer``).
        params: the limits (``ServeParams()`` when None).
        model_version: reported when the scorer's own ``version`` is None (the
            version folder the model was loaded from).

    Returns:
        The FastAPI app (serve it with uvicorn; ``ctrflow serve`` does).
    """
    params = params or ServeParams()
    version = getattr(scorer, "version", None) or model_version
    version = None if version is None else str(version)
    name = _model_name(scorer)
    executor = ThreadPoolExecutor(
        max_workers=params.scoring_threads, thread_name_prefix="ctrflow-scorer"
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        # a prediction past its timeout cannot be stopped: do not wait for it
        executor.shutdown(wait=False, cancel_futures=True)

    # no /docs, /redoc or /openapi.json: the docs page loads scripts from a CDN
    # and the schema would not describe the hand-checked body anyway
    app = FastAPI(
        title="ctrflow scorer",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )

    @app.get("/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "model_name": name, "model_version": version}

    @app.post("/predict")
    async def predict(request: Request) -> JSONResponse:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + params.request_timeout_seconds
        try:
            _check_content_type(request)
            try:
                body = await asyncio.wait_for(
                    _read_body(request, params.max_body_bytes),
                    params.request_timeout_seconds,
                )
            except asyncio.TimeoutError:  # TimeoutError itself from 3.11
                raise RequestError(
                    408,
                    f"the body did not arrive within "
                    f"{params.request_timeout_seconds:g} s",
                ) from None
            rows = check_rows(parse_body(body), params)
        except RequestError as error:
            return JSONResponse(error.body(), status_code=error.status)
        future = loop.run_in_executor(executor, scorer.predict, rows)
        done, _ = await asyncio.wait({future}, timeout=max(deadline - loop.time(), 0))
        if not done:
            future.cancel()  # frees its place if it has not started
            log.warning(
                "scoring %d rows took over %g s",
                len(rows),
                params.request_timeout_seconds,
            )
            return JSONResponse(
                {
                    "detail": f"scoring did not finish within "
                    f"{params.request_timeout_seconds:g} s: try again or send fewer rows"
                },
                status_code=503,
                headers={"Retry-After": "1"},
            )
        try:
            probabilities = _probabilities(future.result(), len(rows))
        except Exception as error:
            refused = _row_error(error)
            if refused is not None:
                return JSONResponse(refused.body(), status_code=refused.status)
            log.exception("scoring %d rows failed", len(rows))
            return _internal_error()
        return JSONResponse({"probabilities": probabilities, "model_version": version})

    @app.exception_handler(Exception)
    async def unexpected(_: Request, error: Exception) -> JSONResponse:
        log.error("unexpected error", exc_info=error)
        return _internal_error()

    return app


def _internal_error() -> JSONResponse:
    return JSONResponse(
        {"detail": "internal error while scoring; the service log has the details"},
        status_code=500,
    )
