"""The Flask application factory, the way the Flask tutorial does it.

Configuration comes from defaults (the settings table), then ``NOTICES_*`` environment
variables, then ``test_config``. Each surface is a blueprint: ``feeds`` (RSS, Atom,
JSON Feed, CAP, iCalendar), ``api`` (``/api/v1``), ``dashboard`` (``/``) and ``staff``
(its authenticated edits); :mod:`service.guard` sets what every request must respect (rate
limits, clean parameters, security headers) and refuses to start in production with the
default identifier key; :mod:`service.metrics` counts and times every request and serves
``/metrics``; :mod:`service.replay`, in front of Flask, sends a kept answer again as Flask
sent it, without Flask's dispatch. No scheduler is ever started here: the dev reloader
would run jobs twice and gunicorn once per worker (see service/worker.py).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from notices import settings


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping({s.name: settings.get(s.name) for s in settings.SETTINGS})
    app.config.from_mapping(
        MAX_CONTENT_LENGTH=settings.MAX_PARSE_BYTES,
        JSON_SORT_KEYS=False,
    )
    # Settings are strings, as the worker reads them: JSON would make a key of 1e5 100000.0.
    app.config.from_prefixed_env("NOTICES", loads=str)
    if test_config:
        app.config.from_mapping(test_config)

    from service import api, dashboard, db, feeds, guard, metrics, problems, replay, staff

    db.init_app(app)
    problems.init_app(app)
    metrics.init_app(app)  # before the guard's checks, so that the requests they refuse count
    replay.init_app(app)  # in front of Flask, behind the guard's ProxyFix: it reads the client
    guard.init_app(app)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(api.bp)
    dashboard.init_app(app)
    app.register_blueprint(staff.bp)
    return app
