"""Kept answers replayed in front of Flask (service/replay.py): what Flask would have answered.

Each URL is asked twice: the first answer is Flask's (its dispatch runs), the second is
replayed (it does not), and they must be the same status, headers and bytes. Conditional
requests get the 304 (or 200) Flask gives for that very header; errors, HEAD and uncached
answers always go through Flask; a saved notice is served once the worker's version of the
store has expired; replayed requests are counted in /metrics and logged by gunicorn.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from flask import Flask, request_started
from flask.testing import FlaskClient
from werkzeug.http import parse_date
from werkzeug.test import TestResponse

from benchmarks import data
from notices.identifiers import looks_like_resident_id
from notices.store import Sighting, Store
from service.app import create_app

ROOT = Path(__file__).resolve().parent.parent
KEY = "a-key-for-the-replay-tests"
FEED = "/feeds/road-closures.rss"


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'replay.sqlite3'}"
    data.fill(url, 120, key=KEY.encode())
    return url


@pytest.fixture
def app(database: str) -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": database, "IDENTIFIER_KEY": KEY,
                       "BASE_URL": "https://notices.example", "VERSION_TTL": 3600,
                       "LOOKUP_RATE": "1000/second"})  # fmt: skip


@pytest.fixture
def dispatched(app: Flask) -> Iterator[list[str]]:
    """The paths of the requests Flask itself dispatched, in order."""
    seen: list[str] = []

    def started(sender: Flask, **extra: object) -> None:
        from flask import request

        seen.append(request.full_path)

    request_started.connect(started, app)
    yield seen
    request_started.disconnect(started, app)


def _ids(client: FlaskClient) -> tuple[str, str]:
    """A road closure's id and a loss declaration's, from the store."""
    closure = client.get("/api/v1/notices?kind=road_closure&limit=1").get_json()["items"][0]
    declaration = client.get("/api/v1/notices?kind=loss_declaration&limit=1").get_json()
    return closure["id"], declaration["items"][0]["id"]


def _kept_urls(client: FlaskClient) -> list[str]:
    closure, declaration = _ids(client)
    day = date.today().isoformat()
    return [
        FEED, "/feeds/road-closures.atom", "/feeds/loss-declarations.json", "/feeds/all.rss",
        "/feeds/road-closures.rss?limit=5", "/feeds/road-closures.ics", "/cap/index.atom",
        f"/cap/{closure}.xml", "/api/v1/notices?limit=50", "/api/v1/notices?limit=3",
        f"/api/v1/notices/{closure}", f"/api/v1/notices/{declaration}",
        f"/api/v1/notices?active_on={day}", f"/api/v1/road-closures/active?at={day}T12:00",
        "/api/v1/notices?kind=loss_declaration&limit=7",
    ]  # fmt: skip


def _same(first: TestResponse, again: TestResponse) -> None:
    """Assert two answers are the same, but for the time of a Date header (set per request)."""
    assert (again.status, again.data) == (first.status, first.data)
    assert _undated(again) == _undated(first)
    if "Date" in first.headers:
        later = parse_date(again.headers["Date"])
        assert later is not None and abs(later - datetime.now(UTC)).total_seconds() < 5


def _undated(response: TestResponse) -> list[tuple[str, str]]:
    return [(name, value) for name, value in response.headers if name != "Date"]


def test_a_replayed_answer_is_the_one_flask_gave(app: Flask, dispatched: list[str]) -> None:
    client = app.test_client()
    for url in _kept_urls(client):
        del dispatched[:]
        first = client.get(url)
        assert first.status_code == 200, (url, first.get_data(as_text=True))
        again = client.get(url)
        assert len(dispatched) == 1, (url, dispatched)  # the second answer was replayed
        _same(first, again)


def test_conditional_requests_get_flasks_answer_to_that_header(
    app: Flask, dispatched: list[str]
) -> None:
    client = app.test_client()
    for url in _kept_urls(client):
        plain = client.get(url)
        tag = plain.headers["ETag"]
        asked = [{"If-None-Match": tag}, {"If-None-Match": f"W/{tag}"}, {"If-None-Match": "*"},
                 {"If-None-Match": '"another"'}, {"If-None-Match": f'"another", {tag}'}]  # fmt: skip
        if "Last-Modified" in plain.headers:  # the feeds'
            asked.append({"If-Modified-Since": plain.headers["Last-Modified"]})
            asked.append({"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"})
        for headers in asked:
            del dispatched[:]
            first, again = client.get(url, headers=headers), client.get(url, headers=headers)
            assert len(dispatched) == 1, (url, headers)
            _same(first, again)
            if headers.get("If-None-Match") == tag:
                assert first.status_code == 304 and first.data == b""


def test_the_feeds_strong_and_the_apis_weak_comparison_both_hold(app: Flask) -> None:
    client = app.test_client()
    for url, status in ((FEED, 200), ("/api/v1/notices?limit=50", 304)):
        weak = f"W/{client.get(url).headers['ETag']}"
        assert [client.get(url, headers={"If-None-Match": weak}).status_code for _ in range(3)] == [
            status
        ] * 3


def test_errors_heads_and_answers_of_the_moment_always_go_through_flask(
    app: Flask, dispatched: list[str]
) -> None:
    client = app.test_client()
    closure, _ = _ids(client)
    asked = ["/api/v1/notices/rc_00000000000000000000", "/api/v1/notices?limit=0",
             "/feeds/road-closures.rss?limit=x", "/nowhere", "/api/v1/road-closures/active",
             "/api/v1/health", "/api/v1/openapi.json"]  # fmt: skip
    for url in asked:
        del dispatched[:]
        answers = [client.get(url) for _ in range(3)]
        assert len(dispatched) == 3, url
        assert len({(a.status_code, a.data) for a in answers if "active" not in url}) <= 1
    for url in (FEED, f"/api/v1/notices/{closure}"):
        client.get(url)
        del dispatched[:]
        heads = [client.head(url) for _ in range(2)]
        ranged = client.get(url, headers={"Range": "bytes=0-9"})
        assert len(dispatched) == 3 and ranged.status_code == 200
        assert all(h.status_code == 200 and h.data == b"" for h in heads)


def _identifiers(personal: bool) -> list[str]:
    """Identifiers the generated store holds: resident ID numbers, or others."""
    held = [i.value for r in data.records(120) for i in getattr(r, "identifiers", ())]
    return [value for value in held if looks_like_resident_id(value) == personal]


def test_a_lookup_is_replayed_only_within_its_clients_limit(database: str) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": database, "IDENTIFIER_KEY": KEY,
                      "VERSION_TTL": 3600, "LOOKUP_RATE": "3/hour", "TRUSTED_PROXIES": "1"})  # fmt: skip
    client, dispatched = app.test_client(), []
    request_started.connect(lambda sender, **extra: dispatched.append(1), app, weak=False)
    url = f"/api/v1/loss-declarations/lookup?identifier={_identifiers(False)[0]}"
    first = {"X-Forwarded-For": "192.0.2.1"}
    answers = [client.get(url, headers=first) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert len(dispatched) == 2  # the first answer, and the 429 (Flask's, problem JSON)
    _same(answers[0], answers[1])
    _same(answers[0], answers[2])
    assert answers[0].headers["Cache-Control"] == "no-store"
    refused = answers[3]
    assert refused.mimetype == "application/problem+json" and refused.headers["Retry-After"]
    assert refused.get_json()["type"] == "urn:notices:problem:rate-limited"
    other = client.get(url, headers={"X-Forwarded-For": "192.0.2.2"})  # another client
    assert len(dispatched) == 2
    _same(answers[0], other)
    assert client.get(url, headers=first).status_code == 429  # still over, replay or not


def test_a_replayed_lookup_masks_a_persons_number_and_is_held_by_digest(app: Flask) -> None:
    client = app.test_client()
    person = _identifiers(True)[0]
    url = f"/api/v1/loss-declarations/lookup?identifier={person}"
    first, again = client.get(url), client.get(url)
    _same(first, again)
    assert first.get_json()["identifier"] != person and person not in again.get_data(as_text=True)
    held = app.extensions["notices.replay"]._recorded
    assert held and not any(person.encode() in key for key in held)


def test_problem_answers_are_flasks_problem_json(app: Flask) -> None:
    client = app.test_client()
    for _ in range(2):
        missing = client.get("/api/v1/notices/rc_00000000000000000000")
        assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
        assert missing.get_json()["type"] == "urn:notices:problem:not-found"


def test_a_saved_notice_is_served_once_the_workers_version_expires(
    app: Flask, database: str, dispatched: list[str]
) -> None:
    client = app.test_client()
    urls = (FEED, "/feeds/all.json", "/api/v1/notices?limit=50")
    before = {url: client.get(url) for url in urls}
    tags = {url: {"If-None-Match": before[url].headers["ETag"]} for url in urls}
    assert all(client.get(url, headers=tags[url]).status_code == 304 for url in urls)
    (new,) = list(data.records(1, seed=77))
    store = Store.open(database, identifier_key=KEY.encode())
    store.save_notices([new], Sighting("t", None, None, None, datetime.now(UTC)),
                       identifier_key=KEY.encode())  # fmt: skip
    store.close()
    # Within the version's TTL the worker answers what it kept, as Flask's own caches did.
    assert all(client.get(url).data == before[url].data for url in urls)
    app.config["VERSION_TTL"] = 0  # the TTL is over: the worker asks the store again
    del dispatched[:]
    for url in urls:
        fresh, unchanged = client.get(url), client.get(url, headers=tags[url])
        assert fresh.status_code == 200 and fresh.headers["ETag"] != before[url].headers["ETag"]
        assert unchanged.status_code == 200 and unchanged.data == fresh.data
    assert len(dispatched) == 2 * len(urls)
    assert new.id in client.get("/api/v1/notices?limit=50").get_data(as_text=True)
    assert new.id in client.get("/feeds/all.json").get_data(as_text=True)


def test_a_replayed_date_is_the_time_of_the_request(app: Flask, dispatched: list[str]) -> None:
    client = app.test_client()
    first = client.get("/api/v1/notices?limit=5")
    time.sleep(1.1)
    again = client.get("/api/v1/notices?limit=5")
    assert len(dispatched) == 1
    earlier, later = parse_date(first.headers["Date"]), parse_date(again.headers["Date"])
    assert earlier is not None and later is not None and later > earlier


def test_replayed_requests_are_counted_in_metrics(app: Flask, dispatched: list[str]) -> None:
    client = app.test_client()
    tag = client.get(FEED).headers["ETag"]
    for _ in range(4):
        client.get(FEED)
        client.get(FEED, headers={"If-None-Match": tag})
    assert len(dispatched) == 2  # the first 200 and the first 304
    scrape = client.get("/metrics").get_data(as_text=True)
    route = 'route="/feeds/<name>.<fmt>"'
    assert f'notices_http_requests_total{{method="GET",{route},status="200"}} 5.0' in scrape
    assert f'notices_http_requests_total{{method="GET",{route},status="304"}} 4.0' in scrape
    assert f"notices_http_request_duration_seconds_count{{{route}}} 9.0" in scrape


# ── under deploy/'s gunicorn ─────────────────────────────────────────────────────────


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _raw(connection: socket.socket, path: str, headers: str = "") -> bytes:
    """One request on a kept-alive connection: the answer's bytes, head and body as sent."""
    connection.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\n{headers}\r\n".encode())
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += connection.recv(65536)
    head, _, body = answer.partition(b"\r\n\r\n")
    length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)  # fmt: skip
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body


def _undated_bytes(answer: bytes) -> bytes:
    return b"\r\n".join(line for line in answer.split(b"\r\n") if not line.startswith(b"Date: "))


def test_under_gunicorn_every_answer_is_the_first_ones_and_each_is_logged(
    database: str, tmp_path: Path
) -> None:
    port, log = _free_port(), tmp_path / "access.log"
    env = os.environ | {"NOTICES_DATABASE_URL": database, "NOTICES_IDENTIFIER_KEY": KEY,
                        "NOTICES_WEB_WORKERS": "1", "NOTICES_WEB_ACCESS_LOG": str(log)}  # fmt: skip
    command = [str(Path(sys.executable).with_name("gunicorn")), "-c",
               str(ROOT / "deploy" / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
               "service.app:create_app()"]  # fmt: skip
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        with _connect(port) as connection:
            _ask_again(connection)
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = log.read_text().splitlines()
    assert sum(f'"GET {FEED} HTTP/1.1" 200' in line for line in lines) == 5
    assert sum(f'"GET {FEED} HTTP/1.1" 304' in line for line in lines) == 3
    assert sum('"GET /api/v1/notices HTTP/1.1" 304' in line for line in lines) == 3


def _ask_again(connection: socket.socket) -> None:
    """Ask a feed and a list five times, then three times with their ETag: the same each time."""
    for path in (FEED, "/api/v1/notices?limit=20"):
        answers = [_raw(connection, path) for _ in range(5)]
        assert answers[0].startswith(b"HTTP/1.1 200 OK\r\n")
        assert len({_undated_bytes(a) for a in answers}) == 1, path
        tag = next(line for line in answers[0].split(b"\r\n") if line.startswith(b"ETag: "))
        asked = f"If-None-Match: {tag[6:].decode()}\r\n"
        unchanged = [_raw(connection, path, asked) for _ in range(3)]
        assert unchanged[0].startswith(b"HTTP/1.1 304 NOT MODIFIED\r\n")
        assert len({_undated_bytes(a) for a in unchanged}) == 1, path


def _connect(port: int) -> socket.socket:
    """A connection to gunicorn once its worker answers the health check."""
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=2):
                return socket.create_connection(("127.0.0.1", port), timeout=10)
        except OSError:
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
