"""Kept answers sent again in front of Flask: the same status, headers and bytes, for less.

A feed, a list, a notice or a lookup is made once per store version and kept
(:mod:`service.answers`); what is left of a request for it is Flask's dispatch — a request
context, URL matching, the hooks, a ``Response`` built and turned back into WSGI — and that
was half of the CPU of a kept answer (BENCHMARKS.md). This layer sits in ``app.wsgi_app``
in front of Flask (behind the guard's ProxyFix, so that it sees the client Flask sees). A GET
that Flask answered from a kept answer (the handler marks it with :func:`mark`) is recorded
as Flask sent it: status, header list and body, under its path, query string and
conditional headers (``If-None-Match``, ``If-Modified-Since``), with the store version it
was made at. The same request again, while the worker still trusts that version
(:func:`service.answers.trusted`), gets the recorded answer without entering Flask; a
``Date`` header Flask set (``make_conditional`` does) is given the current time. Every
other request, and one the worker would have to ask the store's version for, goes to
Flask, which answers (and refreshes the version) as before. So a 304 is Flask's 304 for
that very ``If-None-Match``, and an error is always Flask's.

A rate-limited answer (the identifier lookup) is replayed only while the client is within
its limit, each replay counted against it as Flask counts; over it, Flask answers the 429.
URLs are held by a keyed digest, never as text: a lookup's holds the identifier asked for
(its answer shows it masked when it is a person's, as Flask's does). Requests are counted
in /metrics as Flask counts them (:func:`service.metrics.count`); gunicorn logs them as any.
"""

from __future__ import annotations

import hashlib
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
from service.guard import Limiter
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
    limit: str | None  # the rate limit each replay counts against, per client (guard.limit)


def mark(kind: str | None, version: Version, *, limit: str | None = None) -> None:
    """Say that this request's answer is kept at ``version`` of ``kind``: it may be replayed.

    ``limit``: the rate limit (:func:`service.guard.limit`) a replay counts against.
    """
    request.environ[_KEPT] = (kind, version, limit)


def init_app(app: Flask) -> None:
    """Put the replay in front of Flask in ``app.wsgi_app`` (before the guard's ProxyFix)."""
    replay = Replay(app, app.wsgi_app)
    app.extensions["notices.replay"] = replay
    app.wsgi_app = replay  # type: ignore[method-assign]


class Replay:
    """The WSGI layer: a recorded answer while its version holds, else Flask's."""

    def __init__(self, app: Flask, wsgi: WSGIApplication) -> None:
        self._app, self._wsgi = app, wsgi
        self._recorded: OrderedDict[bytes, Recorded] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()
        self._date: tuple[int, str] = (0, "")
        # URLs are held by a keyed digest: a lookup's holds an identifier (see service.api).
        self._secret = hashlib.blake2b(str(app.config["IDENTIFIER_KEY"]).encode()).digest()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer ``environ`` from a recorded answer, or through Flask (and maybe record it)."""
        started = time.perf_counter()
        if environ.get("REQUEST_METHOD") != "GET" or any(h in environ for h in _UNREPLAYED):
            return self._wsgi(environ, start_response)
        key = self._key(environ)
        found = self._recorded.get(key)
        if (
            found is not None
            and trusted(self._app, found.kind) == found.version
            and (found.limit is None or self._allowed(found.limit, environ))
        ):
            return self._send(key, found, start_response, started)
        return self._through_flask(key, environ, start_response)

    def _allowed(self, name: str, environ: WSGIEnvironment) -> bool:
        """Count the request against the client's limit, as Flask would; False: over it.

        Flask then answers the 429, counting nothing more: a refusal is not counted.
        """
        limiter: Limiter = self._app.extensions["notices.limits"][name]
        return limiter.allow(environ.get("REMOTE_ADDR") or "unknown") is None

    def _send(
        self, key: bytes, found: Recorded, start_response: StartResponse, started: float
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
        self, key: bytes, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        sent: list[Any] = []

        def start(status: str, headers: Headers, exc_info: Any = None) -> Callable[[bytes], object]:
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        chunks = self._wsgi(environ, start)
        marked: tuple[str | None, Version, str | None] | None = environ.get(_KEPT)
        if marked is None or not sent or sent[0][:3] not in _KEPT_STATUS:
            return chunks
        try:
            body = b"".join(chunks)  # one kept bytes object: the same object, not a copy
        finally:
            getattr(chunks, "close", lambda: None)()
        status, headers = sent
        kind, version, limit = marked
        sent_body = (body,) if body else ()
        route = environ.get(ROUTE, "")
        self._record(key, Recorded(kind, version, status, list(headers), _dated(headers),
                                   sent_body, route, limit))  # fmt: skip
        return sent_body

    def _record(self, key: bytes, answer: Recorded) -> None:
        with self._lock:
            old = self._recorded.pop(key, None)
            self._held -= len(old.body[0]) if old and old.body else 0
            self._recorded[key] = answer
            self._held += len(answer.body[0]) if answer.body else 0
            while self._held > _BUDGET or len(self._recorded) > _ENTRIES:
                _, gone = self._recorded.popitem(last=False)
                self._held -= len(gone.body[0]) if gone.body else 0

    def _key(self, environ: WSGIEnvironment) -> bytes:
        """What an answer depends on besides the store: the URL and the conditional headers."""
        asked = "\n".join(
            (environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""),
             environ.get("QUERY_STRING", ""), environ.get("HTTP_IF_NONE_MATCH", ""),
             environ.get("HTTP_IF_MODIFIED_SINCE", ""))
        )  # fmt: skip
        return hashlib.blake2b(asked.encode("latin-1", "replace"), key=self._secret).digest()

    def _now(self) -> str:
        """The Date header's value now (formatted once a second)."""
        second = int(time.time())
        if self._date[0] != second:
            self._date = (second, http_date(second))
        return self._date[1]




def _dated(headers: Headers) -> int:
    return next((i for i, (name, _) in enumerate(headers) if name.lower() == "date"), -1)
