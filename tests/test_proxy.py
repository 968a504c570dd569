"""deploy/nginx/notices.conf in front of deploy/'s gunicorn: Debian's nginx, for real.

The cache keeps what the app lets it (feeds) and nothing else: not the API, which says
no-cache, not the lookup, which says no-store, never a staff request. Its log names paths,
never a query string. The benchmark (benchmarks/serve.py) runs on a small store too.
"""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks import data, nginx, serve

ROOT = Path(__file__).resolve().parent.parent
FEED = "/feeds/road-closures.rss"


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """The app's URL, nginx's in front of it, and nginx's folder (its access log)."""
    folder = tmp_path_factory.mktemp("proxy")
    database = f"sqlite:///{folder / 'n.sqlite3'}"
    data.fill(database, 60, key=serve.KEY.encode())
    app, front = serve.free_port(), serve.free_port()
    with serve.gunicorn(database, app, {"NOTICES_WEB_ACCESS_LOG": "off"}):
        config = nginx.render(folder / "nginx", listen=f"127.0.0.1:{front}",
                              upstream=f"127.0.0.1:{app}")  # fmt: skip
        with nginx.running(config, [front]):
            yield f"http://127.0.0.1:{app}", f"http://127.0.0.1:{front}", folder / "nginx"


def get(url: str, **headers: str) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def test_a_feed_is_kept_and_served_as_the_app_gave_it(proxy: tuple[str, str, Path]) -> None:
    app, front, _ = proxy
    first, second = get(f"{front}{FEED}?limit=7"), get(f"{front}{FEED}?limit=7")
    assert first[2]["X-Cache-Status"] == "MISS" and second[2]["X-Cache-Status"] == "HIT"
    assert second[1] == get(f"{app}{FEED}?limit=7")[1]
    status, body, _ = get(f"{front}{FEED}?limit=7", **{"If-None-Match": first[2]["ETag"]})
    assert (status, body) == (304, b"")


def test_the_api_is_never_kept(proxy: tuple[str, str, Path]) -> None:
    _, front, _ = proxy
    for _ in range(2):
        status, _, headers = get(f"{front}/api/v1/notices?limit=3")
        assert status == 200 and "X-Cache-Status" not in headers  # never looked up
    assert "no-cache" in headers["Cache-Control"]


def test_a_lookup_is_neither_kept_nor_logged_with_its_identifier(
    proxy: tuple[str, str, Path],
) -> None:
    _, front, folder = proxy
    identifier = serve._an_identifier(60)
    for _ in range(2):
        status, _, headers = get(f"{front}/api/v1/loss-declarations/lookup?identifier={identifier}")
        assert status == 200 and "X-Cache-Status" not in headers  # never looked up
    assert headers["Cache-Control"] == "no-store"
    nginx_log = (folder / "access.log").read_text(encoding="utf-8")  # flushed on its buffer
    assert identifier not in nginx_log and "?" not in nginx_log


def test_a_staff_request_bypasses_the_cache(proxy: tuple[str, str, Path]) -> None:
    _, front, _ = proxy
    get(f"{front}{FEED}")
    _, _, headers = get(f"{front}{FEED}", Authorization="Bearer not-a-token")
    assert headers["X-Cache-Status"] == "BYPASS"


def test_the_benchmark_runs_on_a_small_store(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "benchmarks.serve", "--notices", "40", "--seconds", "1",
               "--warmup", "0", "--connections", "4", "--data", str(tmp_path)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for shown in ("nginx static (baseline)", "feed answered 304", "lookup", "worker RSS"):
        assert shown in done.stdout, done.stdout
    rows = [line for line in done.stdout.splitlines() if re.match(r"  \S.{23} +\d+ ", line)]
    assert len(rows) >= 27, done.stdout  # 2 baselines, 9 endpoints bare and behind, 7 uncached
    for row in rows:
        rate, errors = int(row[26:].split()[0]), int(row[26:].split()[3])
        assert rate > 0 and errors == 0, row


def test_the_benchmark_measures_only_what_it_is_asked(tmp_path: Path) -> None:
    """--only names endpoints: the others are not measured (the baselines always are)."""
    command = [sys.executable, "-m", "benchmarks.serve", "--notices", "40", "--seconds", "1",
               "--warmup", "1", "--connections", "4", "--data", str(tmp_path),
               "--only", "lookup", "304"]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "lookup" in done.stdout and "feed answered 304" in done.stdout, done.stdout
    assert "list by route" not in done.stdout and "single notice" not in done.stdout
