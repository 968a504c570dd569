"""The JSON API under /api/v1, on a SQLite store filled from real pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from notices.ingest import ingest_text
from notices.parse import parse_page
from notices.serialize import to_dict
from notices.store import RunStats
from service.app import create_app
from service.db import get_store

ROOT = Path(__file__).resolve().parent
SEEN = datetime(2025, 7, 8, 7, 0, tzinfo=UTC)
# (page, edition), after seed page 000 (two closures and three declarations): five
# declarations, two of them naming a resident ID number; a nightly closure across midnight;
# a timed one on G1212.
PAGES = [
    (ROOT / "corpus/loss/001_benxi_classified_basic.txt", date(2025, 7, 8)),
    (ROOT / "corpus/road/015_nightly_bridge_full.txt", date(2025, 4, 2)),
    (ROOT / "corpus/road/006_g1212_exit_ramp_partial.txt", date(2025, 4, 12)),
]
RESIDENT_IDS = ("21050419860722101X", "21050219580916271X")  # the second inside a 证号
PROBLEM = "application/problem+json"
API = "/api/v1"


def filled_app(database: Path, seed_page: Path) -> Flask:
    """Return an app on a new SQLite store holding seed page 000 and the pages above."""
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{database}"})
    with app.app_context():
        store = get_store()
        for page, edition in [(seed_page, date(2025, 7, 8)), *PAGES]:
            text = page.read_text(encoding="utf-8")
            url = f"https://epaper.example/{page.stem}.html"
            ingest_text(text, store, url=url, source="seed", edition=edition, now=lambda: SEEN)
    return app


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, seed_pages: list[Path]) -> Iterator[Flask]:
    app = filled_app(tmp_path_factory.mktemp("api") / "notices.sqlite3", seed_pages[0])
    yield app
    with app.app_context():
        get_store().close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def ids_of(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def route_names(body: dict[str, Any]) -> set[str]:
    return {route["name"] for item in body["items"] for route in item["routes"]}


# ── /notices ───────────────────────────────────────────────────────────────────────


def test_list_holds_every_notice_as_the_public_sees_it(client: FlaskClient) -> None:
    response = client.get(f"{API}/notices?limit=200")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["next"] is None
    assert len(body["items"]) == 2 + 3 + 5 + 1 + 1
    sun = next(item for item in body["items"] if item.get("holder") == "孙丽娟")
    assert sun["identifiers"] == [
        {"type": "身份证号", "value": "210504**********1X", "valid": True}
    ]
    assert "210504**********1X" in sun["text"]
    assert sun["first_seen"] == sun["last_seen"] == "2025-07-08T15:00:00+08:00"
    assert (sun["revision"], sun["changed_at"], sun["previous_changed_at"]) == (
        1,
        "2025-07-08T15:00:00+08:00",
        None,
    )
    assert sun["sightings"] == [
        {
            "source": "seed",
            "url": "https://epaper.example/001_benxi_classified_basic.html",
            "edition": "2025-07-08",
            "page": None,
            "fetched_at": "2025-07-08T15:00:00+08:00",
        }
    ]


def test_no_resident_id_number_is_shown_in_a_list(client: FlaskClient) -> None:
    text = client.get(f"{API}/notices?limit=200").get_data(as_text=True)
    for number in RESIDENT_IDS:
        assert number not in text


def test_items_keep_the_record_field_order(client: FlaskClient) -> None:
    text = client.get(f"{API}/notices?kind=road_closure&limit=1").get_data(as_text=True)
    keys = re.findall(r'"(\w+)": ', text.split('"items": [', 1)[1])
    assert keys[:6] == ["id", "kind", "title", "text", "issued_on", "issuers"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=road_closure&active_on=2025-07-15", {"丹霍线"}),
        ("route=G1212", {"沈吉高速公路"}),
        ("route=沈吉高速", {"沈吉高速公路"}),
        ("kind=road_closure&issuer=抚顺市交通运输发展中心", {"黑大线"}),
        ("kind=road_closure&q=沱江大桥", {"沱江大桥"}),
    ],
)
def test_filters(client: FlaskClient, query: str, expected: set[str]) -> None:
    body = client.get(f"{API}/notices?{query}").get_json()
    assert route_names(body) == expected


def test_text_filter_finds_a_holder(client: FlaskClient) -> None:
    body = client.get(f"{API}/notices?q=陆德平").get_json()
    assert [item["holder"] for item in body["items"]] == ["陆德平", "陆德平"]


def test_cursor_pagination_walks_everything_once(client: FlaskClient) -> None:
    everything = ids_of(client.get(f"{API}/notices?limit=200").get_json()["items"])
    seen: list[str] = []
    url: str | None = f"{API}/notices?limit=5"
    pages = 0
    while url:
        response = client.get(url)
        body = response.get_json()
        seen += ids_of(body["items"])
        url = body["next"]
        if url:
            assert response.headers["Link"] == f'<{url}>; rel="next"'
            assert url.startswith("http://127.0.0.1:8000/api/v1/notices?limit=5&cursor=")
        else:
            assert "Link" not in response.headers
        pages += 1
    assert seen == everything
    assert pages == 3  # 12 notices: 5, 5, 2


def test_cursor_keeps_the_filters(client: FlaskClient) -> None:
    first = client.get(f"{API}/notices?kind=loss_declaration&limit=7").get_json()
    assert "kind=loss_declaration" in first["next"]
    rest = client.get(first["next"]).get_json()
    assert len(first["items"]) + len(rest["items"]) == 8
    assert rest["next"] is None


def test_one_notice(client: FlaskClient) -> None:
    response = client.get(f"{API}/notices/rc_579314db5b7e55921b13")
    assert response.status_code == 200
    notice = response.get_json()
    assert notice["segments"][0]["from"] == {"text": "K189+400", "m": 189400}
    assert notice["window"]["start"] == "2025-07-08"
    assert notice["first_seen"] == "2025-07-08T15:00:00+08:00"


def test_an_unknown_notice_is_a_404_problem(client: FlaskClient) -> None:
    response = client.get(f"{API}/notices/rc_00000000000000000000")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert response.get_json()["type"] == "urn:notices:problem:not-found"


def test_etag_gives_304(client: FlaskClient) -> None:
    for path in ("/notices?kind=road_closure", "/notices/rc_579314db5b7e55921b13"):
        first = client.get(API + path)
        etag = first.headers["ETag"]
        again = client.get(API + path, headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.get_data() == b""
        changed = client.get(API + path, headers={"If-None-Match": '"other"'})
        assert changed.status_code == 200


# ── /road-closures/active ──────────────────────────────────────────────────────────


def active(client: FlaskClient, query: str) -> dict[str, Any]:
    response = client.get(f"{API}/road-closures/active?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.get_json()
    return body


def test_active_at_a_moment(client: FlaskClient) -> None:
    body = active(client, "at=2025-07-10T12:00%2B08:00")
    assert body["at"] == "2025-07-10T12:00:00+08:00"
    assert route_names(body) == {"丹霍线", "黑大线"}


def test_active_on_a_day_and_in_utc(client: FlaskClient) -> None:
    assert route_names(active(client, "at=2025-07-15")) == {"丹霍线"}
    # 2025-07-12T16:30Z is 00:30 on the 13th in Shanghai: 黑大线 reopened at midnight.
    assert route_names(active(client, "at=2025-07-12T15:30:00Z")) == {"丹霍线", "黑大线"}
    assert route_names(active(client, "at=2025-07-12T16:30:00Z")) == {"丹霍线"}
    assert route_names(active(client, "at=2025-07-12T23:59")) == {"丹霍线", "黑大线"}


@pytest.mark.parametrize(
    ("moment", "closed"),
    [
        ("2025-04-07T03:00", False),  # before the first night
        ("2025-04-07T20:00", True),
        ("2025-04-10T12:00", False),  # open by day
        ("2025-04-10T23:30", True),
        ("2025-04-11T07:59", True),
        ("2025-04-11T08:00", False),
        ("2025-04-27T03:00", True),  # the last night runs into the 27th
        ("2025-04-27T20:00", False),
    ],
)
def test_daily_hours_across_midnight(client: FlaskClient, moment: str, closed: bool) -> None:
    assert ("沱江大桥" in route_names(active(client, f"at={moment}"))) is closed


@pytest.mark.parametrize(
    ("moment", "closed"),
    [
        ("2025-04-15T07:59", False),
        ("2025-04-15T08:00", True),
        ("2025-04-20T03:00", True),
        ("2025-04-25T17:59", True),
        ("2025-04-25T18:00", False),
    ],
)
def test_start_and_end_times(client: FlaskClient, moment: str, closed: bool) -> None:
    assert ("沈吉高速公路" in route_names(active(client, f"at={moment}"))) is closed


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stake=K190..K191&route=丹霍线", {"丹霍线"}),
        ("stake=K191%2B942..K200&route=丹霍线", {"丹霍线"}),
        ("stake=K192..K195&route=丹霍线", set()),
        ("stake=K180..K190&route=G1212", set()),
        ("stake=K131..K132&route=G1212", {"沈吉高速公路"}),  # a point on the stretch
        ("stake=K131..K132&route=沈吉高速", {"沈吉高速公路"}),  # the code's road by name
        ("stake=K131%2B600&route=G1212", {"沈吉高速公路"}),
        ("stake=K1209%2B411&route=黑大线", {"黑大线"}),
        ("stake=K190..K191&route=丹霍线&at=2025-07-10T12:00", {"丹霍线"}),
        ("stake=K190..K191&route=丹霍线&at=2025-07-23", set()),
    ],
)
def test_closures_on_a_stretch(client: FlaskClient, query: str, expected: set[str]) -> None:
    assert route_names(active(client, query)) == expected


def test_active_now_by_default(client: FlaskClient) -> None:
    body = active(client, "")
    assert datetime.fromisoformat(body["at"]).utcoffset().total_seconds() == 8 * 3600  # type: ignore[union-attr]
    assert body["items"] == []  # every closure stored ended in 2025


# ── /loss-declarations/lookup ──────────────────────────────────────────────────────


def lookup(client: FlaskClient, identifier: str) -> dict[str, Any]:
    response = client.get(
        f"{API}/loss-declarations/lookup", query_string={"identifier": identifier}
    )
    assert response.status_code == 200
    body: dict[str, Any] = response.get_json()
    return body


def test_lookup_finds_a_void_declaration(client: FlaskClient) -> None:
    assert lookup(client, "辽军A023409") == {
        "identifier": "辽军A023409",
        "declared_void": True,
        "declarations": [
            {
                "id": "ld_4c589a102115fb8512dd",
                "holder": "陆德平",
                "documents": ["残疾人证"],
                "declared_void": True,
                "issued_on": None,
                "source": {
                    "url": "https://epaper.example/000_503c39abf6fb6e41.html",
                    "publication": None,
                    "published_on": "2025-07-08",
                    "page": None,
                    "region": None,
                    "region_code": None,
                },
                "first_seen": "2025-07-08T15:00:00+08:00",
            }
        ],
        "next": None,
    }


def test_lookup_by_resident_id_masks_it(client: FlaskClient) -> None:
    body = lookup(client, "21050419860722101x")
    assert body["identifier"] == "210504**********1X"
    assert [d["holder"] for d in body["declarations"]] == ["孙丽娟"]
    assert "21050419860722101" not in str(body)


def test_lookup_of_an_unknown_identifier(client: FlaskClient) -> None:
    assert lookup(client, "92210502MA0Y4KD7NX") == {
        "identifier": "92210502MA0Y4KD7NX",
        "declared_void": False,
        "declarations": [],
        "next": None,
    }


# ── POST /parse ────────────────────────────────────────────────────────────────────


def test_parse_text_gives_records_in_the_clear(client: FlaskClient) -> None:
    text = PAGES[0][0].read_text(encoding="utf-8")
    response = client.post(
        f"{API}/parse?published_on=2025-07-08",
        data=text.encode(),
        content_type="text/plain; charset=utf-8",
    )
    assert response.status_code == 200
    expected = [to_dict(r) for r in parse_page(text, published_on=date(2025, 7, 8))]
    assert response.get_json() == expected
    assert "21050419860722101X" in response.get_data(as_text=True)  # nothing was stored


def test_parse_json(client: FlaskClient, notice_page: str) -> None:
    text = notice_page
    response = client.post(f"{API}/parse", json={"text": text, "published_on": "2025-07-08"})
    assert response.status_code == 200
    records = response.get_json()
    assert [r["kind"] for r in records] == ["road_closure"] * 2 + ["loss_declaration"] * 3
    assert records == [to_dict(r) for r in parse_page(text, published_on=date(2025, 7, 8))]


def test_parse_stores_nothing(app: Flask, client: FlaskClient) -> None:
    client.post(
        f"{API}/parse", data="遗失声明\n▲张三遗失身份证，声明作废。", content_type="text/plain"
    )
    assert client.get(f"{API}/health").get_json()["notices"] == 12


# ── errors ─────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/notices?active_on=tomorrow", "active_on"),
        ("/notices?active_on=", "active_on"),
        ("/notices?cursor=", "cursor"),
        ("/road-closures/active?at=", "at"),
        ("/road-closures/active?stake=&route=G1", "stake"),
        ("/notices?limit=-1", "limit"),
        ("/notices?limit=0", "limit"),
        ("/notices?limit=10000", "limit"),
        ("/notices?limit=ten", "limit"),
        ("/notices?limit=%C2%B2", "limit"),
        ("/notices?kind=parking_ban", "kind"),
        ("/notices?cursor=nonsense", "cursor"),
        ("/notices?cursor=rc_00000000000000000000", "cursor"),
        ("/notices?since=yesterday", "since"),
        ("/notices?since=9999-12-31T23:00-05:00", "since"),
        ("/notices?route=" + "x" * 201, "route"),
        ("/notices?q=a%00b", "q"),
        ("/road-closures/active?at=noon", "at"),
        ("/road-closures/active?at=0001-01-01T00:00%2B08:00", "at"),
        ("/road-closures/active?stake=K12..Z&route=G1", "stake"),
        ("/road-closures/active?stake=K12..K13", "route"),
        ("/loss-declarations/lookup", "identifier"),
        ("/loss-declarations/lookup?identifier=%20", "identifier"),
    ],
)
def test_bad_queries_are_400_problems(client: FlaskClient, path: str, parameter: str) -> None:
    response = client.get(API + path)
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["type"] == "urn:notices:problem:invalid-parameter"
    assert body["parameter"] == parameter
    assert body["detail"].startswith(parameter)


def test_problem_body_is_pinned(client: FlaskClient) -> None:
    response = client.get(f"{API}/notices?limit=-1")
    assert response.headers["Content-Type"] == PROBLEM
    assert response.get_json() == {
        "type": "urn:notices:problem:invalid-parameter",
        "title": "Invalid parameter",
        "status": 400,
        "detail": "limit: must be a whole number from 1 to 200, not '-1'",
        "instance": "/api/v1/notices",
        "parameter": "limit",
    }
    missing = client.get("/no/such/page").get_json()
    assert list(missing) == ["type", "title", "status", "detail", "instance"]
    assert missing["type"] == "about:blank"
    assert (missing["title"], missing["status"], missing["instance"]) == (
        "Not Found",
        404,
        "/no/such/page",
    )


def test_lookup_problem_does_not_echo_the_identifier(client: FlaskClient) -> None:
    body = client.get(f"{API}/loss-declarations/lookup?identifier={'1' * 300}").get_data()
    assert b"111111" not in body


def test_wrong_method_is_a_405_problem(client: FlaskClient) -> None:
    response = client.post(f"{API}/notices")
    assert response.status_code == 405
    assert response.mimetype == PROBLEM
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}


def test_a_big_parse_body_is_a_413_problem(client: FlaskClient) -> None:
    big = "遗失声明" * (2 * 1024 * 1024 // 12 + 1)
    response = client.post(f"{API}/parse", data=big.encode(), content_type="text/plain")
    assert response.status_code == 413
    assert response.mimetype == PROBLEM
    assert response.get_json()["status"] == 413


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (b"\xff\xfe not UTF-8", "text/plain", 400),
        (b"{not json", "application/json", 400),
        (b'{"text": 12}', "application/json", 400),
        (b'["text"]', "application/json", 400),
        (b'{"text": "", "published_on": "soon"}', "application/json", 400),
        (b'{"text": "", "published_on": ""}', "application/json", 400),
        (b"text=x", "application/x-www-form-urlencoded", 415),
        ("遗失声明".encode("gb18030"), "text/plain; charset=gb18030", 415),
    ],
)
def test_unreadable_parse_bodies(
    client: FlaskClient, data: bytes, content_type: str, status: int
) -> None:
    response = client.post(f"{API}/parse", data=data, content_type=content_type)
    assert response.status_code == status
    assert response.mimetype == PROBLEM


def test_a_defect_is_a_safe_500(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'n.sqlite3'}"})

    def broken() -> str:
        raise RuntimeError("secret detail")

    app.add_url_rule(f"{API}/broken", view_func=broken)
    response = app.test_client().get(f"{API}/broken")
    assert response.status_code == 500
    assert response.mimetype == PROBLEM
    assert b"secret" not in response.get_data()
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# ── CORS ───────────────────────────────────────────────────────────────────────────


def test_cors_is_open_for_get(client: FlaskClient) -> None:
    for path in ("/notices", "/health", "/notices?limit=0", "/no-such-route"):
        assert client.get(API + path).headers["Access-Control-Allow-Origin"] == "*"
    listed = client.get(f"{API}/notices?limit=1")
    assert "Link" in listed.headers["Access-Control-Expose-Headers"]
    preflight = client.options(
        f"{API}/notices",
        headers={"Origin": "https://dash.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    posted = client.post(f"{API}/parse", data="", content_type="text/plain")
    assert "Access-Control-Allow-Origin" not in posted.headers


# ── sources, health, the document ──────────────────────────────────────────────────


def test_sources_with_their_runs(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'n.sqlite3'}"})
    with app.app_context():
        store = get_store()
        run = store.start_run("demo", SEEN)
        stats = RunStats(pages_fetched=2, pages_failed=1, notices_new=4, errors=("p3: timeout",))
        store.finish_run(run, stats, SEEN.replace(minute=1))
    body = app.test_client().get(f"{API}/sources").get_json()
    assert body == {
        "sources": [
            {
                "name": "demo",
                "kind": "directory",
                "publication": "演示日报",
                "region": "辽宁省本溪市",
                "region_code": "210500",
                "schedule": {"cron": None, "every_seconds": 3600},
                "runs": [
                    {
                        "id": run,
                        "status": "failed",
                        "started_at": "2025-07-08T15:00:00+08:00",
                        "finished_at": "2025-07-08T15:01:00+08:00",
                        "pages_fetched": 2,
                        "pages_skipped": 0,
                        "pages_failed": 1,
                        "notices_new": 4,
                        "notices_seen": 0,
                        "errors": ["p3: timeout"],
                    }
                ],
            }
        ]
    }


def test_health(client: FlaskClient) -> None:
    response = client.get(f"{API}/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "notices": 12}


def test_health_without_a_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'n.sqlite3'}"
    response = create_app({"TESTING": True, "DATABASE_URL": url}).test_client().get(f"{API}/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error", "notices": None}


def test_the_document_names_every_route(app: Flask, client: FlaskClient) -> None:
    document = client.get(f"{API}/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    routes = {
        re.sub(r"<(\w+)>", r"{\1}", rule.rule.removeprefix(API))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(("api.", "staff."))
    }
    assert routes == set(document["paths"])
