"""One scheduler among several ``notices worker`` processes, on SQLite (PostgreSQL: the
topology test): one holds the scheduler's lease and schedules, the other stands by; killed,
the schedule moves within 4/3 of the lease; stopped, it is freed at once; a lease that
cannot be renewed for a whole lease is given up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from notices.ingest import Lease
from notices.store import Store
from notices.tables import LockRow
from service.worker import SCHEDULER_LOCK

NOTICES = str(Path(sys.executable).with_name("notices"))
CORPUS = Path(__file__).resolve().parent / "corpus"
LEASE = 3.0  # long enough that a busy machine still renews it in time
TAKEOVER = 60.0  # how long to wait for the standby: a bound for a stuck test, not a figure
BOUND = 60.0  # how long to wait for a worker to start, take the lease or ingest: the same


def _holder(url: str) -> int | None:
    """The pid holding the scheduler's lease, if its lease is current."""
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            lock = session.get(LockRow, SCHEDULER_LOCK)
            if lock is None or lock.expires_at <= datetime.now(UTC):
                return None
            return int(lock.holder.rsplit(":", 1)[1])
    finally:
        engine.dispose()


def _wait(check: object, seconds: float) -> object:
    deadline = time.monotonic() + seconds
    while not (found := check()):  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return found


def _worker(tmp_path: Path, url: str, n: int) -> subprocess.Popen[bytes]:
    pages = tmp_path / "pages"
    pages.mkdir(exist_ok=True)
    (pages / "2025-08-01.txt").write_bytes((CORPUS / "road" / "001_huanyong_full_blanklines.txt").read_bytes())
    sources = tmp_path / "sources.toml"
    sources.write_text(f'[[source]]\nname = "folder"\nkind = "directory"\npath = "{pages}"\n'
                       'schedule = "every 1s"\n', encoding="utf-8")  # fmt: skip
    env = os.environ | {"NOTICES_SCHEDULER_LEASE": str(LEASE), "NOTICES_LOCK_LEASE": "2"}
    command = [NOTICES, "worker", "--db", url, "--sources", str(sources)]
    with (tmp_path / f"worker-{n}.log").open("wb") as log:
        return subprocess.Popen(command, env=env, stdout=log, stderr=log)


def test_one_worker_schedules_the_other_takes_over(tmp_path: Path, sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    workers = [_worker(tmp_path, sqlite_url, n) for n in range(2)]
    try:
        active = _wait(lambda: _holder(sqlite_url), BOUND)
        assert active in {w.pid for w in workers}
        _wait(lambda: store.count_notices() == 1, BOUND)
        (standby,) = [w for w in workers if w.pid != active]
        time.sleep(2 * LEASE)  # two leases: the standby never took it
        assert _holder(sqlite_url) == active and standby.poll() is None
        os.kill(active, signal.SIGKILL)  # type: ignore[arg-type]
        _wait(lambda: _holder(sqlite_url) == standby.pid, TAKEOVER)
        runs = len(store.runs("folder", limit=500))
        _wait(lambda: len(store.runs("folder", limit=500)) > runs, BOUND)  # it schedules
        standby.send_signal(signal.SIGTERM)
        assert standby.wait(timeout=20) == 0
        assert _holder(sqlite_url) is None  # freed on the way out, not left to lapse
        assert store.count_notices() == 1
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
        store.close()


def test_a_lease_not_renewed_for_a_whole_lease_is_given_up(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    try:
        held = Lease(store, SCHEDULER_LOCK, "me", timedelta(seconds=0.6), lambda: datetime.now(UTC))
        assert held.take()
        away = threading.Event()
        real = store.try_lock

        def unreachable(*args: object) -> bool:
            away.set()
            raise OSError("the database is away")

        store.try_lock = unreachable  # type: ignore[method-assign]
        began = time.monotonic()
        assert held.lost.wait(5)
        assert away.is_set() and time.monotonic() - began >= 0.6 - 0.25
        store.try_lock = real  # type: ignore[method-assign]
        held.release()
    finally:
        store.close()
