"""The store, one per app: opened on first use in a request, closed with the app."""

from __future__ import annotations

from flask import Flask, current_app

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
