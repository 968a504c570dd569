"""The deployment's topology, for real: PostgreSQL, nginx in front of gunicorn with three
workers, two ``notices worker`` processes, and two e-paper sites on 127.0.0.1.

What it holds the deployment to: one worker schedules and the other stands by; each
edition's articles are fetched and stored once; the feed is the same from every web
worker and through nginx's cache, and the cache serves the old feed no longer than its
``max-age`` after an ingest; killing the scheduling worker outright hands the schedule to
the standby within 4/3 of ``NOTICES_SCHEDULER_LEASE``; no notice is lost or doubled; and
``/metrics`` gives every worker's requests from any worker, never through nginx.

Debian's nginx is needed (.ci/run installs it); without it, as without PostgreSQL, the
test is left out with a line saying why, except in CI, where it fails.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from conftest import in_ci
from db import PostgresServer
from epaper import Edition
from httpserver import Server
from sqlalchemy import create_engine, text

from benchmarks import nginx
from notices.ingest import today_in_shanghai
from notices.parse import parse_page
from notices.store import Store

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CORPUS = ROOT / "tests" / "corpus"
LEASE = 3.0  # NOTICES_SCHEDULER_LEASE: a standby takes over within 4/3 of it
SLACK = 2.0  # seconds for processes to be scheduled on a busy two-core machine
FEED = "/feeds/all.json"
# Two papers, each an edition of two pages; the article added later goes to paper a.
PAPERS = {
    "a": [("road/001_huanyong_full_blanklines.txt", "loss/001_benxi_classified_basic.txt"),
          ("road/002_s316_colwrap16_184days.txt",)],
    "b": [("road/003_x642_markdown_k000_until_complete.txt",),
          ("loss/002_liaoshen_runon_lines.txt",)],
}  # fmt: skip
LATE = "road/006_g1212_exit_ramp_partial.txt"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(check: Callable[[], Any], seconds: float, what: str) -> Any:
    """Poll ``check`` until it gives something true; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return found


def get(url: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """GET on a new connection: status, headers (lower-cased), body."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            headers = {k.lower(): v for k, v in response.headers.items()}
            return response.status, headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


# ── the e-paper sites ───────────────────────────────────────────────────────────────


def _article(name: str) -> tuple[str, str]:
    body = (CORPUS / name).read_text(encoding="utf-8")
    return body.splitlines()[0].strip()[:20] or name, body


def _edition(day: date, pages: list[tuple[str, ...]]) -> Edition:
    return Edition(day, [(f"第{n}版", [_article(a) for a in names])
                         for n, names in enumerate(pages, start=1)])  # fmt: skip


def _serve(server: Server, paper: str, edition: Edition) -> list[str]:
    """Put an edition on the site under /<paper>/; return its articles' paths."""
    articles = []
    for path, body in edition.files().items():
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        server.add(f"/{paper}{path}", body=body, headers={"Content-Type": "text/html"}, etag=etag)
        if "/content_" in path:
            articles.append(f"/{paper}{path}")
    return articles


def _expected(names: list[str], day: date) -> int:
    """How many records the parser reads from these articles (never a number written here)."""
    return sum(
        len(parse_page((CORPUS / n).read_text(encoding="utf-8"), published_on=day)) for n in names
    )


def _sources_file(server: Server, folder: Path) -> Path:
    path = folder / "sources.toml"
    entries = [
        f'[[source]]\nname = "paper-{p}"\npublication = "{p}报"\nkind = "epaper"\n'
        f'schedule = "every 2s"\nindex = "{server.url(f"/{p}/html/{{date:%Y-%m/%d}}/node_2.htm")}"\n'
        for p in PAPERS
    ]
    path.write_text("\n".join(entries), encoding="utf-8")
    return path


# ── the processes ───────────────────────────────────────────────────────────────────


@dataclass
class Topology:
    """The running deployment: its addresses, its processes, its store."""

    web: str
    proxy: str
    database: str
    workers: list[subprocess.Popen[bytes]]
    logs: Path
    env: dict[str, str]

    def holder(self) -> int | None:
        """The pid of the worker holding the scheduler's lease, if one does."""
        engine = create_engine(self.database)
        try:
            with engine.connect() as conn:
                row = conn.execute(
                    text("SELECT holder, expires_at FROM locks WHERE name = 'scheduler'")
                ).first()
        finally:
            engine.dispose()
        return int(row[0].rsplit(":", 1)[1]) if row else None

    def log(self, worker: subprocess.Popen[bytes]) -> str:
        return (self.logs / f"worker-{worker.pid}.log").read_text(encoding="utf-8", errors="replace")


def _environment(database: str, sources: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    return env | {
        "NOTICES_DATABASE_URL": database,
        "NOTICES_SOURCES": str(sources),
        "NOTICES_IDENTIFIER_KEY": "a-secret-for-the-topology-test",
        "NOTICES_TRUSTED_PROXIES": "1",
        "NOTICES_SCHEDULER_LEASE": str(LEASE),
        "NOTICES_LOCK_LEASE": "3",  # a source left locked by the killed worker frees soon
        "NOTICES_HTTP_DELAY": "0",
        "NOTICES_HTTP_TIMEOUT": "3",
        "NOTICES_LOG_FORMAT": "json",
    }


def _start_worker(env: dict[str, str], logs: Path, n: int) -> subprocess.Popen[bytes]:
    with (logs / f"worker-{n}.log").open("wb") as sink:
        worker = subprocess.Popen([str(BIN / "notices"), "worker"], env=env, stdout=sink,
                                  stderr=sink)  # fmt: skip
    (logs / f"worker-{n}.log").rename(logs / f"worker-{worker.pid}.log")  # the file stays open
    return worker


@pytest.fixture
def nginx_binary() -> str:
    """Debian's nginx: left out where it is missing, but not in CI."""
    try:
        return nginx.binary()
    except nginx.NginxMissing as missing:
        if in_ci():
            pytest.fail(f"the topology test must run in CI: {missing}")
        pytest.skip(f"{missing}; .ci/run installs it")


@pytest.fixture
def topology(
    nginx_binary: str, postgres: PostgresServer, http_server: Server, tmp_path: Path
) -> Iterator[Topology]:
    """Everything started, the database migrated by `notices db upgrade`; all stopped after."""
    logs = tmp_path / "logs"
    logs.mkdir()
    with postgres.database() as database:
        env = _environment(database, _sources_file(http_server, tmp_path))
        upgrade = subprocess.run([str(BIN / "notices"), "db", "upgrade"], env=env,
                                 capture_output=True, text=True)  # fmt: skip
        assert upgrade.returncode == 0 and "schema at" in upgrade.stdout, upgrade.stderr
        web_port, proxy_port = _free_port(), _free_port()
        web_env = env | {"NOTICES_WEB_BIND": f"127.0.0.1:{web_port}", "NOTICES_WEB_WORKERS": "3"}
        command = [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                   "service.app:create_app()"]  # fmt: skip
        with (logs / "gunicorn.log").open("wb") as sink:
            web = subprocess.Popen(command, env=web_env, cwd=ROOT, stdout=sink, stderr=sink)
        workers: list[subprocess.Popen[bytes]] = []
        try:
            web_url = f"http://127.0.0.1:{web_port}"
            wait_for(lambda: _answers(web_url + "/api/v1/health"), 30, "gunicorn")
            config = nginx.render(tmp_path / "nginx", listen=f"127.0.0.1:{proxy_port}",
                                  upstream=f"127.0.0.1:{web_port}")  # fmt: skip
            with nginx.running(config, [proxy_port]):
                workers = [_start_worker(env, logs, n) for n in range(2)]
                yield Topology(web_url, f"http://127.0.0.1:{proxy_port}", database, workers,
                               logs, env)  # fmt: skip
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.kill()
                worker.wait(timeout=30)
            web.terminate()
            web.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return get(url, timeout=1.0)[0] == 200
    except OSError:
        return False


# ── the test ────────────────────────────────────────────────────────────────────────


def test_topology(topology: Topology, http_server: Server) -> None:
    day = today_in_shanghai()
    articles = [path for paper, pages in PAPERS.items()
                for path in _serve(http_server, paper, _edition(day, pages))]  # fmt: skip
    names = [name for pages in PAPERS.values() for page in pages for name in page]
    expected = _expected(names, day)
    assert expected >= len(names)
    store = Store.open(topology.database)
    try:
        wait_for(lambda: store.count_notices() == expected, 60, f"{expected} notices stored")
        _one_schedules(topology)
        _each_edition_once(store, http_server, articles)
        body = _feeds_agree(topology)
        metrics_from_every_worker(topology)
        _handover_and_stale_feed(topology, store, http_server, articles, body, expected, day)
        _each_edition_once(store, http_server, articles)
        _clean_stop_frees_the_schedule(topology)
    finally:
        store.close()


def _one_schedules(topology: Topology) -> None:
    pids = {w.pid for w in topology.workers}
    holder = wait_for(topology.holder, 10, "a worker to hold the schedule")
    assert holder in pids
    standby = next(w for w in topology.workers if w.pid != holder)
    wait_for(lambda: "standing by" in topology.log(standby), 10, "the other worker to stand by")
    assert "holds the schedule" not in topology.log(standby)
    assert all(w.poll() is None for w in topology.workers)


def _each_edition_once(store: Store, server: Server, articles: list[str]) -> None:
    """Every article read in full once (asked again, it is asked conditionally and answered
    304), every notice seen once, no source's runs overlapping."""
    whole = {p: sum("if-none-match" not in r for r in server.requests(p)) for p in articles}
    assert whole == {path: 1 for path in articles}
    for notice in store.notices(limit=500):
        assert len(notice["sightings"]) == 1, notice["id"]
    for source in ("paper-a", "paper-b"):
        runs = sorted(store.runs(source, limit=500), key=lambda r: r.started_at)
        for earlier, later in itertools.pairwise(runs):
            assert earlier.finished_at is not None and earlier.finished_at <= later.started_at


def _feeds_agree(topology: Topology) -> bytes:
    """The feed from gunicorn's three workers (a new connection each time) and through nginx."""
    gunicorn = (topology.logs / "gunicorn.log").read_text(encoding="utf-8")
    assert gunicorn.count("Booting worker with pid") == 3
    bodies = {get(topology.web + FEED)[2] for _ in range(15)}
    assert len(bodies) == 1
    (body,) = bodies
    status, headers, proxied = get(topology.proxy + FEED)
    assert status == 200 and proxied == body
    status, headers, again = get(topology.proxy + FEED)
    assert headers["x-cache-status"] == "HIT" and again == body
    return body


def metrics_from_every_worker(topology: Topology) -> None:
    """Any worker's /metrics counts the requests every worker answered; nginx never shows it."""
    for _ in range(9):
        assert get(topology.web + "/api/v1/health")[0] == 200
    line = 'notices_http_requests_total{method="GET",route="/api/v1/health",status="200"}'
    seen = set()
    for _ in range(6):
        status, headers, body = get(topology.web + "/metrics")
        assert status == 200 and headers["cache-control"] == "no-store"
        counts = [float(x.split()[-1]) for x in body.decode().splitlines() if x.startswith(line)]
        assert counts and counts[0] >= 9 + 1  # ours, and the one the fixture waited on
        seen.add(counts[0])
        assert 'notices_ingest_runs_total{source="paper-a"}' in body.decode()
        assert 'notices_source_last_page_age_seconds{source="paper-b"}' in body.decode()
    assert len(seen) == 1  # whichever worker answered, the same total
    assert get(topology.proxy + "/metrics")[0] == 404


def _handover_and_stale_feed(
    topology: Topology,
    store: Store,
    server: Server,
    articles: list[str],
    cached: bytes,
    expected: int,
    day: date,
) -> None:
    """Kill the scheduling worker; the standby takes over in time, ingests, the cache follows."""
    holder = topology.holder()
    active = next(w for w in topology.workers if w.pid == holder)
    standby = next(w for w in topology.workers if w.pid != holder)
    killed = time.monotonic()
    active.send_signal(signal.SIGKILL)
    active.wait(timeout=10)
    wait_for(lambda: topology.holder() == standby.pid, 4 / 3 * LEASE + SLACK, "the handover")
    handed = time.monotonic() - killed
    assert handed <= 4 / 3 * LEASE + SLACK, handed
    wait_for(lambda: "holds the schedule" in topology.log(standby), 5, "the standby's log line")

    pages = [*PAPERS["a"][:-1], (*PAPERS["a"][-1], LATE)]
    late = _serve(server, "a", _edition(day, pages))[-1]
    more = _expected([LATE], day)
    wait_for(lambda: store.count_notices() == expected + more, 30, "the late notice")
    ingested = time.monotonic()
    assert server.hits(late) == 1
    articles.append(late)
    fresh = {n["id"] for n in store.notices(limit=more)}
    assert all(i.encode() not in cached for i in fresh)

    # gunicorn's workers know the store's version within a second; nginx within max-age.
    wait_for(lambda: all(all(i.encode() in get(topology.web + FEED)[2] for i in fresh)
                         for _ in range(6)), 5, "every web worker to serve the new feed")  # fmt: skip
    headers = get(topology.web + FEED)[1]
    max_age = int(headers["cache-control"].split("max-age=")[1].split(",")[0])
    while True:
        status, _, proxied = get(topology.proxy + FEED)
        now = time.monotonic()
        assert status == 200
        if all(i.encode() in proxied for i in fresh):
            break
        assert now - ingested <= max_age + 1.0, "nginx served a stale feed past its max-age"
        time.sleep(0.25)
    for _ in range(8):  # and never the old one again
        assert all(i.encode() in get(topology.proxy + FEED)[2] for i in fresh)
        time.sleep(0.1)
    assert get(topology.proxy + FEED)[2] == get(topology.web + FEED)[2]


def _clean_stop_frees_the_schedule(topology: Topology) -> None:
    """SIGTERM: the worker finishes, exits 0 and frees the schedule at once."""
    (alive,) = [w for w in topology.workers if w.poll() is None]
    alive.send_signal(signal.SIGTERM)
    assert alive.wait(timeout=30) == 0, topology.log(alive)
    assert topology.holder() is None  # freed on the way out, not left to lapse
