"""A lock that heals: a lease renewed while a run lives, taken over once it lapses; SIGTERM
finishes the pages in hand and releases; a killed run is marked failed; exit codes say so.

The runs under test are real processes (``notices ingest``) fetching from a real local
HTTP server whose pages answer slowly, killed or stopped with real signals.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from httpserver import Server

from notices.cli import main
from notices.errors import SourceBusy
from notices.fetch import Http
from notices.ingest import ABANDONED, ingest_once
from notices.sources import load_sources
from notices.store import Store

NOTICES = str(Path(sys.executable).with_name("notices"))
PAGE = "遗失声明\n李明遗失身份证，证号21050419860722101X，声明作废。\n"
PAGES = 12


def slow_source(server: Server, tmp_path: Path, delay: float, pages: int = PAGES) -> Path:
    """A sources file naming one source of ``pages`` pages, each answered after ``delay``."""
    urls = []
    for n in range(pages):
        body = PAGE.replace("李明", f"李{'明亮红'[n % 3]}{n}").encode()
        server.add(f"/p{n}.txt", body=body, delay=delay, headers={"Content-Type": "text/plain"})
        urls.append(server.url(f"/p{n}.txt"))
    listed = ", ".join(f'"{url}"' for url in urls)
    path = tmp_path / "sources.toml"
    path.write_text(
        f'[[source]]\nname = "slow"\nkind = "url"\nurls = [{listed}]\n', encoding="utf-8"
    )
    return path


def start_ingest(sources: Path, db: str, lease: float) -> subprocess.Popen[str]:
    env = os.environ | {"NOTICES_LOCK_LEASE": str(lease), "NOTICES_HTTP_DELAY": "0"}
    command = [NOTICES, "ingest", "slow", "--db", db, "--sources", str(sources)]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(check: object, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_lease_is_renewed_while_the_run_lives(
    http_server: Server, tmp_path: Path, sqlite_url: str
) -> None:
    # a lease of 2 s, so a heartbeat delayed by a loaded machine still renews it in time
    source = load_sources(slow_source(http_server, tmp_path, delay=1.0, pages=32))[0]
    store = Store.open(sqlite_url)
    run = start_ingest(tmp_path / "sources.toml", sqlite_url, lease=2.0)
    try:
        wait_for(lambda: http_server.hits("/p0.txt") > 0)
        time.sleep(4.4)  # two leases: without its heartbeat the lock would have lapsed
        assert run.poll() is None, "the run should still be going (32 pages, 4 at a time, 1 s each)"
        with Http(delay=0) as http, pytest.raises(SourceBusy):
            ingest_once(source, store, http, lease=timedelta(seconds=2.0))
        _, err = run.communicate(timeout=30)
        assert run.returncode == 0, err
    finally:
        run.kill()
        run.communicate()
        store.close()


def test_a_killed_run_frees_its_source_within_the_lease(
    http_server: Server, tmp_path: Path, sqlite_url: str
) -> None:
    sources = slow_source(http_server, tmp_path, delay=1.0)
    source = load_sources(sources)[0]
    store = Store.open(sqlite_url)
    run = start_ingest(sources, sqlite_url, lease=1.5)
    try:
        wait_for(lambda: http_server.hits("/p0.txt") > 0)
        run.send_signal(signal.SIGKILL)
        run.communicate(timeout=10)
        killed_at = time.monotonic()
        with Http(delay=0) as http:
            with pytest.raises(SourceBusy):
                ingest_once(source, store, http, lease=timedelta(seconds=1.5))
            http_server.add("/p0.txt", body=PAGE.encode(), headers={"Content-Type": "text/plain"})
            for n in range(PAGES):  # answer at once now
                http_server.add(f"/p{n}.txt", body=PAGE.replace("李明", f"王{n}").encode())
            wait_for(lambda: time.monotonic() - killed_at > 1.6)
            stats = ingest_once(source, store, http, lease=timedelta(seconds=1.5))
        assert stats.pages_fetched == PAGES and not stats.errors
        (killed,) = [r for r in store.runs("slow") if r.stats.errors]
        assert killed.finished_at is not None and killed.stats.errors == (ABANDONED,)
        listing = CliRunner().invoke(
            main, ["sources", "--db", sqlite_url, "--sources", str(sources)]
        )
        assert "; ok" in listing.stdout  # the last run is the good one
    finally:
        run.kill()
        run.communicate()
        store.close()


def test_sigterm_finishes_the_pages_in_hand_and_releases(
    http_server: Server, tmp_path: Path, sqlite_url: str
) -> None:
    sources = slow_source(http_server, tmp_path, delay=0.4)
    source = load_sources(sources)[0]
    run = start_ingest(sources, sqlite_url, lease=30)  # a lease that would not lapse in this test
    wait_for(lambda: http_server.hits("/p1.txt") > 0)
    run.send_signal(signal.SIGTERM)
    out, err = run.communicate(timeout=20)
    assert run.returncode == 1, (out, err)
    assert "stopped after" in err and "did not read everything" in err
    store = Store.open(sqlite_url)
    try:
        last = store.runs("slow")[0]
        assert last.finished_at is not None
        assert last.stats.errors[-1].startswith("stopped after")
        read = last.stats.pages_fetched
        assert 1 <= read < PAGES
        with Http(delay=0) as http:  # free at once: no wait for a lease
            stats = ingest_once(source, store, http)
        assert stats.pages_fetched == PAGES - read and stats.pages_skipped == read
        listing = CliRunner().invoke(
            main, ["sources", "--db", sqlite_url, "--sources", str(sources)]
        )
        assert "; ok" in listing.stdout
    finally:
        store.close()


def test_ingest_exits_1_when_a_page_fails_and_says_so(
    http_server: Server, tmp_path: Path, sqlite_url: str
) -> None:
    sources = slow_source(http_server, tmp_path, delay=0, pages=2)
    runner = CliRunner()
    good = runner.invoke(main, ["ingest", "slow", "--db", sqlite_url, "--sources", str(sources)])
    assert good.exit_code == 0, good.output
    http_server.add("/p1.txt", status=404)
    other = tmp_path / "other.sqlite3"
    bad = runner.invoke(
        main, ["ingest", "slow", "--db", f"sqlite:///{other}", "--sources", str(sources)]
    )
    assert bad.exit_code == 1
    assert "HTTP 404" in bad.stderr and "did not read everything" in bad.stderr
    listing = runner.invoke(
        main, ["sources", "--db", f"sqlite:///{other}", "--sources", str(sources)]
    )
    assert "; failed; last error: " in listing.stdout and "HTTP 404" in listing.stdout


def test_a_missing_edition_is_a_failed_ingest(
    http_server: Server, tmp_path: Path, sqlite_url: str
) -> None:
    index = http_server.url("/{date:%Y-%m/%d}/node_2.htm")
    path = tmp_path / "paper.toml"
    path.write_text(
        f'[[source]]\nname = "paper"\nkind = "epaper"\nindex = "{index}"\n', encoding="utf-8"
    )
    result = CliRunner().invoke(
        main,
        ["ingest", "paper", "--from", "2025-07-08", "--db", sqlite_url, "--sources", str(path)],
    )
    assert result.exit_code == 1
    assert "node_2.htm: HTTP 404" in result.stderr


def test_the_worker_stops_on_sigterm_after_the_pages_in_hand(
    http_server: Server, tmp_path: Path, sqlite_url: str
) -> None:
    sources = slow_source(http_server, tmp_path, delay=0.4)
    env = os.environ | {"NOTICES_HTTP_DELAY": "0"}
    command = [NOTICES, "worker", "--db", sqlite_url, "--sources", str(sources)]
    worker = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_for(lambda: http_server.hits("/p1.txt") > 0)
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=60)
        # it stopped with the pages in hand: the last pages were never asked for
        assert http_server.hits(f"/p{PAGES - 1}.txt") == 0
    finally:
        worker.kill()
        worker.communicate()
    store = Store.open(sqlite_url)
    try:
        last = store.runs("slow")[0]
        assert last.finished_at is not None and last.stats.errors[-1].startswith("stopped after")
        assert store.try_lock("source:slow", "someone else", last.finished_at, timedelta(seconds=1))
    finally:
        store.close()
