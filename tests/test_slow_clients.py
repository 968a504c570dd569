"""Slow clients (slowloris) against deploy/'s real gunicorn configuration: the health check
still answers while 20 clients hold connections open, sending a header byte at a time.

gunicorn's gthread workers read a request on a worker thread, so each slow client holds
one: the configuration must leave threads to spare (see deploy/gunicorn.conf.py). A
buffering proxy in front (deploy/'s nginx) is what makes the number of slow clients not
matter; this test holds the service itself to its configured share.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SLOW_CLIENTS = 20


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _health(port: int, timeout: float) -> int:
    url = f"http://127.0.0.1:{port}/api/v1/health"
    with urllib.request.urlopen(url, timeout=timeout) as response:
        status: int = response.status
        return status


@pytest.fixture
def gunicorn(tmp_path: Path) -> Iterator[int]:
    """deploy/'s gunicorn, on a free port, a SQLite store, its access log discarded."""
    port = _free_port()
    env = os.environ | {
        "NOTICES_DATABASE_URL": f"sqlite:///{tmp_path / 'n.sqlite3'}",
        "NOTICES_IDENTIFIER_KEY": "a-secret-for-the-test",
    }
    command = [str(Path(sys.executable).with_name("gunicorn")), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "service.app:create_app()"]  # fmt: skip
    server = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if _health(port, 1.0) == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_twenty_slow_clients_do_not_starve_the_health_check(gunicorn: int) -> None:
    slow = []
    try:
        for _ in range(SLOW_CLIENTS):
            client = socket.create_connection(("127.0.0.1", gunicorn), timeout=5)
            client.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
            slow.append(client)
        for n in range(5):  # while they dribble a header byte a second
            for client in slow:
                client.sendall(b"X")
            assert _health(gunicorn, timeout=3.0) == 200, n
            time.sleep(1.0)
    finally:
        for client in slow:
            client.close()
