"""The dashboard's pages through Flask's client, and the timeline and marks they draw.

The browser drives the same pages in test_dashboard_browser.py; here are the cases a
browser adds nothing to: the HTML as sent (escaped, masked), errors, and the weight of
the first view with 10,000 notices stored.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from lxml import html

from notices.ingest import ingest_text
from notices.model import Daily, Record, RoadClosure, Route, Source, Window
from notices.parse import parse_page
from notices.render.marks import marked_runs
from notices.render.timeline import DAY_WIDTH, LABEL_WIDTH, days_around, timeline
from notices.store import Sighting
from service.app import create_app
from service.db import get_store

ROOT = Path(__file__).resolve().parent
LOSS = ROOT / "corpus/loss/001_benxi_classified_basic.txt"
RESIDENT_ID = "21050419860722101X"
SEEN = datetime(2025, 7, 8, 7, 0, tzinfo=UTC)
HOSTILE = """封路通告
因<script>alert(1)</script>丹霍线<img src=x onerror=alert(2)>维修施工需要，将对丹霍线K10+000至K12+000约2公里，进行全幅封闭施工。
封闭时间为2025年7月9日至2025年7月10日。
本溪市交通事务发展服务中心
2025年7月7日
"""


def _app(database: Path, pages: list[tuple[str, str]]) -> Flask:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{database}"})
    with app.app_context():
        for text, url in pages:
            ingest_text(text, get_store(), url=url, source="seed", edition=date(2025, 7, 8),
                        now=lambda: SEEN)  # fmt: skip
    return app


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, notice_page: str) -> Iterator[Flask]:
    pages = [
        (notice_page, "https://epaper.example/000.html"),
        (LOSS.read_text(encoding="utf-8"), "https://epaper.example/loss.html"),
        (HOSTILE, "https://epaper.example/hostile.html"),
    ]
    app = _app(tmp_path_factory.mktemp("dash") / "notices.sqlite3", pages)
    yield app
    with app.app_context():
        get_store().close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _page(client: FlaskClient, url: str) -> html.HtmlElement:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "text/html"
    return html.fromstring(response.get_data(as_text=True))


def _closures(tree: html.HtmlElement) -> list[str]:
    return [a.text_content().strip() for a in tree.cssselect("li.closure h3 a")]


# ── pages ──────────────────────────────────────────────────────────────────────────


def test_the_first_view_shows_recent_closures_when_none_is_near(client: FlaskClient) -> None:
    tree = _page(client, "/")
    assert sorted(_closures(tree)) == ["丹霍线", "丹霍线", "黑大线"]
    assert "目前没有生效" in tree.cssselect("#closures")[0].text_content()


def test_a_day_shows_what_is_in_force_then_and_what_starts_within_a_week(
    client: FlaskClient,
) -> None:
    tree = _page(client, "/?at=2025-07-05")  # none in force; all three start within 7 days
    assert len(_closures(tree)) == 3
    assert len(tree.cssselect(".badge.soon")) == 3
    assert _closures(_page(client, "/?at=2025-07-16")) == ["丹霍线"]  # 黑大线 and K10 are over
    assert len(_closures(_page(client, "/?at=2025-06-20"))) == 3  # none near: the recent ones


def test_filters_narrow_the_list_and_the_feed_links(client: FlaskClient) -> None:
    tree = _page(client, "/?at=2025-07-10&route=黑大线")
    assert _closures(tree) == ["黑大线"]
    feeds = [a.get("href") for a in tree.cssselect("a.feed")]
    assert len(feeds) == 4 and all("route=" in href for href in feeds)
    chosen = tree.cssselect("nav.filters a.on")
    assert "黑大线" in [a.text_content().split()[0] for a in chosen]
    assert _closures(_page(client, "/?publication=没有这份报纸")) == []


def test_notice_text_is_escaped_everywhere(client: FlaskClient) -> None:
    front = client.get("/?at=2025-07-10").get_data(as_text=True)
    hostile = next(r for r in parse_page(HOSTILE) if isinstance(r, RoadClosure))
    page = client.get(f"/notices/{hostile.id}").get_data(as_text=True)
    for body in (front, page):
        assert "<img" not in body and "<script>alert" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x" in page  # (the cleaner drops the space after it)


def test_resident_id_numbers_are_masked_on_every_page(client: FlaskClient) -> None:
    from notices.privacy import mask_resident_id

    masked = mask_resident_id(RESIDENT_ID)
    assert masked.startswith(RESIDENT_ID[:6]) and RESIDENT_ID[6:16] not in masked
    front = client.get("/").get_data(as_text=True)
    found = client.get(f"/lookup?q={RESIDENT_ID}").get_data(as_text=True)
    tree = html.fromstring(found)
    assert len(tree.cssselect("li.loss")) == 1  # the full number finds its declaration
    notice = client.get(tree.cssselect("li.loss a.holder")[0].get("href")).get_data(as_text=True)
    for body in (front, found, notice):
        assert RESIDENT_ID not in body and RESIDENT_ID[6:14] not in body
    assert masked in found and masked in notice
    partial = html.fromstring(client.get(f"/lookup?q={RESIDENT_ID[:-1]}").get_data(as_text=True))
    assert partial.cssselect("li.loss") == []  # part of a number finds nothing


def test_bad_input_gets_a_page_saying_what_is_wrong(client: FlaskClient) -> None:
    for url, status, words in [
        ("/?at=2025-13-01", 400, "不是 2025-07-08 这样的日期"),
        ("/?at=9999-12-30", 400, "超出范围"),
        ("/?route=" + "长" * 201, 400, "不能超过200个字符"),
        ("/lookup?q=%01", 400, "控制字符"),
        ("/notices/nope", 404, "没有这条公告"),
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        assert response.mimetype == "text/html"
        assert words in response.get_data(as_text=True), url


def test_sources_show_their_runs_and_when_they_last_gave_a_page(client: FlaskClient) -> None:
    tree = _page(client, "/")
    rows = {row.cssselect("th .name")[0].text_content(): row
            for row in tree.cssselect("table.sources tbody tr")}  # fmt: skip
    assert set(rows) == {"demo", "seed"}  # the configured source and the hand-fed one
    assert "2025-07-08 15:00 +08:00" in rows["seed"].text_content()
    assert "从未" in rows["demo"].text_content()
    assert "stale" in rows["demo"].get("class")


# ── the timeline and the marks ─────────────────────────────────────────────────────


def _closure(start: date, end: date | None, daily: Daily | None = None) -> RoadClosure:
    window = Window(start, end, daily=daily)
    return RoadClosure("rc_1", "封路通告", "", None, (), Source(),
                       None, (), (), "full", window)  # fmt: skip


def test_bars_cover_their_days_clipped_to_those_shown() -> None:
    first = date(2025, 7, 1)
    closures = [
        _closure(date(2025, 7, 3), date(2025, 7, 4)),
        _closure(date(2025, 6, 1), None, Daily("20:00", "08:00")),
        _closure(date(2025, 8, 1), date(2025, 8, 2)),
    ]
    drawn = timeline(closures, first, 9, today=date(2025, 7, 2))
    one, open_ended = drawn.rows[0].bars[0], drawn.rows[1].bars[0]
    assert (one.x, one.width) == (LABEL_WIDTH + 2 * DAY_WIDTH, 2 * DAY_WIDTH)
    assert (open_ended.x, open_ended.width) == (LABEL_WIDTH, 9 * DAY_WIDTH)
    assert open_ended.daily and open_ended.open_end and not one.daily
    assert drawn.rows[2].bars == () and drawn.bars == 2
    assert drawn.today_x == LABEL_WIDTH + 1.5 * DAY_WIDTH
    assert [d.today for d in drawn.days].index(True) == 1


def test_days_around_old_closures_span_their_windows_at_most_a_month() -> None:
    july = [_closure(date(2025, 7, 8), date(2025, 7, 22))]
    assert days_around(july, date(2026, 1, 1)) == (date(2025, 7, 7), 17)
    years = [_closure(date(2024, 1, 1), date(2024, 1, 2)), *july]
    first, count = days_around(years, date(2026, 1, 1))
    assert count == 31 and first + timedelta(days=30) == date(2025, 7, 23)


def test_marks_of_a_loss_declaration_are_its_holder_documents_and_masked_numbers() -> None:
    from notices.render.view import public

    records = [public(r) for r in parse_page(LOSS.read_text(encoding="utf-8"))]
    marked = {(run.text, run.marks) for r in records for run in marked_runs(r) if run.marks}
    assert any(m == ("identifier",) and "********" in text for text, m in marked)
    assert not any(RESIDENT_ID in text for text, _ in marked)
    assert {m for _, marks in marked for m in marks} == {"holder", "document", "identifier"}


# ── weight with 10,000 notices ─────────────────────────────────────────────────────


def _elsewhere(record: Record, n: int) -> Record:
    """The record moved to a road of its own, so that no two copies are one closure."""
    if not isinstance(record, RoadClosure):
        return record
    road = f"测试{n}线"
    moved = tuple(dataclasses.replace(s, route=road) for s in record.segments)
    return dataclasses.replace(record, routes=(Route(None, road),), segments=moved)


def _fill(app: Flask, count: int, seed: str) -> None:
    """Store ``count`` distinct notices varied from the seed page's (all in force 2025-07-10)."""
    base = parse_page(seed, published_on=date(2025, 7, 8))
    store = get_store()
    for first in range(0, count, 500):
        batch = []
        for n in range(first, min(first + 500, count)):
            record = _elsewhere(base[n % len(base)], n)
            digest = hashlib.sha256(f"{record.id}{n}".encode()).hexdigest()[:20]
            batch.append(dataclasses.replace(record, id=f"{record.id[:3]}{digest}"))
        seen = SEEN + timedelta(minutes=first)
        store.save_notices(batch, Sighting("bench", f"https://paper.example/{first}.htm",
                                           date(2025, 7, 8), "A1", seen))  # fmt: skip


def test_the_first_view_of_10000_notices_weighs_under_200_kb(
    tmp_path: Path, notice_page: str
) -> None:
    app = _app(tmp_path / "notices.sqlite3", [])
    with app.app_context():
        _fill(app, 10_000, notice_page)
        assert get_store().count_notices() == 10_000
    client = app.test_client()
    for url in ("/", "/?at=2025-07-10"):  # the recent closures; the fullest week
        body = client.get(url).get_data()
        assert len(body) < 200_000, f"{url}: {len(body)} bytes"
    assert len(_closures(html.fromstring(client.get("/?at=2025-07-10").data))) == 50
    with app.app_context():
        get_store().close()
