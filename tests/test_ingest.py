"""Ingestion end to end: a GBK Founder e-paper on a local HTTP server, a folder, faults, locks.

Runs on SQLite and on a real PostgreSQL (the ``store`` fixture is parametrized over both).
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from epaper import Edition
from httpserver import Reply

from notices.fetch import Http
from notices.ingest import SourceBusy, ingest_once
from notices.sources import Schedule, Source

DAY = date(2025, 7, 8)
CORPUS = Path(__file__).resolve().parent / "corpus"
Notices = tuple[str, str]  # seed page 000's road closures, and its loss declarations


@pytest.fixture(scope="module")
def notices(notice_page: str) -> Notices:
    """The notices of seed page 000: its two road closures, then its three declarations."""
    found = notice_page[notice_page.index("封路通告") :]
    return found[: found.index("遗失声明")], found[found.index("遗失声明") :]


def _edition(notices: Notices, day: date = DAY) -> Edition:
    roads, losses = notices
    news = CORPUS / "road" / "neg_001_road_opening_news.txt"
    ordinary = (
        news.read_text(encoding="utf-8")
        if news.exists()
        else "今日新闻。记者获悉，全市经济平稳运行。"
    )
    return Edition(
        day,
        [
            ("第1版：要闻", [("经济平稳运行", ordinary)]),
            ("第4版：公告", [("封路通告", roads), ("遗失声明", losses)]),
        ],
    )


def _source(server: Any, name: str = "演示日报") -> Source:
    return Source(
        name=name,
        kind="epaper",
        schedule=Schedule.parse("0 7 * * *"),
        publication=name,
        region="辽宁省本溪市",
        region_code="210500",
        index=server.url("/html/{date:%Y-%m/%d}/node_2.htm"),
    )


def _serve(server: Any, edition: Edition) -> None:
    for path, body in edition.files().items():
        server.add(path, body=body, headers={"Content-Type": "text/html"}, etag=_etag(body))


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


@pytest.fixture
def http() -> Any:
    client = Http(retries=2, backoff=0.01, timeout=2.0, delay=0.0, respect_robots=True)
    yield client
    client.close()


def test_epaper_edition_gives_every_notice_once(
    http_server: Any, store: Any, http: Http, notices: Notices
) -> None:
    _serve(http_server, _edition(notices))
    stats = ingest_once(_source(http_server), store, http, editions=[DAY])
    assert stats.pages_failed == 0, stats.errors
    assert stats.notices_new == 5
    kinds = sorted(r["kind"] for r in store.notices(limit=50))
    assert kinds == ["loss_declaration"] * 3 + ["road_closure"] * 2
    closure = next(r for r in store.notices(limit=50) if r["kind"] == "road_closure")
    assert closure["source"]["published_on"] == "2025-07-08"
    assert closure["source"]["page"] and "4" in closure["source"]["page"]
    assert closure["source"]["region_code"] == "210500"


def test_second_run_fetches_nothing_new(
    http_server: Any, store: Any, http: Http, notices: Notices
) -> None:
    _serve(http_server, _edition(notices))
    source = _source(http_server)
    ingest_once(source, store, http, editions=[DAY])
    before = store.count_notices()
    article_hits = {p: http_server.hits(p) for p in _edition(notices).files() if "content_" in p}
    again = ingest_once(source, store, http, editions=[DAY])
    assert again.notices_new == 0 and again.pages_fetched == 0
    assert store.count_notices() == before
    # the edition index answered 304: no article was requested again
    assert all(http_server.hits(p) == n for p, n in article_hits.items())


def test_a_notice_reprinted_in_another_edition_is_one_notice_seen_twice(
    http_server: Any, store: Any, http: Http, notices: Notices
) -> None:
    _serve(http_server, _edition(notices, DAY))
    _serve(http_server, _edition(notices, DAY + timedelta(days=1)))
    stats = ingest_once(_source(http_server), store, http, editions=[DAY, DAY + timedelta(days=1)])
    assert stats.notices_new == 5 and stats.notices_seen == 5
    closure = next(r for r in store.notices(limit=50) if r["kind"] == "road_closure")
    assert len(store.sightings(closure["id"])) == 2


def test_faults_are_recorded_and_the_other_pages_go_on(
    http_server: Any, store: Any, http: Http, notices: Notices
) -> None:
    edition = _edition(notices)
    files = edition.files()
    _serve(http_server, edition)
    articles = sorted(p for p in files if "content_" in p)
    flaky, broken = articles[1], articles[2]
    http_server.add_sequence(
        flaky, [Reply(status=500), Reply(body=files[flaky], headers={"Content-Type": "text/html"})]
    )
    http_server.add(broken, body=b"\x00\x01\x02\xff" * 5000, headers={"Content-Type": "text/html"})
    stats = ingest_once(_source(http_server), store, http, editions=[DAY])
    assert stats.pages_failed == 1 and broken in " ".join(stats.errors)
    assert http_server.hits(flaky) == 2  # retried after the 500
    assert (
        stats.notices_new == 2
    )  # the flaky page's closures; the broken page's declarations are lost
    assert store.runs(limit=1)[0].stats.pages_failed == 1
    # once the page is mended, the next run reads it
    http_server.add(
        broken, body=files[broken], headers={"Content-Type": "text/html"}, etag=_etag(files[broken])
    )
    mended = ingest_once(_source(http_server), store, http, editions=[DAY])
    assert mended.notices_new == 3


def test_a_failing_source_does_not_stop_another(
    http_server: Any, store: Any, http: Http, notices: Notices
) -> None:
    _serve(http_server, _edition(notices))
    dead = Source(
        name="dead",
        kind="epaper",
        schedule=Schedule.parse("every 1h"),
        index=http_server.url("/nowhere/{date:%Y%m%d}/node_2.htm"),
    )
    stats = ingest_once(dead, store, http, editions=[DAY])
    assert stats.pages_failed == 1
    assert ingest_once(_source(http_server), store, http, editions=[DAY]).notices_new == 5


def test_a_folder_source_reads_text_html_and_skips_unchanged(
    tmp_path: Path, store: Any, http: Http, notices: Notices
) -> None:
    roads, losses = notices
    (tmp_path / "2025-07-08-a.txt").write_text(roads, encoding="gb18030")
    paragraphs = "".join(f"<p>{line}</p>" for line in losses.splitlines() if line.strip())
    (tmp_path / "2025-07-08-b.html").write_text(
        f"<html><body>{paragraphs}</body></html>", encoding="utf-8"
    )
    (tmp_path / "notes.md").write_text("not a page", encoding="utf-8")
    source = Source(
        name="folder", kind="directory", schedule=Schedule.parse("every 1h"), path=tmp_path
    )
    first = ingest_once(source, store, http)
    assert (first.pages_fetched, first.notices_new) == (2, 5)
    again = ingest_once(source, store, http)
    assert (again.pages_fetched, again.pages_skipped, again.notices_new) == (0, 2, 0)


def test_a_folder_page_named_in_chinese_with_spaces_is_read(
    tmp_path: Path, store: Any, http: Http, notices: Notices
) -> None:
    roads, _ = notices
    (tmp_path / "2025-07-08 本溪日报 第4版.txt").write_text(roads, encoding="utf-8")
    source = Source(
        name="folder", kind="directory", schedule=Schedule.parse("every 1h"), path=tmp_path
    )
    stats = ingest_once(source, store, http)
    assert (stats.pages_fetched, stats.pages_failed, stats.notices_new) == (1, 0, 2)


def test_a_run_and_a_manual_ingest_never_both_run(
    http_server: Any, store: Any, http: Http, notices: Notices
) -> None:
    _serve(http_server, _edition(notices))
    source = _source(http_server)
    now = datetime.now(UTC)
    assert store.try_lock(f"source:{source.name}", "scheduled-job", now, timedelta(minutes=5))
    with pytest.raises(SourceBusy):
        ingest_once(source, store, http, editions=[DAY])
    store.unlock(f"source:{source.name}", "scheduled-job")
    assert ingest_once(source, store, http, editions=[DAY]).notices_new == 5


def test_two_concurrent_runs_one_waits_out(
    http_server: Any, store: Any, http: Http, notices: Notices
) -> None:
    _serve(http_server, _edition(notices))
    source = _source(http_server)
    outcomes: list[str] = []

    def run() -> None:
        try:
            ingest_once(source, store, http, editions=[DAY])
            outcomes.append("ran")
        except SourceBusy:
            outcomes.append("busy")

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) in (["busy", "ran"], ["ran", "ran"])
    assert store.count_notices() == 5  # never doubled, whatever the interleaving


def _faults(body: bytes) -> dict[str, list[Reply]]:
    html = {"Content-Type": "text/html"}
    return {
        "times-out": [Reply(body=body, headers=html, delay=3.0)],
        "500-then-200": [Reply(status=500), Reply(body=body, headers=html)],
        "closes-mid-body": [Reply(body=body, headers=html, cut_at=len(body) // 3)],
        "closes-then-whole": [
            Reply(body=body, headers=html, cut_at=10),
            Reply(body=body, headers=html),
        ],
        "wrong-charset": [Reply(body=body, headers={"Content-Type": "text/html; charset=utf-8"})],
        "20MB": [
            Reply(
                body=b"<html><body>" + b"x" * (20 * 1024 * 1024) + b"</body></html>", headers=html
            )
        ],
        "binary-junk": [Reply(body=bytes(range(256)) * 400, headers=html)],
    }


# what each fault must end as: a retried (or tolerated) success, or a recorded failure
RECOVERS = {"500-then-200", "closes-then-whole", "wrong-charset"}


@pytest.mark.parametrize("fault", sorted(_faults(b"")))
def test_each_fault_is_a_recorded_error_or_a_retried_success(
    fault: str, http_server: Any, store: Any, notices: Notices
) -> None:
    edition = _edition(notices)
    files = edition.files()
    _serve(http_server, edition)
    roads = next(
        p for p in sorted(files) if "content_" in p and "封路通告".encode("gbk") in files[p]
    )
    http_server.add_sequence(roads, _faults(files[roads])[fault])
    with Http(retries=1, backoff=0.01, timeout=0.5, delay=0.0) as http:
        stats = ingest_once(_source(http_server), store, http, editions=[DAY])
    kinds = sorted(r["kind"] for r in store.notices(limit=50))
    if fault in RECOVERS:
        assert stats.pages_failed == 0, stats.errors
        assert kinds.count("road_closure") == 2
    else:
        assert stats.pages_failed == 1 and roads in stats.errors[0]
        assert kinds.count("road_closure") == 0
    assert kinds.count("loss_declaration") == 3  # the other pages are unaffected
    assert len(kinds) == len(set(r["id"] for r in store.notices(limit=50)))  # nothing doubled
