"""The service on a real uvicorn server (127.0.0.1, any free port, stopped after):
real HTTP requests, hostile requests from hypothesis (every answer a 4xx, /health
answering after each), slow scoring and slow bodies timing out, early refusal of
a declared-too-large body."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctrflow.serving import ServeParams

DEFAULTS = ServeParams()
GOOD = {"site": "news", "price": 12.5}


@pytest.fixture(scope="module")
def server(scorers, running_server):
    """One server with the default limits for the module's requests."""
    with running_server(scorers["rule"](), DEFAULTS) as url:
        yield url


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server, timeout=30) as client:
        yield client


def test_a_real_request_is_answered_and_a_bad_row_named(http):
    assert http.get("/health").json() == {
        "status": "ok",
        "model_name": "Rule",
        "model_version": "2026-01-01T00.00.00.000Z",
    }
    rows = [{"site": "news"}, {"site": "shop", "price": 101}]
    answer = http.post("/predict", json={"rows": rows})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert "server" not in answer.headers
    assert answer.json()["probabilities"] == pytest.approx([0.9, 0.05], abs=1e-7)
    bad = http.post("/predict", json={"rows": [*rows, {"site": 3}]})
    assert bad.status_code == 422
    assert bad.json() == {"detail": "row 2, field 'site': not a string", "row": 2, "field": "site"}  # fmt: skip


# --- hostile requests ----------------------------------------------------------------
# each strategy draws a request that must be refused: (body, content type, the
# (row, field) the answer must name or None)

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
_nested = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
).filter(lambda value: isinstance(value, list | dict))
_good_rows = st.lists(st.just(GOOD), max_size=5)


def _with_bad_row(bad_row: st.SearchStrategy, field: str | None) -> st.SearchStrategy:
    """Good rows with one bad row among them; the answer must name its place."""

    def place(drawn: tuple[list, list, dict]) -> tuple[bytes, str, Any]:
        before, after, row = drawn
        body = json.dumps({"rows": [*before, row, *after]}).encode()
        return body, "application/json", (len(before), field)

    return st.tuples(_good_rows, _good_rows, bad_row).map(place)


def _raw(body: st.SearchStrategy) -> st.SearchStrategy:
    return body.map(lambda b: (b, "application/json", None))


def _body_text(text: str) -> bytes:
    return text.encode()


_over_long = st.integers(DEFAULTS.max_string_length + 1, 20_000)
hostile_requests = st.one_of(
    # not JSON at all, or cut short
    _raw(st.binary(max_size=200).map(lambda b: b"\x00" + b)),
    _raw(st.text(max_size=50).map(lambda t: _body_text('{"rows": [' + t))),
    # JSON, but not {"rows": [objects]}
    _raw(_nested.map(lambda v: json.dumps([v]).encode())),
    _raw(_scalars.map(lambda v: json.dumps({"rows": v}).encode())),
    _raw(st.just(b'{"rows": []}')),
    _raw(st.just(b"{}")),
    _raw(st.text(min_size=1, max_size=10).filter(lambda k: k != "rows").map(
        lambda k: json.dumps({"rows": [GOOD], k: 1}).encode())),
    # wrong types and missing fields (the scorer's RowError)
    _with_bad_row(st.one_of(_scalars.filter(lambda v: not isinstance(v, str)),
        st.lists(_scalars, max_size=3)).map(lambda v: {"site": v}), "site"),
    _with_bad_row(st.one_of(st.booleans(), st.text(max_size=10)).map(
        lambda v: {"site": "news", "price": v}), "price"),
    _with_bad_row(st.dictionaries(st.text(max_size=5).filter(lambda k: k != "site"),
        _scalars, max_size=5), "site"),
    # nested values (a flat list is a sequence field's ids: a list in a list is not)
    _with_bad_row(_nested.map(lambda v: {"site": "news", "deep": [v]}), "deep"),
    _with_bad_row(st.dictionaries(st.text(max_size=5), _scalars, max_size=3).map(
        lambda v: {"site": "news", "deep": v}), "deep"),
    _with_bad_row(st.integers(DEFAULTS.max_list_length + 1, 5000).map(
        lambda n: {"site": "news", "history": list(range(n))}), "history"),
    # huge strings, as a value or as a field name
    _with_bad_row(_over_long.map(lambda n: {"site": "x" * n}), "site"),
    _with_bad_row(_over_long.map(lambda n: {"site": "news", "k" * n: 1}), None),
    # NaN and the infinities, which Python's json would take
    st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "-1e999"]).map(
        lambda literal: (_body_text(f'{{"rows": [{{"site": "news", "p": {literal}}}]}}'),
                         "application/json", (0, "p"))),
    # 10k fields in a row, too many rows
    _with_bad_row(st.integers(DEFAULTS.max_fields_per_row + 1, 10_000).map(
        lambda n: {f"f{i}": i for i in range(n)}), None),
    _raw(st.integers(DEFAULTS.max_rows_per_request + 1, 3000).map(
        lambda n: json.dumps({"rows": [GOOD] * n}).encode())),
    # oversized bodies, deep nesting, duplicate keys, not UTF-8
    _raw(st.integers(1, 5000).map(
        lambda n: b'{"rows": [{"site": "' + b"x" * (DEFAULTS.max_body_bytes + n) + b'"}]}')),
    _raw(st.integers(10_000, 400_000).map(lambda n: b"[" * n + b"]" * n)),
    _raw(st.just(b'{"rows": [{"site": "news", "site": "news"}]}')),
    _raw(st.just(b'{"rows": [{"site": "\xc3\x28"}]}')),
    # a JSON body sent as something else
    st.sampled_from(["", "text/plain", "multipart/form-data", "application/xml"]).map(
        lambda ct: (json.dumps({"rows": [GOOD]}).encode(), ct, None)),
)  # fmt: skip


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(request=hostile_requests)
def test_hostile_requests_get_a_4xx_and_the_service_keeps_serving(http, request):
    body, content_type, named = request
    headers = {"content-type": content_type} if content_type else {}
    answer = http.post("/predict", content=body, headers=headers)
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    refusal = answer.json()
    assert isinstance(refusal["detail"], str) and refusal["detail"]
    if named is not None:
        assert (refusal["row"], refusal["field"]) == named, refusal
    assert http.get("/health").status_code == 200


# --- timeouts, early refusal, a crash ----------------------------------------------


def test_slow_scoring_times_out_with_a_503_and_health_answers_meanwhile(
    scorers, running_server
):
    params = ServeParams(request_timeout_seconds=0.5)
    with (
        running_server(scorers["rule"](), params) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        answers: dict[str, Any] = {}

        def slow() -> None:
            started = time.monotonic()
            answers["slow"] = client.post(
                "/predict", json={"rows": [{"site": "news", "sleep_seconds": 1.5}]}
            )
            answers["slow_seconds"] = time.monotonic() - started

        thread = threading.Thread(target=slow)
        thread.start()
        time.sleep(0.1)
        started = time.monotonic()
        assert client.get("/health").status_code == 200
        assert time.monotonic() - started < 0.4  # not behind the scoring thread
        # queued behind the sleeping one on the single scoring thread: times out too
        queued = client.post("/predict", json={"rows": [{"site": "news"}]})
        thread.join()
        assert answers["slow"].status_code == 503
        assert answers["slow"].headers["retry-after"] == "1"
        assert answers["slow"].json()["detail"] == (
            "scoring did not finish within 0.5 s: try again or send fewer rows"
        )
        assert 0.5 <= answers["slow_seconds"] < 1.4
        assert queued.status_code == 503
        time.sleep(1.5)  # the sleeping prediction finishes; the next one is scored
        fine = client.post("/predict", json={"rows": [{"site": "shop"}]})
        assert fine.status_code == 200
        assert fine.json()["probabilities"] == pytest.approx([0.1], abs=1e-7)


def _raw_exchange(url: str, head: bytes, wait: float = 5) -> bytes:
    """Send ``head`` on a plain socket and read the answer (until closed or
    ``wait`` seconds pass)."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=wait) as s:
        s.sendall(head)
        received = b""
        try:
            while chunk := s.recv(65536):
                received += chunk
                if b"\r\n\r\n" in received and received.endswith(b"}"):
                    break
        except TimeoutError:
            pass
    return received


def test_a_declared_oversized_body_is_refused_before_it_is_sent(server):
    # headers only: the 10 MB body never comes, the answer does
    head = (
        b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n"
    )
    answer = _raw_exchange(server, head)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert answer.endswith(
        b'{"detail":"the body is 10000000 bytes, at most 1048576 per request"}'
    )


def test_a_body_that_does_not_arrive_in_time_is_a_408(scorers, running_server):
    params = ServeParams(request_timeout_seconds=0.5)
    with running_server(scorers["rule"](), params) as url:
        head = (
            b"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"rows": ['
        )
        started = time.monotonic()
        answer = _raw_exchange(url, head)
        assert time.monotonic() - started < 3
        assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
        assert answer.endswith(b'{"detail":"the body did not arrive within 0.5 s"}')
        assert httpx.get(f"{url}/health").status_code == 200


def test_a_crashing_scorer_answers_500_and_the_server_keeps_serving(
    scorers, running_server
):
    with running_server(scorers["crash"]()) as url, httpx.Client(base_url=url) as c:
        for _ in range(3):
            answer = c.post("/predict", json={"rows": [GOOD]})
            assert answer.status_code == 500
            assert "secret" not in answer.text
            assert c.get("/health").status_code == 200
