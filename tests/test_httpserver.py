"""The test HTTP server itself: a client hanging up is counted, never printed as a traceback."""

from __future__ import annotations

import socket
import struct
import time

import pytest
from httpserver import Server


def _reset_after_one_request(server: Server) -> None:
    """Send one keep-alive request, read the answer, then hang up with a TCP reset."""
    host, port = server.url().split("//")[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as client:
        client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert client.recv(100).startswith(b"HTTP/1.1 200")
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_a_client_resetting_the_connection_is_counted_not_printed(
    http_server: Server, capfd: pytest.CaptureFixture[str]
) -> None:
    http_server.add("/", body=b"hi")
    _reset_after_one_request(http_server)
    deadline = time.monotonic() + 5
    while http_server.dropped == 0 and time.monotonic() < deadline:
        time.sleep(0.01)  # the handler thread meets the reset reading the next request
    assert http_server.dropped == 1
    err = capfd.readouterr().err
    assert "Traceback" not in err and "ConnectionResetError" not in err


def test_the_port_can_be_chosen() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with Server(port=port) as server:
        assert server.url("/a") == f"http://127.0.0.1:{port}/a"
