"""The store, one per app: opened on first use in a request, closed with the app."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app

from notices import settings
from notices.sources import Source, load_sources
from notices.store import Store

_KEY = "notices.store"


def init_app(app: Flask) -> None:
    """Give the app a store opened from ``DATABASE_URL`` (lazily: forked workers open their own)."""
    app.extensions[_KEY] = None


def get_store() -> Store:
    """The app's store."""
    store: Store | None = current_app.extensions.get(_KEY)
    if store is None:
        store = Store.open(current_app.config["DATABASE_URL"])
        current_app.extensions[_KEY] = store
    return store


def configured_sources() -> list[Source]:
    """The sources of the app's sources file (the bundled demo when none is set)."""
    return load_sources(Path(current_app.config.get("SOURCES") or settings.get("SOURCES")))
