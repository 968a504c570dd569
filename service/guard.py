"""What the app asks of every client: limits per client, clean parameters, safe headers.

- **Rate limits** per client, in memory (a sliding window per client and limit): the
  identifier lookup, so that a masked number cannot be walked back to the full one, and
  ``POST /parse``, which costs CPU. Each worker process counts on its own, so a client
  gets at most ``workers ×`` the limit; behind a proxy set ``TRUSTED_PROXIES`` so the
  client is the address it forwards, not the proxy's.
- **Parameters**: every query parameter (400) and the path (404) are refused when they
  hold control characters or run past a length, before any handler or database sees them.
- **Headers**: ``X-Content-Type-Options``, a Content Security Policy and frame protection
  on every response (a blueprint that serves pages may set its own CSP first).
- **The key**: outside debug, testing or a loopback-only demo the app refuses to start
  with the default identifier key, which would let anyone compute the lookup digests.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from notices.errors import ConfigError
from notices.settings import SETTINGS
from service.problems import TYPE_PREFIX, InvalidParameter, NotFound, Problem, problem_response

DEFAULT_KEY = next(s.default for s in SETTINGS if s.name == "IDENTIFIER_KEY")
MAX_PARAMETER = 1000  # characters in one query parameter (filters are held to less later)
MAX_PATH = 1000
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_UNITS = {"second": 1.0, "minute": 60.0, "hour": 3600.0}
_RATE = re.compile(r"\s*(\d+)\s*/\s*(second|minute|hour)s?\s*")
_CLIENTS = 10_000  # clients remembered per limit; the oldest are forgotten first
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
}


@dataclass(frozen=True)
class Rate:
    """How many requests one client may make in a window of seconds."""

    requests: int
    seconds: float

    @classmethod
    def parse(cls, text: str) -> Rate:
        """Read ``30/hour``, ``20/minute`` or ``5/second``."""
        match = _RATE.fullmatch(str(text))
        if match is None or int(match[1]) < 1:
            raise ConfigError(f"rate {text!r} is not like 30/hour, 20/minute or 5/second")
        return cls(int(match[1]), _UNITS[match[2]])


class Limiter:
    """A sliding-window count of each client's requests, for one limit, in this process."""

    def __init__(self, rate: Rate, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self._clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str) -> float | None:
        """Count a request of ``client``: None if allowed, else seconds until it would be."""
        now = self._clock()
        with self._lock:
            times = self._seen.pop(client, None) or deque()
            while times and times[0] <= now - self.rate.seconds:
                times.popleft()
            self._seen[client] = times
            while len(self._seen) > _CLIENTS:
                self._seen.popitem(last=False)
            if len(times) >= self.rate.requests:
                return times[0] + self.rate.seconds - now
            times.append(now)
            return None


def limit(name: str) -> None:
    """Count this request against the app's limit ``name``; over it, answer 429."""
    limiter: Limiter = current_app.extensions["notices.limits"][name]
    wait = limiter.allow(request.remote_addr or "unknown")
    if wait is not None:
        raise TooManyRequests(wait)


class TooManyRequests(Problem):
    """A client over its rate limit."""

    def __init__(self, wait: float) -> None:
        detail = f"too many requests from this client; try again in {int(wait) + 1} s"
        super().__init__(429, "rate-limited", "Too many requests", detail)
        self.retry_after = int(wait) + 1


def check_request() -> None:
    """Refuse a path or a query parameter holding control characters or too long."""
    if len(request.path) > MAX_PATH or _CONTROL.search(request.path):
        raise NotFound("no resource has a path like this one")
    for name, value in request.args.items(multi=True):
        shown = name if name.isprintable() and len(name) <= 40 else "parameter"
        if len(name) > MAX_PARAMETER or _CONTROL.search(name):
            raise InvalidParameter(shown, "a parameter name holds control characters")
        if len(value) > MAX_PARAMETER:
            raise InvalidParameter(shown, f"{shown} is longer than {MAX_PARAMETER} characters")
        if _CONTROL.search(value):
            raise InvalidParameter(shown, f"{shown} holds control characters")


def secure_headers(response: Response) -> Response:
    """Add the headers browsers expect: no sniffing, no framing, nothing loaded by default."""
    for header, value in HEADERS.items():
        response.headers.setdefault(header, value)
    return response


def _too_many(error: TooManyRequests) -> Response:
    response = problem_response(429, TYPE_PREFIX + error.slug, error.title, error.detail)
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def refuse_default_key(app: Flask) -> None:
    """Refuse to run in production with the identifier key everybody knows."""
    if str(app.config["IDENTIFIER_KEY"]) != DEFAULT_KEY:
        return
    if app.debug or app.testing:
        return
    if app.config.get("LOCAL_DEMO"):
        app.logger.warning("NOTICES_IDENTIFIER_KEY is the default: fine here, never in production")
        return
    raise ConfigError(
        "NOTICES_IDENTIFIER_KEY is the default 'change-me': set a secret of your own "
        "(for instance: python -c 'import secrets; print(secrets.token_hex(32))')"
    )


def init_app(app: Flask) -> None:
    """Install the limits, the checks and the headers."""
    refuse_default_key(app)
    proxies = int(str(app.config["TRUSTED_PROXIES"]))
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    app.extensions["notices.limits"] = {
        "lookup": Limiter(Rate.parse(app.config["LOOKUP_RATE"])),
        "parse": Limiter(Rate.parse(app.config["PARSE_RATE"])),
    }
    app.register_error_handler(TooManyRequests, _too_many)
    app.before_request(check_request)
    app.after_request(secure_headers)
