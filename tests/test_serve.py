"""``notices serve`` as ``make run`` starts it: a real server on 127.0.0.1, its port, its log."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BANNER = re.compile(r"^notices: serving on (http://127\.0\.0\.1:(\d+)/) ")


@contextmanager
def serving(*args: str, env: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    """Run ``notices serve``; yield the address its banner names and, once stopped, its log."""
    command = [sys.executable, "-c", "from notices.cli import main; main()", "serve", *args]
    log: list[str] = []
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    ) as server:
        assert server.stdout is not None and server.stderr is not None
        try:
            ready, _, _ = select.select([server.stdout], [], [], 30)
            banner = server.stdout.readline() if ready else ""
            found = BANNER.match(banner)
            assert found, f"no banner: {banner!r}"
            yield found.group(1), log
        finally:
            server.send_signal(signal.SIGINT)  # Ctrl-C, as a user stops it
            _, err = server.communicate(timeout=20)
            log.extend(err.splitlines())
        assert server.returncode == 0, err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_port_zero_serves_on_the_free_port_the_banner_names(sqlite_url: str) -> None:
    with serving("--port", "0", "--no-scheduler", "--db", sqlite_url, env={}) as (address, log):
        assert not address.endswith(":0/")
        with urllib.request.urlopen(f"{address}api/v1/health", timeout=10) as answer:
            assert answer.status == 200
        with urllib.request.urlopen(f"{address}feeds/road-closures.rss", timeout=10) as answer:
            assert address.rstrip("/") in answer.read().decode()  # links point where we serve
        with pytest.raises(urllib.error.HTTPError, match="404"):
            urllib.request.urlopen(f"{address}nowhere", timeout=10)  # werkzeug logs it in yellow
    text = "\n".join(log)
    assert '"GET /api/v1/health HTTP/1.1" 200' in text  # requests are logged...
    assert '"GET /nowhere HTTP/1.1" 404' in text
    assert "\x1b[" not in text  # ...without colour codes when stderr is not a terminal
    assert "alembic" not in text.lower() and "Context impl" not in text
    assert "Traceback" not in text


def test_notices_port_sets_the_port(sqlite_url: str) -> None:
    port = _free_port()
    env = {"NOTICES_PORT": str(port)}
    with serving("--no-scheduler", "--db", sqlite_url, env=env) as (address, _):
        assert address == f"http://127.0.0.1:{port}/"
        with urllib.request.urlopen(f"{address}api/v1/health", timeout=10) as answer:
            assert answer.status == 200


def test_the_scheduler_ingests_the_demo_source_and_apscheduler_keeps_quiet(
    sqlite_url: str,
) -> None:
    with serving("--port", "0", "--db", sqlite_url, env={}) as (address, log):
        deadline = time.monotonic() + 30
        while _health(address)["notices"] == 0 and time.monotonic() < deadline:
            time.sleep(0.1)  # the demo source's first run starts at once
        assert _health(address)["notices"] > 0
    assert not [line for line in log if "job" in line.lower()], log  # no "Added job …" lines
    assert "Traceback" not in "\n".join(log)


def _health(address: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{address}api/v1/health", timeout=10) as answer:
        found: dict[str, Any] = json.load(answer)
        return found


def test_make_run_passes_port_on() -> None:
    assert _make_run() == ".venv/bin/notices serve"
    assert _make_run("PORT=8123") == ".venv/bin/notices serve --port 8123"


def _make_run(*variables: str) -> str:
    """Return the command ``make run`` would start (a dry run: nothing starts)."""
    dry = subprocess.run(
        ["make", "--dry-run", "--no-print-directory", "run", *variables],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    (command,) = [line.strip() for line in dry.stdout.splitlines() if "notices serve" in line]
    return command
