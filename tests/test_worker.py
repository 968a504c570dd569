"""The scheduler shell: one job per source, never overlapping, catching up after downtime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from notices.sources import Schedule, Source
from service.worker import is_due, run_source, schedule

NOW = datetime(2025, 7, 8, 12, 0, tzinfo=UTC)


def _source(name: str, when: str, folder: Path | None = None) -> Source:
    return Source(name=name, kind="directory", schedule=Schedule.parse(when), path=folder)


def test_catching_up_after_downtime() -> None:
    hourly = _source("a", "every 1h")
    assert is_due(hourly, None, NOW)
    assert is_due(hourly, NOW - timedelta(hours=3), NOW)
    assert not is_due(hourly, NOW - timedelta(minutes=10), NOW)
    morning = _source("b", "0 7 * * *")  # 07:00 Shanghai = 23:00 UTC the day before
    assert is_due(morning, NOW - timedelta(days=1), NOW)
    assert not is_due(morning, NOW - timedelta(hours=1), NOW)


def test_one_job_per_source_never_overlapping(tmp_path: Path, sqlite_url: str) -> None:
    scheduler = BackgroundScheduler()
    ran: list[str] = []
    sources = [_source("a", "every 30m", tmp_path), _source("b", "0 7 * * *", tmp_path)]
    schedule(scheduler, sources, sqlite_url, run=lambda source, url: ran.append(source.name))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"a", "b"}
    for job in jobs.values():
        assert job.max_instances == 1 and job.coalesce
    assert not scheduler.running  # scheduling never starts a scheduler by itself


def test_a_scheduled_run_ingests(tmp_path: Path, sqlite_url: str) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    seed = Path(__file__).resolve().parent / "corpus" / "road" / "001_huanyong_full_blanklines.txt"
    (pages / "2025-08-01.txt").write_bytes(seed.read_bytes())
    run_source(_source("folder", "every 1h", pages), sqlite_url)
    from notices.store import Store

    store = Store.open(sqlite_url)
    try:
        assert store.count_notices() == 1
        (run,) = store.runs("folder")
        assert run.stats.notices_new == 1
    finally:
        store.close()


def test_a_busy_source_is_skipped_quietly(tmp_path: Path, sqlite_url: str, caplog: Any) -> None:
    import logging

    from notices.store import Store

    caplog.set_level(logging.INFO, logger="service.worker")
    store = Store.open(sqlite_url)
    try:
        assert store.try_lock("source:folder", "manual", datetime.now(UTC), timedelta(minutes=5))
        run_source(_source("folder", "every 1h", tmp_path), sqlite_url)
        assert store.runs("folder") == []
    finally:
        store.close()
    assert any("already" in r.message for r in caplog.records)
