"""gunicorn settings for the web process: `gunicorn -c deploy/gunicorn.conf.py 'service.app:create_app()'`.

The scheduler never runs in web workers: run `notices worker` as its own service (see
notices-worker.service), so each source is ingested once, not once per worker.
"""

bind = "127.0.0.1:8000"
workers = 2
threads = 4
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
accesslog = "-"
