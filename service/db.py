"""The store, one per app: opened on first use in a request, closed with the app."""

from __future__ import annotations

from pathlib import Path
from threading import Lock

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from notices import settings
from notices.sources import Source, load_sources
from notices.store import Store

_KEY = "notices.store"


def init_app(app: Flask) -> None:
    """Give the app a store opened from ``DATABASE_URL`` (lazily: forked workers open their own)."""
    app.extensions[_KEY] = None
    app.extensions[f"{_KEY}.opening"] = Lock()


def get_store() -> Store:
    """The app's store, opened by the first request that needs it (or by open_store)."""
    store: Store | None = current_app.extensions.get(_KEY)
    if store is None:
        # One thread opens it; the others wait for that one rather than each opening a
        # store of its own, migrations and all, on the worker's first burst of requests.
        with current_app.extensions[f"{_KEY}.opening"]:
            store = current_app.extensions.get(_KEY)
            if store is None:
                store = Store.open(current_app.config["DATABASE_URL"])
                current_app.extensions[_KEY] = store
    return store


def open_store(app: Flask) -> None:
    """Open the app's store now (a worker, before its first request); else on first use."""
    with app.app_context():
        try:
            get_store()
        except SQLAlchemyError as exc:  # the database away: the first request tries again
            app.logger.warning("the store is not open yet: %s", exc)


def configured_sources() -> list[Source]:
    """The sources of the app's sources file (the bundled demo when none is set)."""
    return load_sources(Path(current_app.config.get("SOURCES") or settings.get("SOURCES")))
