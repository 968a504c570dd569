"""URL → bytes: the one HTTP client all ingestion goes through.

:class:`Http` is polite and careful so callers need not be: it names itself in
``User-Agent``, honours ``robots.txt``, keeps to a few requests at a time per host with a
minimum spacing, asks conditionally (``If-None-Match``/``If-Modified-Since``), retries
what may pass (timeouts, lost connections, bodies cut short, 5xx) with exponential backoff,
and stops reading a body past a size limit. Each request has a deadline in all
(:mod:`notices.deadline`), so a server trickling bytes cannot hold a fetch. Redirects are
followed one hop at a time, each hop asking its own host's robots.txt and keeping to its
rate limit; a caller may name the hosts a redirect may lead to (a source's own, and those
it allows). It is safe to share between threads.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, replace
from email.message import Message
from types import TracebackType
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from notices import deadline
from notices.errors import Disallowed, FetchError, TooLarge
from notices.extract import meta_charset

_log = logging.getLogger(__name__)

USER_AGENT = "notices/0.1 (+https://example.invalid/notices)"
_ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309 lets crawlers stop reading robots.txt at 500 KiB
MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Fetched:
    """A response worth keeping: the body, and what is needed to decode and re-ask for it."""

    url: str  # final URL after redirects
    status: int  # 200, or 304 when not modified
    content: bytes  # b"" for 304
    content_type: str | None  # the media type alone: "text/html", "application/pdf"
    charset: str | None  # as declared by the Content-Type header, else by a <meta> tag
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        """Whether the server answered 304: the copy the validators came from still holds."""
        return self.status == 304


class _Redirect(Exception):
    """A redirect to follow, hop by hop."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class _ServerError(Exception):
    """A 5xx answer: worth another try."""

    def __init__(self, status: int) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status


# What may pass if asked again. A 4xx will not, nor will a malformed URL.
_RETRYABLE = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError, _ServerError)


class _Host:
    """What one host is owed: a limit on requests at once, spacing, and its robots.txt."""

    def __init__(self, per_host: int) -> None:
        self.slots = threading.BoundedSemaphore(per_host)
        self._lock = threading.Lock()
        self._next_start = 0.0
        self.robots_lock = threading.Lock()
        self.robots: RobotFileParser | None = None  # None until fetched

    def wait_turn(self, delay: float) -> None:
        """Sleep until this host may be sent the next request, and book the one after."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start)
            self._next_start = start + delay
        time.sleep(start - now)


class Http:
    """One HTTP client for all ingestion: timeouts, retries with backoff on timeouts/5xx/
    connection errors, conditional requests, a per-host concurrency limit and minimum delay,
    a User-Agent naming the service, robots.txt honoured, a maximum body size.

    ``retries`` counts the tries after the first; the n-th retry waits
    ``backoff * 2**(n-1)`` seconds. ``delay`` is the least time between the starts of two
    requests to one host. ``deadline`` is the most seconds one request may take in all.
    ``transport`` replaces the network (tests, ``httpx.MockTransport``).
    """

    def __init__(
        self,
        *,
        user_agent: str = USER_AGENT,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        per_host: int = 2,
        delay: float = 0.0,
        max_bytes: int = 10 * 1024 * 1024,
        respect_robots: bool = True,
        deadline: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.user_agent = user_agent
        self._retries = retries
        self._backoff = backoff
        self._per_host = per_host
        self._delay = delay
        self._max_bytes = max_bytes
        self._respect_robots = respect_robots
        self._deadline = deadline
        self._client = httpx.Client(
            headers={"User-Agent": user_agent},
            timeout=timeout,
            follow_redirects=False,  # followed here, hop by hop (see get)
            transport=transport or deadline_transport(),
        )
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        hosts: frozenset[str] | None = None,
    ) -> Fetched:
        """Fetch a URL; with a validator from an earlier fetch, a 304 means it is unchanged.

        ``hosts`` names the hosts a redirect may lead to (None: any).
        """
        headers = _conditional(etag, last_modified)
        start = url
        for _ in range(MAX_REDIRECTS + 1):
            try:
                fetched = self._get_one(url, headers)
            except _Redirect as hop:
                url = _next_hop(url, hop.location, hosts, start)
                continue
            if fetched.not_modified:  # a 304 need not repeat the validators; ours still hold
                etag, last_modified = fetched.etag or etag, fetched.last_modified or last_modified
                return replace(fetched, etag=etag, last_modified=last_modified)
            return fetched
        raise FetchError(f"{start}: more than {MAX_REDIRECTS} redirects", url=start)

    def _get_one(self, url: str, headers: dict[str, str]) -> Fetched:
        """One hop, with its host's robots.txt and limits, retried; raises _Redirect."""
        host = self._host(url)
        if self._respect_robots and not self._allowed(url, host):
            raise Disallowed(f"robots.txt disallows {url}", url=url)
        for attempt in range(self._retries + 1):
            try:
                return self._attempt(url, headers, host, self._max_bytes)
            except _RETRYABLE as exc:
                if attempt == self._retries:
                    status = exc.status if isinstance(exc, _ServerError) else None
                    raise FetchError(f"{url}: {_describe(exc)}", url=url, status=status) from exc
                _log.info("retrying %s after %s", url, _describe(exc))
                time.sleep(self._backoff * 2**attempt)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def __enter__(self) -> Http:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _host(self, url: str) -> _Host:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise FetchError(f"not an http(s) URL: {url!r}", url=url)
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        with self._hosts_lock:
            return self._hosts.setdefault(origin, _Host(self._per_host))

    def _attempt(self, url: str, headers: dict[str, str], host: _Host, limit: int) -> Fetched:
        """One request, within the host's limits. Raises what may pass as ``_RETRYABLE``."""
        with host.slots:
            host.wait_turn(self._delay)
            began = time.monotonic()
            try:
                with (
                    deadline.deadline(self._deadline),
                    self._client.stream("GET", url, headers=headers) as response,
                ):
                    return _answer(url, response, limit)
            except httpx.TimeoutException as exc:
                if time.monotonic() - began >= self._deadline:  # never retried: it would recur
                    detail = f"{url}: over the {self._deadline:g} s deadline"
                    raise FetchError(detail, url=url) from exc
                raise
            except _RETRYABLE:
                raise
            except (httpx.HTTPError, httpx.InvalidURL) as exc:  # bad URL, redirect loop…
                raise FetchError(f"{url}: {_describe(exc)}", url=url) from exc

    def _allowed(self, url: str, host: _Host) -> bool:
        with host.robots_lock:  # one fetch of robots.txt per host, however many threads ask
            if host.robots is None:
                host.robots = self._robots(url, host)
        return host.robots.can_fetch(self.user_agent, url)

    def _robots_file(self, url: str, host: _Host) -> Fetched:
        """Fetch robots.txt, following its redirects as RFC 9309 asks (five at most)."""
        for _ in range(MAX_REDIRECTS):
            try:
                return self._attempt(url, {}, host, _ROBOTS_MAX_BYTES)
            except _Redirect as hop:
                url = _next_hop(url, hop.location, None, url)
                host = self._host(url)
        raise FetchError(f"{url}: robots.txt redirected too often", url=url, status=404)

    def _robots(self, url: str, host: _Host) -> RobotFileParser:
        """The host's robots.txt: a missing one (4xx) allows all; so does one out of reach."""
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        rules = RobotFileParser(robots_url)
        text = ""  # an empty robots.txt allows everything
        try:
            fetched = self._robots_file(robots_url, host)
        except FetchError as exc:
            if not (exc.status and 400 <= exc.status < 500):
                _log.warning("robots.txt of %s unreadable (%s); fetching anyway", parts.netloc, exc)
        except _RETRYABLE as exc:
            _log.warning("robots.txt of %s unreachable (%s); fetching anyway", parts.netloc, exc)
        else:
            text = fetched.content.decode("utf-8", errors="replace")
        rules.parse(text.splitlines())
        return rules


def deadline_transport() -> httpx.HTTPTransport:
    """The network, each request held to its deadline."""
    return deadline.transport()


def _next_hop(url: str, location: str, hosts: frozenset[str] | None, start: str) -> str:
    """Where a redirect leads, if the policy lets it: an http(s) URL on an allowed host."""
    target = urlsplit(location)
    if target.scheme not in ("http", "https"):
        raise FetchError(f"{start}: redirected to {location!r}, not an http(s) URL", url=start)
    if hosts is not None and (target.hostname or "").lower() not in hosts:
        detail = f"{start}: redirected to {target.hostname}, a host this source does not allow"
        raise FetchError(detail, url=start)
    return location


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _answer(url: str, response: httpx.Response, limit: int) -> Fetched:
    """Read a response into a :class:`Fetched`, or raise what its status means."""
    status = response.status_code
    if status >= 500:
        raise _ServerError(status)
    if status in _REDIRECTS and response.headers.get("location"):
        raise _Redirect(urljoin(str(response.url), response.headers["location"]))
    if status != 304 and not 200 <= status < 300:
        raise FetchError(f"{url}: HTTP {status}", url=url, status=status)
    content = b"" if status == 304 else _body(url, response, limit)
    media_type, charset = _content_type(response.headers.get("content-type"))
    return Fetched(
        url=str(response.url),
        status=304 if status == 304 else 200,
        content=content,
        content_type=media_type,
        charset=charset or meta_charset(content),
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


def _content_type(header: str | None) -> tuple[str | None, str | None]:
    """The media type of a Content-Type header, and its charset as written (httpx folds case)."""
    if not header:
        return None, None
    parsed = Message()
    parsed["Content-Type"] = header
    charset = parsed.get_param("charset")
    return parsed.get_content_type(), charset if isinstance(charset, str) else None


def _body(url: str, response: httpx.Response, limit: int) -> bytes:
    """The body, read no further than ``limit`` bytes (decompressed)."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(
            f"{url}: {declared} bytes, over {limit}", url=url, status=response.status_code
        )
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise TooLarge(f"{url}: over {limit} bytes", url=url, status=response.status_code)
        chunks.append(chunk)
    return b"".join(chunks)


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__
