"""The scheduler: a thin shell that decides when each source is ingested.

One APScheduler job per source, on the source's schedule; a job never overlaps itself
(``max_instances=1``), missed runs are merged into one (``coalesce``), and a source whose
last run is older than its schedule allows runs at start, so the worker catches up after
downtime. The store's lock keeps a manual ``notices ingest`` and a job from both running.
It runs in a process of its own (``notices worker``) — never inside the web app. SIGTERM
(or SIGINT) lets the runs in progress finish their pages in hand, then stops.
"""

from __future__ import annotations

import functools
import logging
import signal
import threading
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from notices import settings
from notices.errors import SourceBusy
from notices.fetch import Http
from notices.ingest import SHANGHAI, ingest_once, now_utc
from notices.sources import Source
from notices.store import Store

log = logging.getLogger(__name__)
_MISFIRE_GRACE = 3600  # seconds: a run missed by less than this still happens


def make_http() -> Http:
    """The HTTP client, configured from settings."""
    return Http(
        user_agent=settings.get("USER_AGENT"),
        timeout=settings.get_float("HTTP_TIMEOUT"),
        retries=int(settings.get_float("HTTP_RETRIES")),
        per_host=int(settings.get_float("HTTP_PER_HOST")),
        delay=settings.get_float("HTTP_DELAY"),
        deadline=settings.get_float("FETCH_DEADLINE"),
    )


def trigger(source: Source) -> CronTrigger | IntervalTrigger:
    """The APScheduler trigger of a source's schedule."""
    if source.schedule.cron:
        return CronTrigger.from_crontab(source.schedule.cron, timezone=SHANGHAI)
    assert source.schedule.every is not None
    return IntervalTrigger(seconds=source.schedule.every.total_seconds(), timezone=SHANGHAI)


def run_source(source: Source, database_url: str, stop: threading.Event | None = None) -> None:
    """One scheduled run: ingest the source, log what it gave; never raise into the scheduler."""
    store = Store.open(database_url)
    try:
        with make_http() as http:
            stats = ingest_once(source, store, http, stop=stop)
        log.info(
            "%s: %d pages read, %d unchanged, %d failed; %d new notices",
            source.name,
            stats.pages_fetched,
            stats.pages_skipped,
            stats.pages_failed,
            stats.notices_new,
        )
    except SourceBusy:
        log.info("%s: a run is already going on; skipped", source.name)
    except Exception:
        log.exception("%s: the run failed", source.name)
    finally:
        store.close()


def is_due(source: Source, last_run: datetime | None, now: datetime) -> bool:
    """Tell whether a source missed a run since ``last_run`` (catching up after downtime)."""
    if last_run is None:
        return True
    if source.schedule.every is not None:  # an interval trigger counts from its own creation
        return last_run + source.schedule.every <= now
    upcoming = trigger(source).get_next_fire_time(None, last_run)
    return upcoming is not None and upcoming <= now


def schedule(
    scheduler: BaseScheduler,
    sources: list[Source],
    database_url: str,
    run: Callable[[Source, str], None] = run_source,
) -> None:
    """Add one job per source; sources that missed a run start at once."""
    store = Store.open(database_url)
    try:
        now = now_utc()
        for source in sources:
            runs = store.runs(source.name, limit=1)
            last = runs[0].started_at if runs else None
            # next_run_time=None would add the job paused: leave it out unless a run is due
            due = {"next_run_time": now} if is_due(source, last, now) else {}
            scheduler.add_job(
                run,
                trigger(source),
                args=[source, database_url],
                id=source.name,
                name=source.name,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=_MISFIRE_GRACE,
                replace_existing=True,
                **due,
            )
    finally:
        store.close()


def run_worker(sources: list[Source], database_url: str) -> None:
    """Run the scheduler in this process until interrupted (``notices worker``)."""
    scheduler = BlockingScheduler(timezone=SHANGHAI)
    stop = threading.Event()
    schedule(scheduler, sources, database_url, functools.partial(run_source, stop=stop))

    def ask(signum: int, _frame: object) -> None:
        log.warning("worker: signal %d, letting the runs finish their pages in hand", signum)
        stop.set()
        # shutdown waits for the running jobs: not inside the handler, which holds the main loop
        threading.Thread(target=scheduler.shutdown, name="worker shutdown").start()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, ask)
    log.info("worker: %d sources scheduled", len(sources))
    scheduler.start()
