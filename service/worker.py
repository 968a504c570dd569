"""The scheduler: a thin shell that decides when each source is ingested.

One APScheduler job per source, on the source's schedule; a job never overlaps itself
(``max_instances=1``), missed runs are merged into one (``coalesce``), and a source whose
last run is older than its schedule allows runs at start, so the worker catches up after
downtime. The store's lock keeps a manual ``notices ingest`` and a job from both running.
It runs in a process of its own (``notices worker``) — never inside the web app. SIGTERM
(or SIGINT) lets the runs in progress finish their pages in hand, then stops.

One scheduler, however many workers run: a worker schedules only while it holds the
store's ``scheduler`` lease (``SCHEDULER_LEASE`` seconds, renewed three times a lease, the
same lease row as the sources' locks, on SQLite as on PostgreSQL). The others stand by,
asking for it every third of a lease, so when the active worker dies a standby takes the
schedule over within 4/3 of a lease; one that stops cleanly frees it at once. A worker
that loses its lease (it stalled, or the database was away for a whole lease) stops
scheduling and stands by again.
"""

from __future__ import annotations

import functools
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from notices import settings
from notices.errors import SourceBusy
from notices.fetch import Http
from notices.ingest import SHANGHAI, Lease, ingest_once, now_utc
from notices.sources import Source
from notices.store import Store

log = logging.getLogger(__name__)
_MISFIRE_GRACE = 3600  # seconds: a run missed by less than this still happens
SCHEDULER_LOCK = "scheduler"


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
    """Schedule while this process holds the scheduler's lease, until interrupted."""
    stop = threading.Event()

    def ask(signum: int, _frame: object) -> None:
        log.warning("worker: signal %d, letting the runs finish their pages in hand", signum)
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, ask)
    lease = timedelta(seconds=settings.get_float("SCHEDULER_LEASE"))
    store = Store.open(database_url)
    try:
        lead(sources, database_url, store, lease, stop)
    finally:
        store.close()


def lead(
    sources: list[Source],
    database_url: str,
    store: Store,
    lease: timedelta,
    stop: threading.Event,
) -> None:
    """Stand by until the scheduler's lease is ours, then schedule while we hold it."""
    holder = f"{socket.gethostname()}:{os.getpid()}"
    standing_by = False
    while not stop.is_set():
        try:
            scheduled = _take_turn(sources, database_url, store, lease, stop, holder, standing_by)
        except Exception:  # the database away: a standby asks again, it does not crash
            log.exception("worker %s: cannot reach the store's lease; trying again", holder)
            scheduled = False
        standing_by = not scheduled
        if not scheduled:
            stop.wait(lease.total_seconds() / 3)


def _take_turn(
    sources: list[Source],
    database_url: str,
    store: Store,
    lease: timedelta,
    stop: threading.Event,
    holder: str,
    standing_by: bool,
) -> bool:
    """Schedule while the lease is ours, if we can take it; tell whether we did."""
    held = Lease(store, SCHEDULER_LOCK, holder, lease, now_utc)
    if not held.take():
        if not standing_by:
            log.info("worker %s: standing by, while another worker schedules", holder)
        return False
    try:
        log.info("worker %s: holds the schedule (%d sources)", holder, len(sources))
        _schedule_while_held(sources, database_url, held.lost, stop)
    finally:
        held.release()
    if held.lost.is_set() and not stop.is_set():
        log.warning("worker %s: lost the scheduler's lease; standing by", holder)
    return True


def _schedule_while_held(
    sources: list[Source], database_url: str, lost: threading.Event, stop: threading.Event
) -> None:
    """Run the scheduler until asked to stop or the lease is lost; let running jobs finish."""
    scheduler = BackgroundScheduler(timezone=SHANGHAI)
    schedule(scheduler, sources, database_url, functools.partial(run_source, stop=stop))
    scheduler.start()
    try:
        while not (stop.wait(0.2) or lost.is_set()):
            pass
    finally:
        scheduler.shutdown(wait=True)
