"""gunicorn settings for the web process: `gunicorn -c deploy/gunicorn.conf.py 'service.app:create_app()'`.

The scheduler never runs in web workers: run `notices worker` as its own service (see
notices-worker.service), so each source is ingested once, not once per worker.
"""

bind = "127.0.0.1:8000"
workers = 2
# A gthread worker reads each request on one of its threads, so a slow client (slowloris)
# holds a thread until its request is whole. The kernel does not share connections out
# evenly between workers, so each worker must absorb the slow clients alone: 24 threads
# keep the health check answering with 20 of them (tests/test_slow_clients.py). More need
# the buffering proxy in front (nginx), which hands gunicorn whole requests only. Slow
# clients hold no database connection; fast requests past the pool's 15 wait for one.
threads = 24
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
accesslog = "-"
# Paths only, never query strings: a lookup's query string is a full ID number (%(U)s is the
# path; %(r)s, the default, is the whole request line). No Referer: it may hold one too.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s"'
