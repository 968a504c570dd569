"""The dashboard in a real headless Chromium, against the real app on a real local server.

Debian's ``chromium`` driven by Playwright (never Playwright's own browser download); the
app is served by werkzeug on 127.0.0.1 from a SQLite store holding the seed page. The
screenshots land in ``tests/artifacts/dashboard/`` (git-ignored) for people to look at.
Outside CI a machine without chromium skips these tests; in CI they must run.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from notices.ingest import ingest_text
from service.app import create_app
from service.db import get_store

ROOT = Path(__file__).resolve().parent
NIGHTLY = ROOT / "corpus/road/015_nightly_bridge_full.txt"
ARTIFACTS = ROOT / "artifacts" / "dashboard"
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SEEN = datetime(2025, 7, 8, 7, 0, tzinfo=UTC)
# A notice whose every printed part tries to run script, the way a hostile page would.
HOSTILE = """封路通告
因<script>window.pwned = "script"; alert(1)</script>丹霍线<img src=x onerror="window.pwned = 'img'; alert(2)">维修施工需要，将对丹霍线K10+000至K12+000约2公里，进行全幅封闭施工。
封闭时间为2025年7月9日至2025年7月10日。车辆绕行<svg onload="window.pwned='svg'">石湖路</svg>。
本溪市交通事务发展服务中心<b onmouseover="window.pwned='b'">
2025年7月7日
"""


def _chromium() -> str:
    """The path of Debian's chromium, or skip (fail in CI) with why."""
    found = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    if found:
        return found
    reason = "Debian's chromium is not installed (apt-get install chromium)"
    if os.environ.get("CI", "").lower() in {"true", "1", "yes"}:
        pytest.fail(f"CI must run the browser tests: {reason}")
    pytest.skip(reason)


def _serve(database: Path, pages: list[tuple[str, str, date]]) -> Iterator[str]:
    """Serve a new app whose store holds these (text, url, edition) pages; yield its base URL."""
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{database}"})
    with app.app_context():
        for text, url, edition in pages:
            ingest_text(
                text, get_store(), url=url, source="seed", edition=edition, now=lambda: SEEN
            )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            get_store().close()


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory, notice_page: str) -> Iterator[str]:
    """The app with the seed page: two road closures, three loss declarations."""
    page = [(notice_page, "https://epaper.example/000.html", date(2025, 7, 8))]
    yield from _serve(tmp_path_factory.mktemp("dash") / "notices.sqlite3", page)


@pytest.fixture(scope="module")
def hostile_base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app with a hostile notice beside a nightly closure."""
    pages = [
        (HOSTILE, "javascript:window.pwned='link'", date(2025, 7, 8)),
        (NIGHTLY.read_text(encoding="utf-8"), "https://epaper.example/015.html", date(2025, 4, 2)),
    ]
    yield from _serve(tmp_path_factory.mktemp("hostile") / "notices.sqlite3", pages)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, driven by Playwright."""
    path = _chromium()
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=path, args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh tab at a desk's width, in Chinese, on Shanghai time."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    tab = context.new_page()
    yield tab
    context.close()


def _shot(tab: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _closures(tab: Any) -> list[str]:
    return [text.strip() for text in tab.locator("li.closure h3 a").all_inner_texts()]


# ── the first view ─────────────────────────────────────────────────────────────────


def test_first_view_lists_both_closures_on_a_timeline_of_two_bars(page: Any, base: str) -> None:
    response = page.goto(f"{base}/")
    assert response.status == 200
    assert sorted(_closures(page)) == ["丹霍线", "黑大线"]
    assert page.locator("svg.timeline-svg rect.bar").count() == 2
    # The seed closures ended in July 2025: the page says nothing is in force, not an empty list.
    assert "目前没有生效或7日内开始的道路封闭" in page.inner_text("#closures")
    assert page.locator("li.loss").count() == 3
    _shot(page, "first-view")


def test_a_day_within_the_closures_shows_them_in_force_with_today_marked(
    page: Any, base: str
) -> None:
    page.goto(f"{base}/?at=2025-07-10")
    assert sorted(_closures(page)) == ["丹霍线", "黑大线"]
    assert page.locator("li.closure .badge.now").count() == 2
    assert page.locator("svg.timeline-svg line.today-line").count() == 1
    assert page.locator("svg.timeline-svg .today .day-label").text_content() == "7/10"
    bars = page.locator("svg.timeline-svg rect.bar")
    assert bars.count() == 2
    # 丹霍线 runs past the last day shown, 黑大线 ends on 7/12: its bar is the shorter.
    widths = sorted(float(bars.nth(n).get_attribute("width")) for n in range(2))
    assert widths[0] < widths[1]
    _shot(page, "in-force")


def test_a_road_filter_link_narrows_to_one_closure_and_its_feeds(page: Any, base: str) -> None:
    page.goto(f"{base}/")
    page.locator("nav.filters a", has_text="丹霍线").click()
    page.wait_for_load_state()
    assert "route=" in page.url
    assert _closures(page) == ["丹霍线"]
    assert page.locator("svg.timeline-svg rect.bar").count() == 1
    links = {a.inner_text(): a.get_attribute("href") for a in page.locator("a.feed").all()}
    assert set(links) == {"RSS", "Atom", "JSON Feed", "iCalendar"}
    assert all(f"route={quote('丹霍线')}" in href for href in links.values())
    feed = page.request.get(base + links["JSON Feed"]).json()
    assert [item["_notice"]["routes"][0]["name"] for item in feed["items"]] == ["丹霍线"]
    ics = page.request.get(base + links["iCalendar"]).text()
    assert ics.count("BEGIN:VEVENT") == 1
    _shot(page, "filtered")


def test_filters_and_pages_work_without_javascript(browser: Any, base: str) -> None:
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    tab = context.new_page()
    try:
        tab.goto(f"{base}/")
        tab.locator("nav.filters a", has_text="黑大线").click()
        tab.wait_for_load_state()
        assert _closures(tab) == ["黑大线"]
        tab.fill("#q", "陆德平")
        tab.click("form.lookup button")
        tab.wait_for_load_state()
        assert tab.locator("li.loss .holder").all_inner_texts() == ["陆德平"]
    finally:
        context.close()


# ── loss declarations ──────────────────────────────────────────────────────────────


def test_the_lookup_finds_a_holder_by_name_and_by_identifier(page: Any, base: str) -> None:
    page.goto(f"{base}/")
    page.fill("#q", "凌源日新氨纶制品有限公司")
    page.click("form.lookup button")
    page.wait_for_load_state()
    assert page.locator("li.loss .holder").all_inner_texts() == ["凌源日新氨纶制品有限公司"]
    assert "企合朝总字第000101号" in page.inner_text("li.loss")
    _shot(page, "lookup")
    page.fill("#q", "企合朝总字第000101号")
    page.click("form.lookup button")
    page.wait_for_load_state()
    assert page.locator("li.loss .holder").all_inner_texts() == ["凌源日新氨纶制品有限公司"]
    page.fill("#q", "企合朝总字第000101")  # an identifier must be given whole
    page.click("form.lookup button")
    page.wait_for_load_state()
    assert page.locator("li.loss").count() == 0


# ── a notice ───────────────────────────────────────────────────────────────────────


def test_the_notice_page_marks_stakes_road_dates_and_detour(page: Any, base: str) -> None:
    page.goto(f"{base}/")
    page.locator("li.closure h3 a", has_text="丹霍线").click()
    page.wait_for_load_state()
    assert "/notices/" in page.url
    assert page.locator(".text mark.stake").all_inner_texts() == ["K189+400", "K191+942"]
    assert "丹霍线" in page.locator(".text mark.road").all_inner_texts()
    assert "2025年7月8日" in page.locator(".text mark.date").all_inner_texts()
    assert "众诚检车线" in " ".join(page.locator(".text mark.detour").all_inner_texts())
    fields = page.inner_text("section.fields")
    assert "K189+400–K191+942" in fields and "全幅封闭" in fields
    assert page.locator("ul.checks li.ok").count() == 3
    assert page.locator("table.sightings tbody tr").count() == 1
    assert "+08:00" in page.inner_text("table.sightings")
    link = page.locator("table.sightings a")
    assert link.get_attribute("href") == "https://epaper.example/000.html"
    _shot(page, "notice")


# ── hostile text ───────────────────────────────────────────────────────────────────


def test_a_hostile_notice_runs_nothing(browser: Any, hostile_base: str) -> None:
    # The page's own policy would block inline script anyway: bypass it, so that what is
    # tested is the escaping.
    context = browser.new_context(bypass_csp=True)
    tab = context.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        tab.goto(f"{hostile_base}/")
        notice_link = tab.locator("li.closure h3 a").first
        tab.goto(hostile_base + notice_link.get_attribute("href"))
        tab.hover(".text")
        assert "<script>" in tab.inner_text(".text")  # shown as text, as printed
        for url in (f"{hostile_base}/", tab.url, f"{hostile_base}/lookup?q=<script>"):
            tab.goto(url)
            tab.wait_for_load_state("load")
            assert tab.evaluate("typeof window.pwned") == "undefined", url
            assert tab.locator("img, svg[onload], b[onmouseover]").count() == 0, url
            assert tab.locator("script").count() == 1, url  # our own dashboard.js
            assert tab.locator("a[href^='javascript:']").count() == 0, url
        assert dialogs == []
        _shot(tab, "hostile")
    finally:
        context.close()


def test_pages_carry_a_policy_allowing_only_their_own_script(page: Any, base: str) -> None:
    response = page.goto(f"{base}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy


def test_a_daily_hours_closure_is_drawn_hatched(page: Any, hostile_base: str) -> None:
    page.goto(f"{hostile_base}/?at=2025-04-10")
    daily = page.locator("svg.timeline-svg rect.bar.daily")
    assert daily.count() == 1
    assert daily.get_attribute("fill") == "url(#hatch)"
    assert page.locator("svg.timeline-svg rect.bar:not(.daily)").count() == 0
    assert "每日20:00–08:00" in page.inner_text("li.closure")
    _shot(page, "daily-hatched")


# ── accessibility and screens ──────────────────────────────────────────────────────


def test_no_serious_accessibility_violation(page: Any, base: str) -> None:
    axe = Axe()  # the axe-core build the package bundles
    page.goto(f"{base}/")
    notice = base + page.locator("li.closure h3 a").first.get_attribute("href")
    found = {}
    for url in (f"{base}/", f"{base}/?at=2025-07-10&route=丹霍线", notice,
                f"{base}/lookup?q=凌源", f"{base}/notices/nope"):  # fmt: skip
        page.goto(url)
        results = axe.run(page).response
        found[url] = [
            f"{v['id']} ({v['impact']}): {v['help']}"
            for v in results["violations"]
            if v["impact"] in ("serious", "critical")
        ]
    assert found == {url: [] for url in found}


@pytest.mark.parametrize(("name", "width", "height"), [("phone", 390, 844), ("wall", 2560, 1440)])
def test_the_page_fits_a_phone_and_a_wall_screen(
    browser: Any, base: str, name: str, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    tab = context.new_page()
    try:
        tab.goto(f"{base}/?at=2025-07-10")
        # Nothing but the timeline's own scroller is wider than the screen.
        overflow = tab.evaluate("document.documentElement.scrollWidth")
        assert overflow <= width
        assert tab.locator("li.closure").count() == 2
        _shot(tab, name)
    finally:
        context.close()
