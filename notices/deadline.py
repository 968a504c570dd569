"""A deadline on a whole HTTP exchange: however slowly a server trickles, the fetch ends on time.

httpx's timeouts are per operation: a server sending a byte every few seconds never trips
a read timeout and can hold a fetch (and its source's lock) for ever. This network backend
for httpcore gives every connect, read and write only the time left before the deadline
of the request in progress on its thread (:func:`deadline`), so the exchange as a whole
ends by then, headers and body alike.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

_local = threading.local()


class DeadlinePassed(httpcore.ReadTimeout):
    """The request ran past its deadline (a timeout httpx reports as ``ReadTimeout``)."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Give the HTTP requests made on this thread inside the block ``seconds`` in all."""
    _local.at = time.monotonic() + seconds
    try:
        yield
    finally:
        _local.at = None


def passed() -> bool:
    """Tell whether this thread's deadline has passed."""
    at: float | None = getattr(_local, "at", None)
    return at is not None and time.monotonic() >= at


def _left(timeout: float | None) -> float | None:
    at: float | None = getattr(_local, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise DeadlinePassed("the request ran past its deadline")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _left(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _left(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's synchronous backend, every operation held to the thread's deadline."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_tcp(host, port, _left(timeout), local_address, socket_options)
        return _Stream(stream)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, _left(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def transport() -> httpx.HTTPTransport:
    """An httpx transport whose connections keep to the deadline (httpx has no option for it)."""
    made = httpx.HTTPTransport()
    pool = made._pool  # the one place httpx lets a network backend in
    pool._network_backend = DeadlineBackend(pool._network_backend)
    return made
