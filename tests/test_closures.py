"""One closure across printings, end to end, on SQLite and PostgreSQL.

Four editions of a Founder e-paper on a real local HTTP server: the closure, the same
notice reprinted in another layout, an extension, a cancellation. Each is ingested as the
scheduler would, and the app, served on 127.0.0.1 by a real WSGI server, is asked after
each what it now says: one record, its sightings and revisions; one guid in RSS, Atom and
JSON Feed with a rising modified date; CAP Alert → Update → Cancel with references;
iCalendar SEQUENCE rising to a CANCELLED event; /active while in force, not after.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import feedparser
import httpx
import pytest
from epaper import Edition
from icalendar import Calendar
from lxml import etree
from werkzeug.serving import make_server

from notices.fetch import Http
from notices.ingest import ingest_once
from notices.sources import Schedule, Source
from notices.store import Store
from service.app import create_app

CORPUS = Path(__file__).resolve().parent / "corpus"
CAP = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
ORIGINAL = (CORPUS / "road" / "001_huanyong_full_blanklines.txt").read_text(encoding="utf-8")
REPRINT = next((CORPUS / "pairs").glob("*_001_reprint_wrap9.txt")).read_text(encoding="utf-8")
EXTENSION = next((CORPUS / "pairs").glob("*_001_extension_quoted_window.txt")).read_text(
    encoding="utf-8"
)
CANCELLATION = """关于取消桓永线部分路段封闭施工的通告

原定于2025年8月4日至2025年8月25日对桓永线K96+300至K98+150段实行的全封闭施工，因工程已提前完工，现决定自2025年8月22日起取消封闭，恢复正常通行。

特此通告。

桓仁县公安局交通管理大队
桓仁县交通运输事务服务中心
2025年8月21日
"""
PRINTINGS = [  # edition day, page, notice text
    (date(2025, 8, 2), "第4版：公告", ORIGINAL),
    (date(2025, 8, 5), "第3版：社会", REPRINT),
    (date(2025, 8, 16), "第4版：公告", EXTENSION),
    (date(2025, 8, 21), "第4版：公告", CANCELLATION),
]


def _edition(day: date, page: str, text: str) -> Edition:
    news = ("本地新闻", "记者获悉，全市经济平稳运行，各项工作有序推进。")
    return Edition(day, [("第1版：要闻", [news]), (page, [("通告", text)])])


@pytest.fixture
def served(database_url: str) -> Iterator[str]:
    """The app on a real WSGI server at 127.0.0.1, on the test's database; its base URL."""
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "VERSION_TTL": 0})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    thread.join()
    server.server_close()
    opened = app.extensions.get("notices.store")
    if opened is not None:
        opened.close()


def _ingest(server: Any, store: Store, http: Http, day: date, page: str, text: str) -> None:
    for path, body in _edition(day, page, text).files().items():
        server.add(path, body=body, headers={"Content-Type": "text/html"})
    source = Source(
        name="桓仁报", kind="epaper", schedule=Schedule.parse("0 7 * * *"), publication="桓仁报",
        region="辽宁省本溪市桓仁满族自治县", region_code="210522",
        index=server.url("/html/{date:%Y-%m/%d}/node_2.htm"),
    )  # fmt: skip
    fetched = datetime.combine(day, time(7), UTC)
    stats = ingest_once(source, store, http, editions=[day], now=lambda: fetched)
    assert stats.pages_failed == 0, stats.errors


def _snapshot(get: Callable[[str], httpx.Response], notice_id: str) -> dict[str, Any]:
    """What every output says of the closure now."""
    notice = get(f"/api/v1/notices/{notice_id}").json()
    listed = get("/api/v1/notices?route=桓永线").json()["items"]
    rss = feedparser.parse(get("/feeds/road-closures.rss").content)
    atom = feedparser.parse(get("/feeds/road-closures.atom").content)
    feed = get("/feeds/road-closures.json").json()
    cap = etree.fromstring(get(f"/cap/{notice_id}.xml").content)
    [event] = Calendar.from_ical(get("/feeds/road-closures.ics").content).walk("VEVENT")
    return {
        "notice": notice,
        "listed": [item["id"] for item in listed],
        "guids": {
            "rss": [e.id for e in rss.entries],
            "atom": [e.id for e in atom.entries],
            "json": [i["id"] for i in feed["items"]],
        },
        "modified": feed["items"][0]["date_modified"],
        "atom_updated": atom.entries[0].updated,
        "cap": {
            "identifier": cap.findtext("cap:identifier", namespaces=CAP),
            "msgType": cap.findtext("cap:msgType", namespaces=CAP),
            "references": cap.findtext("cap:references", namespaces=CAP),
            "effective": cap.findtext("cap:info/cap:effective", namespaces=CAP),
            "expires": cap.findtext("cap:info/cap:expires", namespaces=CAP),
        },
        "sequence": int(event["SEQUENCE"]),
        "status": str(event["STATUS"]),
        "uid": str(event["UID"]),
    }


def _active(get: Callable[[str], httpx.Response], at: str) -> list[str]:
    return [item["id"] for item in get(f"/api/v1/road-closures/active?at={at}").json()["items"]]


def test_a_closure_reprinted_extended_and_cancelled_is_one_record(
    http_server: Any, database_url: str, served: str
) -> None:
    store = Store.open(database_url)
    http = Http(retries=1, backoff=0.01, timeout=5.0, delay=0.0, respect_robots=False)
    client = httpx.Client(base_url=served, timeout=10.0)

    def get(path: str) -> httpx.Response:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)
        return response

    seen: list[dict[str, Any]] = []
    active: list[tuple[list[str], list[str]]] = []
    try:
        for day, page, text in PRINTINGS:
            _ingest(http_server, store, http, day, page, text)
            [notice_id] = [n["id"] for n in store.notices(kind="road_closure")]
            seen.append(_snapshot(get, notice_id))
            active.append((_active(get, "2025-08-10"), _active(get, "2025-08-23T09:00")))
    finally:
        client.close()
        http.close()
        store.close()

    first, reprinted, extended, cancelled = seen
    notice_id = first["notice"]["id"]
    # one record, four sightings, three revisions
    assert all(s["listed"] == [notice_id] for s in seen)
    final = cancelled["notice"]
    assert len(final["sightings"]) == 4
    assert [s["edition"] for s in final["sightings"]] == [d.isoformat() for d, _, _ in PRINTINGS]
    assert [r["action"] for r in final["revisions"]] == ["notice", "extension", "cancellation"]
    assert [s["notice"]["revision"] for s in seen] == [1, 1, 2, 3]
    assert len(reprinted["notice"]["sightings"]) == 2  # a reprint: seen again, not revised
    assert reprinted["notice"]["revisions"] == first["notice"]["revisions"]
    assert [s["notice"]["status"] for s in seen] == ["active"] * 3 + ["cancelled"]
    assert extended["notice"]["window"]["end"] == "2025-08-25"  # the extension's new end
    assert final["cancelled_on"] == "2025-08-22"
    assert final["updated_at"] == "2025-08-21T00:00:00+08:00"  # the cancelling edition's day
    assert final["published_on"] == "2025-08-02"
    # one guid in every feed, its modified date rising with each revision
    for s in seen:
        assert s["guids"] == {"rss": [notice_id], "atom": [f"urn:notices:{notice_id}"],
                              "json": [notice_id]}  # fmt: skip
    assert [s["modified"][:10] for s in seen] == ["2025-08-02", "2025-08-02", "2025-08-16",
                                                  "2025-08-21"]  # fmt: skip
    assert [s["atom_updated"][:10] for s in seen] == [s["modified"][:10] for s in seen]
    # CAP: Alert, then Update and Cancel, each referencing the message before
    assert [s["cap"]["msgType"] for s in seen] == ["Alert", "Alert", "Update", "Cancel"]
    assert first["cap"]["references"] is None
    assert extended["cap"]["references"].split(",")[1] == f"urn:notices:{notice_id}:1"
    assert cancelled["cap"]["references"].split(",")[1] == f"urn:notices:{notice_id}:2"
    assert extended["cap"]["references"].split(",")[2] == first["cap"]["effective"]
    for s in seen:
        assert s["cap"]["effective"] <= s["cap"]["expires"]
    # iCalendar: one event, SEQUENCE rising, CANCELLED at the end
    assert {s["uid"] for s in seen} == {f"{notice_id}@notices"}
    assert [s["sequence"] for s in seen] == [0, 0, 1, 2]
    assert [s["status"] for s in seen] == ["CONFIRMED"] * 3 + ["CANCELLED"]
    # /active: in force on 10 August throughout; on 23 August once extended, not once lifted
    assert [on_10th for on_10th, _ in active] == [[notice_id]] * 4
    assert [on_23rd for _, on_23rd in active] == [[], [], [notice_id], []]
