"""Serving benchmark: wrk against gunicorn (2 workers) on 127.0.0.1 with 10,000 notices stored.

Prints requests/s and latency percentiles for a feed, a 304 answer and an API list, beside
the same run's baseline: a static file served by the same gunicorn. Figures are printed,
never asserted. Needs `wrk` (Debian's package). gunicorn listens on --port (a free one by
default) and opens no control socket, so no other gunicorn on the account is reached.

    python benchmarks/serve.py [--notices 10000] [--seconds 5] [--port 8000]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import importlib.metadata
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "000_503c39abf6fb6e41.txt"
DEMO = ROOT / "notices" / "demo" / "pages"  # notices to vary where shared/ is not beside us


def _fill(url: str, count: int) -> None:
    """Store ``count`` distinct notices, varied from the seed page's real records."""
    from notices.parse import parse_page
    from notices.store import Sighting, Store

    pages = [SEED] if SEED.exists() else sorted(DEMO.glob("*.txt"))
    base = [
        record
        for page in pages
        for record in parse_page(
            page.read_text(encoding="utf-8"), published_on=date(2025, 7, 8), region_code="210500"
        )
    ]
    store = Store.open(url)
    batch = []
    for n in range(count):
        record = base[n % len(base)]
        digest = hashlib.sha256(f"{record.id}{n}".encode()).hexdigest()[:20]
        batch.append(dataclasses.replace(record, id=f"{record.id[:3]}{digest}"))
        if len(batch) == 500:
            seen = datetime(2025, 7, 8, tzinfo=UTC) + timedelta(minutes=n)
            store.save_notices(
                batch,
                Sighting("bench", f"https://paper.example/{n}.htm", date(2025, 7, 8), "A1", seen),
            )
            batch = []
    if batch:
        store.save_notices(
            batch,
            Sighting(
                "bench",
                "https://paper.example/last.htm",
                date(2025, 7, 8),
                "A1",
                datetime(2025, 7, 9, tzinfo=UTC),
            ),
        )
    store.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _no_control_socket() -> list[str]:
    """The option that keeps gunicorn (25.1 and later) from opening its shared control socket."""
    major, minor = (int(n) for n in importlib.metadata.version("gunicorn").split(".")[:2])
    return ["--no-control-socket"] if (major, minor) >= (25, 1) else []


def _wait(url: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def _wrk(url: str, seconds: int, headers: list[str]) -> tuple[float, str]:
    command = [
        "wrk",
        "-t2",
        "-c16",
        f"-d{seconds}s",
        "--latency",
        *[a for h in headers for a in ("-H", h)],
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+(\S+)", out)
    return rate, p99.group(1) if p99 else "?"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--port", type=int, default=0, help="port for gunicorn (0: a free one)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk)")
        return 1
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{folder}/serve.sqlite3"
        began = time.perf_counter()
        _fill(database, args.notices)
        print(f"stored {args.notices} notices in {time.perf_counter() - began:.1f} s")
        port = args.port or _free_port()
        env = {**os.environ, "NOTICES_DATABASE_URL": database}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                *_no_control_socket(),
                "service.app:create_app()",
            ],
            env=env,
            cwd=ROOT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait(f"{base}/api/v1/health")
            feed = f"{base}/feeds/road-closures.rss"
            etag = urllib.request.urlopen(feed).headers["ETag"]
            cases = [
                ("static file (baseline)", f"{base}/static/robots.txt", []),
                ("feed (RSS, 50 items)", feed, []),
                ("feed answered 304", feed, [f"If-None-Match: {etag}"]),
                ("API list (50 items)", f"{base}/api/v1/notices?limit=50", []),
            ]
            baseline = None
            print(f"{'':28s} {'requests/s':>12s} {'p99':>10s}")
            for name, url, headers in cases:
                rate, p99 = _wrk(url, args.seconds, headers)
                baseline = baseline or rate
                ratio = rate / baseline
                print(f"{name:28s} {rate:12.0f} {p99:>10s}   x{ratio:5.2f} of the static file")
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
