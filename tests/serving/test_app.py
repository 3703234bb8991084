"""The service's answers, one case each, through FastAPI's TestClient (the real
server's tests are in test_server.py): good rows, every limit, strict JSON, a row
the scorer refuses, a scorer that crashes or answers wrong."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from ctrflow.serving import ServeParams, create_app
from ctrflow.serving.app import RequestError, check_rows, parse_body

SMALL = ServeParams(
    max_body_bytes=4096,
    max_rows_per_request=3,
    max_fields_per_row=4,
    max_string_length=8,
    max_list_length=4,
)


@pytest.fixture
def client(scorers) -> TestClient:
    return TestClient(create_app(scorers["rule"](), SMALL))


def _post(client: TestClient, body: str | bytes, **headers: str):
    headers = {"content-type": "application/json", **headers}
    return client.post("/predict", content=body, headers=headers)


def test_health_names_the_model_and_its_version(client):
    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ok",
        "model_name": "Rule",
        "model_version": "2026-01-01T00.00.00.000Z",
    }


def test_predict_answers_one_probability_per_row_in_order(client):
    rows = [{"site": "news"}, {"site": "shop", "price": 150.5}, {"site": "news"}]
    answer = client.post("/predict", json={"rows": rows})
    assert answer.status_code == 200
    body = answer.json()
    assert body["model_version"] == "2026-01-01T00.00.00.000Z"
    assert body["probabilities"] == pytest.approx([0.9, 0.05, 0.9], abs=1e-7)


def test_a_version_from_the_folder_when_the_scorer_has_none(scorers):
    scorer = scorers["wrong_length"]()
    app = create_app(scorer, model_version="2026-02-02T00.00.00.000Z")
    health = TestClient(app).get("/health").json()
    assert health == {
        "status": "ok",
        "model_name": None,
        "model_version": "2026-02-02T00.00.00.000Z",
    }


def test_a_row_the_scorer_refuses_is_a_422_naming_row_and_field(client):
    rows = [{"site": "news"}, {"site": "news", "price": "cheap"}]
    answer = client.post("/predict", json={"rows": rows})
    assert answer.status_code == 422
    assert answer.json() == {
        "detail": "row 1, field 'price': not a number",
        "row": 1,
        "field": "price",
    }
    missing = client.post("/predict", json={"rows": [{"price": 3}]})
    assert missing.status_code == 422
    assert (missing.json()["row"], missing.json()["field"]) == (0, "site")


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        ('{"rows": [{"site": NaN}]}', 422, "rows[0].site is NaN, which JSON"),
        ('{"rows": [{"site": "a", "p": -Infinity}]}', 422, "rows[0].p is -Infinity"),
        ('{"rows": [{"p": 1e400}]}', 422, "rows[0].p is a number outside the float64"),
        ('{"rows": [{"p": 9223372036854775808}]}', 422, "outside the 64-bit range"),
        ('{"rows": [{"s": "\\ud800"}]}', 422, "rows[0].s holds an unpaired surrogate"),
        ('{"rows": [{"\\udfff": 1}]}', 422, "rows[0] has a field name with an unpaired"),
        ('{"rows": [{"s": "a", "s": "b"}]}', 400, "duplicate key 's' in one object"),
        ('{"rows": [{"site": "news"}', 400, "body is not valid JSON: Expecting"),
        ("", 400, "body is not valid JSON"),
        ("[" * 50_000 + "]" * 50_000, 413, "at most 4096"),
        ('{"rows": [{"site": "news"}], "extra": 1}', 422, "unknown key(s) 'extra'"),
        ('{"row": []}', 422, 'the body has no "rows" key'),
        ("[1, 2]", 422, "the body must be a JSON object"),
        ('{"rows": {"site": "news"}}', 422, '"rows" is an object, not a list'),
        ('{"rows": []}', 422, '"rows" is empty'),
        ('{"rows": [{}, {}, {}, {}]}', 422, '"rows" holds 4 rows, at most 3'),
        ('{"rows": [{"site": "news"}, 7]}', 422, "rows[1] is a number, not an object"),
        ('{"rows": [{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}]}', 422, "5 fields, at most 4"),
        ('{"rows": [{"site": "123456789"}]}', 422, "a string of 9 characters, at most 8"),
        ('{"rows": [{"123456789": 1}]}', 422, "a field name of 9 characters"),
        ('{"rows": [{"site": {"a": 1}}]}', 422, "rows[0].site is an object: a value is"),
        ('{"rows": [{"site": [[1]]}]}', 422, "rows[0].site[0] is a list: a list holds"),
        ('{"rows": [{"h": [1, {}]}]}', 422, "rows[0].h[1] is an object: a list holds"),
        ('{"rows": [{"h": [1, NaN]}]}', 422, "rows[0].h[1] is NaN, which JSON"),
        ('{"rows": [{"h": ["123456789"]}]}', 422, "rows[0].h[0] is a string of 9"),
        ('{"rows": [{"h": [1, 2, 3, 4, 5]}]}', 422, "rows[0].h is a list of 5 items, at most 4"),
    ],
)  # fmt: skip
def test_bad_bodies_get_a_4xx_that_says_why(client, body, status, detail):
    answer = _post(client, body)
    assert answer.status_code == status, answer.text
    assert detail in answer.json()["detail"]
    assert client.get("/health").status_code == 200


def test_deep_nesting_within_the_size_limit_is_a_400(scorers):
    client = TestClient(create_app(scorers["rule"](), ServeParams()))
    answer = _post(client, "[" * 200_000 + "]" * 200_000)
    assert answer.status_code == 400
    assert answer.json()["detail"] == "body is not valid JSON: nested too deeply"


def test_the_row_and_field_of_a_bad_value_are_in_the_answer(client):
    body = '{"rows": [{"site": "a"}, {"site": "b", "p": NaN}]}'
    assert _post(client, body).json() == {
        "detail": "rows[1].p is NaN, which JSON does not allow (send null for a "
        "missing value)",
        "row": 1,
        "field": "p",
    }


def test_invalid_utf8_and_wrong_content_types_are_refused(client):
    bad_utf8 = _post(client, b'{"rows": [{"site": "\xff"}]}')
    assert bad_utf8.status_code == 400
    assert bad_utf8.json()["detail"].startswith("body is not UTF-8")
    body = json.dumps({"rows": [{"site": "news"}]})
    for content_type in ("text/plain", "application/x-www-form-urlencoded"):
        answer = _post(client, body, **{"content-type": content_type})
        assert answer.status_code == 415
        assert answer.json()["detail"] == (
            f"Content-Type is {content_type!r}: send application/json"
        )
    charset = _post(client, body, **{"content-type": "application/json; charset=utf-8"})
    assert charset.status_code == 200


def test_a_body_over_the_limit_is_refused_before_parsing(scorers):
    scorer = scorers["rule"]()
    client = TestClient(create_app(scorer, SMALL))
    answer = _post(client, b"x" * 4097)
    assert answer.status_code == 413
    assert answer.json()["detail"] == "the body is 4097 bytes, at most 4096 per request"
    # without a Content-Length (chunked), counted while it is read
    chunks = (b"x" * 1000 for _ in range(5))
    streamed = client.post(
        "/predict", content=chunks, headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert (
        streamed.json()["detail"] == "the body is over 4096 bytes, the most per request"
    )


def test_a_crashing_scorer_is_a_generic_500_logged_and_the_service_goes_on(
    scorers, caplog
):
    client = TestClient(create_app(scorers["crash"]()))
    with caplog.at_level(logging.ERROR, logger="ctrflow.serving.app"):
        answer = client.post("/predict", json={"rows": [{"site": "news"}]})
    assert answer.status_code == 500
    assert answer.json() == {
        "detail": "internal error while scoring; the service log has the details"
    }
    assert "secret" not in answer.text
    [record] = [r for r in caplog.records if r.name == "ctrflow.serving.app"]
    assert record.message == "scoring 1 rows failed"
    assert "secret internal state 42" in str(record.exc_info[1])
    assert client.get("/health").status_code == 200
    assert client.post("/predict", json={"rows": [{}]}).status_code == 500


def test_a_scorer_answering_the_wrong_length_is_a_500(scorers, caplog):
    client = TestClient(create_app(scorers["wrong_length"]()))
    with caplog.at_level(logging.ERROR, logger="ctrflow.serving.app"):
        answer = client.post("/predict", json={"rows": [{"a": 1}, {"a": 2}]})
    assert answer.status_code == 500
    assert "returned shape (1,)" in str(caplog.records[-1].exc_info[1])


def test_no_docs_pages_and_unknown_paths_are_404(client):
    for path in ("/docs", "/redoc", "/openapi.json", "/nothing"):
        assert client.get(path).status_code == 404
    assert client.get("/predict").status_code == 405


def test_parse_and_check_keep_good_rows_unchanged():
    rows = [{"site": "news", "n": 3, "x": -0.5, "none": None}, {"f": True, "h": [1]}]
    assert check_rows(parse_body(json.dumps({"rows": rows}).encode()), SMALL) == rows
    with pytest.raises(RequestError, match=r"^rows\[0\]\.x is Infinity") as caught:
        check_rows(parse_body(b'{"rows": [{"x": Infinity}]}'), SMALL)
    assert (caught.value.status, caught.value.row, caught.value.field) == (422, 0, "x")
