"""gunicorn settings for the web process: `gunicorn -c deploy/gunicorn.conf.py 'service.app:create_app()'`.

Everything comes from the environment, the same NOTICES_* settings table as the app's:
NOTICES_WEB_BIND (the address), NOTICES_WEB_WORKERS (processes), NOTICES_WEB_THREADS,
NOTICES_WEB_WORKER_CLASS, NOTICES_WEB_REUSE_PORT, NOTICES_WEB_ACCESS_LOG and
NOTICES_LOG_FORMAT (json: one JSON object a line, gunicorn's lines too); the defaults are
what the serving benchmark chose (BENCHMARKS.md, "Worker settings", has the figures). The
scheduler never runs in web workers: run `notices worker` as its own service (see
notices-worker.service), so each source is ingested once, not once per worker.

/metrics adds up every worker's counts: prometheus-client's multiprocess mode keeps them in
PROMETHEUS_MULTIPROC_DIR (a fresh temporary folder when unset), emptied when gunicorn starts.
"""

import ctypes
import ctypes.util
import gc
import itertools
import os
import shutil
import sys
import tempfile
from pathlib import Path

from notices import settings
from notices.logs import gunicorn_logconfig

bind = settings.get("WEB_BIND")
workers = max(1, int(settings.get_float("WEB_WORKERS")))
# A gthread worker reads each request on one of its threads, so a slow client (slowloris)
# holds a thread until its request is whole. The kernel does not share connections out
# evenly between workers, so each worker must absorb the slow clients alone: 24 threads
# keep the health check answering with 20 of them (tests/test_slow_clients.py). More need
# the buffering proxy in front (deploy/nginx), which hands gunicorn whole requests only. Slow
# clients hold no database connection; fast requests past the pool's 15 wait for one.
threads = max(1, int(settings.get_float("WEB_THREADS")))
worker_class = settings.get("WEB_WORKER_CLASS")
# A thread that let go of the interpreter for a moment (each row SQLite steps to, each
# socket read and write) may wait this long for it back while another thread runs: at
# Python's 5 ms, paid row after row, a page of 50 took several times longer among busy
# threads than alone. 1 ms is the measured compromise (BENCHMARKS.md, "Worker settings"):
# shorter turns cost more switches once the machine's cores are oversubscribed.
_switch_interval = settings.get_float("WEB_SWITCH_INTERVAL")
# Each worker listens on a socket of its own (SO_REUSEPORT, gunicorn 23+) and the kernel
# deals new connections out among them. On one shared socket the worker that woke first
# took a burst of connections, often all of them: with kept-alive clients (nginx's upstream
# connections, a load generator) one worker then held the load while the other idled, and
# a list ran at 884 req/s instead of 2,494 (BENCHMARKS.md, "Connections per worker").
# A retiring worker's socket (a reload, HUP) takes its share until it closes, and what it
# holds queued then is reset, unless the kernel moves it on: net.ipv4.tcp_migrate_req=1
# (deploy/compose.yaml sets it; deploy/README.md says how without containers).
reuse_port = settings.get("WEB_REUSE_PORT") != "0"
_MIGRATE = Path("/proc/sys/net/ipv4/tcp_migrate_req")
timeout = 30
graceful_timeout = 20
keepalive = 5  # nginx keeps its upstream connections open (deploy/nginx/notices.conf)
# Off by default: nginx in front (deploy/nginx/notices.conf) logs every request's path, and
# gunicorn's own log cost 20-30% of the throughput of the feed (BENCHMARKS.md). "-" logs each
# request to stdout again (without nginx in front, do).
_access_log = settings.get("WEB_ACCESS_LOG")
accesslog = None if _access_log == "off" else _access_log
# Paths only, never query strings: a lookup's query string is a full ID number (%(U)s is the
# path; %(r)s, the default, is the whole request line). No Referer: it may hold one too.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'
logconfig_dict = gunicorn_logconfig() or {}
# gunicorn 25.1+ opens a control socket in $HOME; the service has no use for it (and the
# container's user no home). Older gunicorns ignore the name.
control_socket_disable = True

# Set here, in the master, before any worker imports prometheus_client: it reads it once.
_made = None if "PROMETHEUS_MULTIPROC_DIR" in os.environ else tempfile.mkdtemp(prefix="notices-")
if _made is not None:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = _made


def on_starting(server: object) -> None:
    """Empty the metrics folder (counts of an earlier run are not this one's); check the kernel."""
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    if reuse_port and _MIGRATE.exists() and _MIGRATE.read_text().strip() == "0":
        server.log.warning(  # type: ignore[attr-defined]
            "net.ipv4.tcp_migrate_req is 0: a reload resets the connections a retiring worker "
            "had queued; set it to 1 (deploy/README.md), or NOTICES_WEB_REUSE_PORT=0"
        )


def on_exit(server: object) -> None:
    """Remove the metrics folder made here."""
    if _made is not None:
        shutil.rmtree(_made, ignore_errors=True)


def post_fork(server: object, worker: object) -> None:
    """Give the worker's threads the interpreter in turns of WEB_SWITCH_INTERVAL."""
    if _switch_interval > 0:
        sys.setswitchinterval(_switch_interval)


def post_worker_init(worker: object) -> None:
    """Open the store before the first request; then set what was made by then aside from GC."""
    from flask import Flask

    from service.db import open_store

    app = getattr(worker, "wsgi", None)
    if isinstance(app, Flask):
        open_store(app)  # a worker's first burst waits for no migration
    # A worker holds some 130,000 objects once the app is made (modules, grammars, the
    # store's metadata), and a full collection walked them all: 80-170 ms in which none of
    # its threads answered, a p99 of its own under load (BENCHMARKS.md). They live as long
    # as the worker: frozen, the collector walks only what requests made since.
    gc.collect()
    gc.freeze()


# The heap a worker's answers were built in stays the process's after they are freed: glibc
# gives it back to the system only when asked. Asked every _TRIM_EVERY requests, a worker
# ends a pass of uncached answers near its size with them kept (BENCHMARKS.md).
_TRIM_EVERY = 256
_served = itertools.count(1)
_libc_name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
_malloc_trim = getattr(ctypes.CDLL(_libc_name), "malloc_trim", None) if _libc_name else None


def post_request(worker: object, req: object, environ: object, resp: object) -> None:
    """Give the heap freed by answers back to the system, every _TRIM_EVERY requests."""
    if _malloc_trim is not None and next(_served) % _TRIM_EVERY == 0:
        _malloc_trim(0)


def child_exit(server: object, worker: object) -> None:
    """Tell prometheus-client a worker is gone, so its live gauges are dropped."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
