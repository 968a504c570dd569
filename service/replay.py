"""Kept answers sent again in front of Flask: the same status, headers and bytes, for less.

A feed, a list or a notice is made once per store version and kept (:mod:`service.answers`);
what is left of a request for it is Flask's dispatch — a request context, URL matching,
the hooks, a ``Response`` built and turned back into WSGI — and that was half of the CPU
of a kept answer (BENCHMARKS.md). This layer sits outermost in ``app.wsgi_app``. A GET
that Flask answered from a kept answer (the handler marks it with :func:`mark`) is
recorded as Flask sent it: status, header list and body, under its path, query string
and conditional headers (``If-None-Match``, ``If-Modified-Since``), with the store version
it was made at. The same request again, while the worker still trusts that version
(:func:`service.answers.trusted`), gets the recorded answer without entering Flask; a
``Date`` header Flask set (``make_conditional`` does) is given the current time. Every
other request, and one the worker would have to ask the store's version for, goes to
Flask, which answers (and refreshes the version) as before. So a 304 is Flask's 304 for
that very ``If-None-Match``, and an error is always Flask's. Requests are counted in
/metrics as Flask counts them (:func:`service.metrics.count`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Flask, request
from werkzeug.http import http_date

from service.answers import Version, trusted
from service.metrics import ROUTE, count

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_KEPT = "notices.kept"  # the environ key a handler marks a kept answer with
_ENTRIES = 2048
_BUDGET = 64 * 1024 * 1024  # bytes of bodies recorded at most (mostly the kept answers' own)
# A request carrying one of these may get another answer than the one recorded (a range, a
# precondition): Flask answers it.
_UNREPLAYED = ("HTTP_RANGE", "HTTP_IF_RANGE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")
_KEPT_STATUS = ("200", "304")

Headers = list[tuple[str, str]]


@dataclass(frozen=True)
class Recorded:
    """An answer as Flask sent it, and the store version it was made at."""

    kind: str | None  # the version's kind (None: the whole store's)
    version: Version
    status: str
    headers: Headers
    dated: int  # the index of the Date header Flask set, or -1
    body: tuple[bytes, ...]
    route: str  # its label in /metrics


def mark(kind: str | None, version: Version) -> None:
    """Say that this request's answer is kept at ``version`` of ``kind``: it may be replayed."""
    request.environ[_KEPT] = (kind, version)


def init_app(app: Flask) -> None:
    """Put the replay in front of everything else in ``app.wsgi_app`` (call it last)."""
    app.wsgi_app = Replay(app, app.wsgi_app)  # type: ignore[method-assign]


class Replay:
    """The WSGI layer: a recorded answer while its version holds, else Flask's."""

    def __init__(self, app: Flask, wsgi: WSGIApplication) -> None:
        self._app, self._wsgi = app, wsgi
        self._recorded: OrderedDict[tuple[str, ...], Recorded] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()
        self._date: tuple[int, str] = (0, "")

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer ``environ`` from a recorded answer, or through Flask (and maybe record it)."""
        started = time.perf_counter()
        if environ.get("REQUEST_METHOD") != "GET" or any(h in environ for h in _UNREPLAYED):
            return self._wsgi(environ, start_response)
        key = _key(environ)
        found = self._recorded.get(key)
        if found is not None and trusted(self._app, found.kind) == found.version:
            return self._send(key, found, start_response, started)
        return self._through_flask(key, environ, start_response)

    def _send(
        self, key: tuple[str, ...], found: Recorded, start_response: StartResponse, started: float
    ) -> tuple[bytes, ...]:
        headers = list(found.headers)
        if found.dated >= 0:
            headers[found.dated] = (headers[found.dated][0], self._now())
        start_response(found.status, headers)
        with self._lock, suppress(KeyError):  # the least recently used is forgotten first
            self._recorded.move_to_end(key)  # (a KeyError: another thread just forgot it)
        count(self._app, found.route, "GET", found.status[:3], time.perf_counter() - started)
        return found.body

    def _through_flask(
        self, key: tuple[str, ...], environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        sent: list[Any] = []

        def start(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], object]:
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        chunks = self._wsgi(environ, start)
        marked: tuple[str | None, Version] | None = environ.get(_KEPT)
        if marked is None or not sent or sent[0][:3] not in _KEPT_STATUS:
            return chunks
        try:
            body = b"".join(chunks)  # one kept bytes object: the same object, not a copy
        finally:
            getattr(chunks, "close", lambda: None)()
        status, headers = sent
        kind, version = marked
        sent_body = (body,) if body else ()
        route = environ.get(ROUTE, "")
        self._record(key, Recorded(kind, version, status, list(headers), _dated(headers),
                                   sent_body, route))  # fmt: skip
        return sent_body

    def _record(self, key: tuple[str, ...], answer: Recorded) -> None:
        with self._lock:
            old = self._recorded.pop(key, None)
            self._held -= len(old.body[0]) if old and old.body else 0
            self._recorded[key] = answer
            self._held += len(answer.body[0]) if answer.body else 0
            while self._held > _BUDGET or len(self._recorded) > _ENTRIES:
                _, gone = self._recorded.popitem(last=False)
                self._held -= len(gone.body[0]) if gone.body else 0

    def _now(self) -> str:
        """The Date header's value now (formatted once a second)."""
        second = int(time.time())
        if self._date[0] != second:
            self._date = (second, http_date(second))
        return self._date[1]


def _key(environ: WSGIEnvironment) -> tuple[str, ...]:
    """What an answer depends on besides the store: the URL and the conditional headers."""
    return (
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        environ.get("HTTP_IF_NONE_MATCH", ""),
        environ.get("HTTP_IF_MODIFIED_SINCE", ""),
    )


def _dated(headers: Headers) -> int:
    return next((i for i, (name, _) in enumerate(headers) if name.lower() == "date"), -1)
