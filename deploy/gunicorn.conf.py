"""gunicorn settings for the web process: `gunicorn -c deploy/gunicorn.conf.py 'service.app:create_app()'`.

The scheduler never runs in web workers: run `notices worker` as its own service (see
notices-worker.service), so each source is ingested once, not once per worker.

Each setting can be changed from the environment (NOTICES_WEB_*, below); the defaults are
what the serving benchmark chose (BENCHMARKS.md, "Worker settings", has the figures).
"""

import os

bind = os.environ.get("NOTICES_WEB_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("NOTICES_WEB_WORKERS", "2"))
# A gthread worker reads each request on one of its threads, so a slow client (slowloris)
# holds a thread until its request is whole. The kernel does not share connections out
# evenly between workers, so each worker must absorb the slow clients alone: 24 threads
# keep the health check answering with 20 of them (tests/test_slow_clients.py). More need
# the buffering proxy in front (nginx), which hands gunicorn whole requests only. Slow
# clients hold no database connection; fast requests past the pool's 15 wait for one.
threads = int(os.environ.get("NOTICES_WEB_THREADS", "24"))
worker_class = os.environ.get("NOTICES_WEB_WORKER_CLASS", "gthread")
timeout = 30
graceful_timeout = 20
keepalive = 5  # nginx keeps its upstream connections open (deploy/nginx/notices.conf)
# Off by default: nginx in front (deploy/nginx/notices.conf) logs every request's path, and
# gunicorn's own log cost 20-30% of the throughput of the feed (BENCHMARKS.md). "-" logs each
# request to stdout again (without nginx in front, do).
_access_log = os.environ.get("NOTICES_WEB_ACCESS_LOG", "off")
accesslog = None if _access_log == "off" else _access_log
# Paths only, never query strings: a lookup's query string is a full ID number (%(U)s is the
# path; %(r)s, the default, is the whole request line). No Referer: it may hold one too.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'
