"""A real HTTP/1.1 server on 127.0.0.1 (an ephemeral port) whose answers each test sets.

Take the ``http_server`` fixture (started before the test, stopped after it): name it in a
test module (``http_server = httpserver.http_server``) or load this module as a plugin from
the root conftest (``pytest_plugins = ("httpserver",)``)::

    def test_page(http_server: Server) -> None:
        http_server.add("/node_2.htm", body=page, headers={"Content-Type": "text/html"})
        http_server.add("/a.htm", body=b"v1", etag='"v1"')        # 304 to If-None-Match: "v1"
        http_server.add("/b.htm", body=b"v1", last_modified=DATE)  # 304 to If-Modified-Since
        http_server.add("/slow", body=b"late", delay=1.0)          # sleeps before answering
        http_server.add("/cut", body=b"x" * 1000, cut_at=100)      # hangs up after 100 bytes
        http_server.add("/big", body=huge, content_length=False)   # no length: read to close
        http_server.add_sequence("/flaky", [Reply(status=500), Reply(body=b"ok")])
        http_server.add("/robots.txt", body=b"User-agent: *\\nDisallow: /private/")
        url = http_server.url("/node_2.htm")
        ...
        assert http_server.hits("/flaky") == 2

``add`` and ``add_sequence`` take :class:`Reply` fields; a sequence answers its replies in
turn and repeats the last. Paths match without their query string. A path never added
answers 404, so a missing robots.txt needs nothing. The server records each request's
headers (``requests(path)``), the bytes it managed to send (``sent(path)``) and the most
requests it was answering at once (``max_concurrent``). A client that hangs up between
requests is counted (``dropped``), never printed as a traceback. Outside pytest, ``with
Server() as server:`` runs one, on ``Server(port=…)`` when the port matters.
"""

from __future__ import annotations

import sys
import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import pytest

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Reply:
    """One answer: status, headers, body, and how to misbehave while sending it."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering
    etag: str | None = None  # sent; a matching If-None-Match gets 304
    last_modified: str | None = None  # sent; If-Modified-Since at or after it gets 304
    cut_at: int | None = None  # close the connection after this many body bytes
    content_length: bool = True  # False: no Content-Length, the body ends when we close


class Server:
    """A threaded local HTTP server with per-test routes; see the module docstring."""

    def __init__(self, port: int = 0) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, list[Reply]] = {}
        self._hits: Counter[str] = Counter()
        self._requests: defaultdict[str, list[dict[str, str]]] = defaultdict(list)
        self._sent: Counter[str] = Counter()
        self._active = 0
        self.max_concurrent = 0
        self.dropped = 0  # connections the client reset or closed mid-exchange
        self.stopping = threading.Event()
        self._httpd = _QuietServer(("127.0.0.1", port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.owner = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def add(self, path: str, **reply: Any) -> None:
        """Answer ``path`` with one :class:`Reply` made of these fields, every time."""
        self.add_sequence(path, [Reply(**reply)])

    def add_sequence(self, path: str, replies: list[Reply]) -> None:
        """Answer ``path`` with these replies in turn; the last one repeats."""
        with self._lock:
            self._routes[path] = list(replies)

    def url(self, path: str = "/") -> str:
        """The absolute URL of a path on this server."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def hits(self, path: str) -> int:
        """How many requests ``path`` has had."""
        with self._lock:
            return self._hits[path]

    def requests(self, path: str) -> list[dict[str, str]]:
        """The headers of each request ``path`` has had (names lower-cased)."""
        with self._lock:
            return list(self._requests[path])

    def sent(self, path: str) -> int:
        """How many body bytes the server got onto the wire for ``path``."""
        with self._lock:
            return self._sent[path]

    def start(self) -> Server:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # wakes delayed replies
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _arrive(self, path: str, headers: dict[str, str]) -> Reply | None:
        with self._lock:
            self._hits[path] += 1
            self._requests[path].append(headers)
            self._active += 1
            self.max_concurrent = max(self.max_concurrent, self._active)
            replies = self._routes.get(path)
            if not replies:
                return None
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def _leave(self) -> None:
        with self._lock:
            self._active -= 1

    def _count(self, path: str, sent: int) -> None:
        with self._lock:
            self._sent[path] += sent

    def _drop(self) -> None:
        with self._lock:
            self.dropped += 1


class _QuietServer(ThreadingHTTPServer):
    """A threaded server that counts connections clients drop instead of printing them."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Count a client hanging up (as httpx does with idle keep-alive connections)."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            self.owner._drop()  # type: ignore[attr-defined]
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    # headers and body go out in separate writes: without TCP_NODELAY every keep-alive
    # response waits out the client's delayed ACK (~40 ms)
    disable_nagle_algorithm = True
    server: ThreadingHTTPServer

    def do_GET(self) -> None:
        owner: Server = self.server.owner  # type: ignore[attr-defined]
        path = self.path.split("?", 1)[0]
        headers = {name.lower(): value for name, value in self.headers.items()}
        reply = owner._arrive(path, headers)
        try:
            if reply is None:
                reply = Reply(status=404, body=b"not found")
            elif reply.delay:
                owner.stopping.wait(reply.delay)
            self._answer(owner, path, reply, headers)
        except ConnectionError:  # the client hung up mid-answer; fine
            owner._drop()
            self.close_connection = True
        finally:
            owner._leave()

    def _answer(self, owner: Server, path: str, reply: Reply, request: dict[str, str]) -> None:
        if _unchanged(reply, request):
            self.send_response(304)
            self._validators(reply)
            self.end_headers()
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self._validators(reply)
        if reply.content_length:
            self.send_header("Content-Length", str(len(reply.body)))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        body = reply.body if reply.cut_at is None else reply.body[: reply.cut_at]
        for start in range(0, len(body), _CHUNK):
            self.wfile.write(body[start : start + _CHUNK])
            owner._count(path, len(body[start : start + _CHUNK]))
        self.wfile.flush()
        if reply.cut_at is not None:
            self.close_connection = True

    def _validators(self, reply: Reply) -> None:
        if reply.etag:
            self.send_header("ETag", reply.etag)
        if reply.last_modified:
            self.send_header("Last-Modified", reply.last_modified)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output quiet


def _unchanged(reply: Reply, request: dict[str, str]) -> bool:
    """Whether a conditional request matches the reply's validators (RFC 9110 §13.1)."""
    if reply.etag and "if-none-match" in request:
        tags = [tag.strip() for tag in request["if-none-match"].split(",")]
        return "*" in tags or reply.etag in tags
    if reply.last_modified and "if-modified-since" in request:
        try:
            since = parsedate_to_datetime(request["if-modified-since"])
        except (TypeError, ValueError):
            return False
        return parsedate_to_datetime(reply.last_modified) <= since
    return False


@pytest.fixture
def http_server() -> Iterator[Server]:
    """A running :class:`Server`, stopped after the test."""
    with Server() as server:
        yield server
