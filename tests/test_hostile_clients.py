"""Hostile clients: no input gives a 500, bodies and work are bounded, headers are safe.

Each probe of issue 12 is here, on SQLite and on a real PostgreSQL (which refuses NUL in
text), and the body limit on a real HTTP server, since only a server sends chunked bodies.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from notices.budget import cpu_budget
from notices.errors import OverBudget
from notices.ingest import ingest_text
from notices.settings import MAX_PARSE_BYTES
from service.app import create_app
from service.db import get_store
from service.guard import HEADERS

LOSS = "遗失声明\n李明遗失身份证，证号21050419860722101X，声明作废。\n"
GETS = [
    "/api/v1/notices?{p}=x",
    "/api/v1/road-closures/active?route={v}&stake=K1",
    "/feeds/all.rss?{p}=x",
    "/feeds/road-closures.ics?{p}=x",
    "/cap/index.atom?{p}=x",
]
FILTERS = (
    "route",
    "region",
    "publication",
    "issuer",
    "q",
    "active_on",
    "since",
    "cursor",
    "limit",
    "kind",
)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "PARSE_RATE": "1000/minute"})
    with app.app_context():
        seen = datetime(2025, 7, 8, tzinfo=UTC)
        ingest_text(
            LOSS,
            get_store(),
            url="https://p.example/1",
            source="s",
            edition=date(2025, 7, 8),
            now=lambda: seen,
        )
    yield app
    with app.app_context():
        get_store().close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_nul_and_control_characters_anywhere_are_refused_not_crashed(client: FlaskClient) -> None:
    for name in FILTERS:
        for value in ("a\x00b", "\x00", "x\x1by", "\x7f"):
            for url in (
                "/api/v1/notices",
                "/feeds/all.rss",
                "/feeds/road-closures.ics",
                "/cap/index.atom",
            ):
                response = client.get(url, query_string={name: value})
                assert response.status_code == 400, (url, name, value)
                assert response.get_json()["parameter"] == name
    for path in ("/api/v1/notices/%00", "/api/v1/notices/lo_%00", "/cap/%00.xml", "/cap/rc_0%00.xml",
                 "/api/v1/notices/" + "a" * 5000, "/feeds/all%00.rss"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    lookup = client.get("/api/v1/loss-declarations/lookup", query_string={"identifier": "1\x00"})
    assert lookup.status_code == 400


def test_long_parameters_are_400(client: FlaskClient) -> None:
    for url in ("/api/v1/notices", "/feeds/all.atom", "/feeds/all.json"):
        for length in (201, 5_000, 50_000):
            response = client.get(url, query_string={"q": "遗" * length})
            assert response.status_code == 400, (url, length)
    assert client.get("/api/v1/notices", query_string={"q": "遗" * 200}).status_code == 200
    many = "&".join(f"p{n}=1" for n in range(2000))
    assert client.get(f"/api/v1/notices?{many}").status_code == 200  # unknown ones are ignored


def test_deeply_nested_bodies_are_400(client: FlaskClient) -> None:
    for mimetype in ("application/json", "text/plain"):
        response = client.post("/api/v1/parse", data="[" * 100_000, content_type=mimetype)
        assert response.status_code in (200, 400), mimetype
        assert response.mimetype in ("application/json", "application/problem+json")
    nested = client.post("/api/v1/parse", data="[" * 100_000, content_type="application/json")
    assert nested.status_code == 400
    assert "nested" in nested.get_json()["detail"]


def test_parse_has_a_cpu_budget(app: Flask) -> None:
    app.config["PARSE_SECONDS"] = "0.05"
    body = LOSS * 3000  # 3000 declarations: seconds of work
    response = app.test_client().post("/api/v1/parse", data=body, content_type="text/plain")
    assert response.status_code == 413
    assert response.get_json()["type"] == "urn:notices:problem:over-budget"
    one_block = app.test_client().post(
        "/api/v1/parse", data="遗失声明 " * 20_000, content_type="text/plain"
    )
    assert one_block.status_code == 413  # one paragraph of 20,000 declarations: one long block
    small = app.test_client().post("/api/v1/parse", data=LOSS, content_type="text/plain")
    assert small.status_code == 200 and len(small.get_json()) == 1


def test_parse_is_rate_limited_per_client(app: Flask) -> None:
    app.extensions["notices.limits"]["parse"].rate = type(
        app.extensions["notices.limits"]["parse"].rate
    )(3, 60)
    client = app.test_client()
    codes = [
        client.post(
            "/api/v1/parse",
            data=LOSS,
            content_type="text/plain",
            environ_base={"REMOTE_ADDR": "10.1.1.1"},
        ).status_code
        for _ in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    other = client.post(
        "/api/v1/parse",
        data=LOSS,
        content_type="text/plain",
        environ_base={"REMOTE_ADDR": "10.1.1.2"},
    )
    assert other.status_code == 200


def test_security_headers_on_every_response(client: FlaskClient) -> None:
    for path in ("/api/v1/notices", "/feeds/all.rss", "/api/v1/nothing", "/cap/index.atom"):
        response = client.get(path)
        for header, value in HEADERS.items():
            assert response.headers[header] == value, (path, header)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.fixture
def served(app: Flask) -> Iterator[int]:
    """The app on a real HTTP server (werkzeug's, as `notices serve` runs it)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.port
    server.shutdown()
    thread.join()


def _chunked_post(port: int, size: int) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    piece = ("遗失声明\n" * 1000).encode()

    def chunks() -> Iterator[bytes]:
        sent = 0
        while sent < size:
            chunk = piece[: size - sent]
            sent += len(chunk)
            yield chunk

    try:
        connection.request("POST", "/api/v1/parse", body=chunks(),
                           headers={"Content-Type": "text/plain"}, encode_chunked=True)  # fmt: skip
        response = connection.getresponse()
        return response.status, response.read()
    except (ConnectionError, http.client.HTTPException):
        return 0, b""  # the server may hang up on the rest of a body it refused
    finally:
        connection.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_chunked_body_past_the_limit_is_413_not_cut(served: int) -> None:
    status, body = _chunked_post(served, MAX_PARSE_BYTES + 100_000)
    assert status == 413, body[:200]
    status, body = _chunked_post(served, 13 * 7000)  # whole characters
    assert status == 200


def test_the_cpu_budget_stops_the_parser_at_its_next_check() -> None:
    from notices.budget import check
    from notices.parse import parse_page

    page = LOSS * 2000
    began = time.thread_time()
    with pytest.raises(OverBudget), cpu_budget(0.05):
        parse_page(page)
    assert time.thread_time() - began < 1  # stopped soon after the budget, not at the end
    check()  # outside a budget: nothing to stop
    with cpu_budget(5):
        assert len(parse_page(LOSS)) == 1  # within the budget: the records
    check()  # the budget ended with its block
