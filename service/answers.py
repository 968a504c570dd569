"""Answers kept per version of the store: a feed, a list, a notice is made once per change.

Every save and staff edit moves the store's version (:meth:`notices.store.Store.version`:
the count of each kind and the latest time one was seen or changed). A worker asks for it
at most once per ``VERSION_TTL`` seconds (1 by default), and keeps what it answered under
(URL, version) in a cache of bounded size: until the version moves, the same request gets
the same bytes, and its ETag, without touching the database. So an answer may be up to
``VERSION_TTL`` seconds behind the store, as a feed always has been. :mod:`service.replay`
sends such an answer again, as Flask sent it, while the worker trusts the same version.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from threading import Lock
from typing import Any, Generic, TypeVar

from flask import Flask, current_app

from service.db import get_store

_VERSION_TTL = 1.0  # seconds a worker trusts the store's version
_T = TypeVar("_T")
Version = tuple[int, datetime | None]


def version(kind: str | None) -> Version:
    """The store's version (of one kind, or of all), asked at most once a TTL per worker."""
    found = trusted(current_app, kind)
    if found is None:
        # One thread asks the store; the others, come at the same moment, wait for its
        # answer: else each of a worker's busy threads asked it at once every TTL.
        with current_app.extensions.setdefault("notices.versions.asking", Lock()):
            found = trusted(current_app, kind)
            if found is None:
                asked = time.monotonic()
                found = get_store().version(kind)
                _known(current_app)[kind] = (asked, found)
    return found


def trusted(app: Flask, kind: str | None) -> Version | None:
    """The version of ``kind`` the worker asked for less than a TTL ago, or None."""
    asked = _known(app).get(kind)
    ttl = float(app.config.get("VERSION_TTL", _VERSION_TTL))
    if asked is None or time.monotonic() - asked[0] > ttl:
        return None
    return asked[1]


def _known(app: Flask) -> dict[str | None, tuple[float, Version]]:
    known: dict[str | None, tuple[float, Version]]
    known = app.extensions.setdefault("notices.versions", {})
    return known


def kept(name: str, budget: int, entries: int, size: Callable[[Any], int]) -> Answers[Any]:
    """The app's cache called ``name``: one per app, so that two apps never share answers."""
    found: Answers[Any] | None = current_app.extensions.get(f"notices.answers.{name}")
    if found is None:
        found = current_app.extensions.setdefault(
            f"notices.answers.{name}", Answers(budget, entries, size)
        )
    return found


class Answers(Generic[_T]):
    """Answers by key, the least recently used forgotten past ``budget`` bytes or ``entries``."""

    def __init__(self, budget: int, entries: int, size: Callable[[_T], int]) -> None:
        self._answers: OrderedDict[object, tuple[_T, int]] = OrderedDict()
        self._making: dict[object, Lock] = {}  # one maker per missing answer; the others wait
        self._lock = Lock()
        self._budget, self._entries, self._size, self._held = budget, entries, size, 0

    def get(self, key: object, make: Callable[[], _T]) -> _T:
        """Return the answer kept under ``key``, else make it and keep it."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key][0]
            making = self._making.setdefault(key, Lock())
        with making:  # the threads asking for the same answer wait for one to make it
            with self._lock:
                if key in self._answers:
                    return self._answers[key][0]
            try:
                answer = make()  # outside the cache's lock: other answers go on meanwhile
                self._keep(key, answer)
            finally:
                with self._lock:
                    self._making.pop(key, None)
        return answer

    def _keep(self, key: object, answer: _T) -> None:
        size = self._size(answer)
        with self._lock:
            if key not in self._answers and size <= self._budget:
                self._answers[key] = (answer, size)
                self._held += size
            while self._held > self._budget or len(self._answers) > self._entries:
                _, (_, gone) = self._answers.popitem(last=False)
                self._held -= gone
