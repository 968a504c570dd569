"""Serving benchmark: every endpoint under deploy/'s gunicorn, bare and behind deploy/'s nginx.

For each store size (10,000 and 100,000 generated notices, benchmarks/data.py) it starts
gunicorn with deploy/gunicorn.conf.py on a SQLite store, and nginx with
deploy/nginx/notices.conf in front of it (its cache), plus one more nginx server that
serves the feed's very bytes as a static file: the baseline of the same run. wrk drives
each endpoint at --connections for --seconds (after --warmup seconds not counted, in
which each worker makes the answers it keeps); each figure is printed beside its baseline
with the ratio, then the filters' time at the largest size against the smallest, then the
RSS of every gunicorn worker after the run. Figures are printed, never asserted.

    python -m benchmarks.serve                      # the whole run (make bench-serve)
    python -m benchmarks.serve --notices 200 --seconds 1   # a smoke run
    python -m benchmarks.serve --workers-matrix     # sync vs gthread, access log on/off

Ports come from --app-port, --proxy-port and --static-port (0: a free one each). Stores are
kept in --data (by size) so that a second run skips generating them. Needs wrk and nginx
(Debian's packages; .ci/run installs both).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from benchmarks import data, nginx
from notices.store import Store

ROOT = Path(__file__).resolve().parent.parent
CONF = ROOT / "deploy" / "gunicorn.conf.py"
FEED = "/feeds/road-closures.rss"
KEY = "benchmark-identifier-key"
FILTERS = ("list by route", "list by region code", "list active on a day", "active at a moment",
           "lookup")  # fmt: skip


@dataclass(frozen=True)
class Figure:
    """What wrk measured of one URL."""

    rate: float  # requests per second
    p50_ms: float
    p99_ms: float
    errors: int  # failed connections, timeouts and answers that are not 2xx or 3xx
    spread: tuple[int, ...] = ()  # the connections each gunicorn worker held, fewest first


@dataclass(frozen=True)
class Case:
    """One endpoint to measure, its baseline's name, and the headers to send."""

    name: str
    path: str
    headers: tuple[str, ...] = ()


# ── the servers ────────────────────────────────────────────────────────────────────


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _no_control_socket() -> list[str]:
    """The option that keeps gunicorn (25.1 and later) from opening its shared control socket."""
    major, minor = (int(n) for n in importlib.metadata.version("gunicorn").split(".")[:2])
    return ["--no-control-socket"] if (major, minor) >= (25, 1) else []


@contextmanager
def gunicorn(
    database: str, port: int, settings: dict[str, str]
) -> Iterator[subprocess.Popen[bytes]]:
    """Run deploy/'s gunicorn on ``database`` until the block ends."""
    env = os.environ | {
        "NOTICES_DATABASE_URL": database,
        "NOTICES_IDENTIFIER_KEY": KEY,
        "NOTICES_WEB_BIND": f"127.0.0.1:{port}",
        "NOTICES_TRUSTED_PROXIES": "1",
        "NOTICES_LOOKUP_RATE": "1000000/second",  # wrk is one client
        **settings,
    }
    command = [sys.executable, "-m", "gunicorn", "-c", str(CONF), "--log-level", "warning",
               *_no_control_socket(), "service.app:create_app()"]  # fmt: skip
    log = tempfile.TemporaryFile()  # noqa: SIM115 - the access log is written, as to journald
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
    try:
        _wait(f"http://127.0.0.1:{port}/api/v1/health", server)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _wait(url: str, server: subprocess.Popen[bytes], seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def worker_rss(master: int) -> list[int]:
    """The resident memory of each worker of a gunicorn master, in MB."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for child in children:
        status = Path(f"/proc/{child}/status").read_text()
        kb = re.search(r"VmRSS:\s+(\d+) kB", status)
        sizes.append(int(kb.group(1)) // 1024 if kb else 0)
    return sizes


def connections_per_worker(master: int, port: int) -> tuple[int, ...]:
    """How many open connections to ``port`` each worker of a gunicorn master holds, fewest first.

    The kernel deals connections out to the workers; one that holds most of wrk's
    kept-alive connections while another holds few caps the rate at what one core answers.
    """
    opened = sockets_on(port, "01")
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return tuple(sorted(len(held_sockets(int(child)) & opened) for child in children))


def sockets_on(port: int, state: str) -> set[int]:
    """The inodes of the TCP sockets on a local port in a state (01: open, 0A: listening)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == state and int(fields[1].rsplit(":", 1)[1], 16) == port:
                found.add(int(fields[9]))
    return found


def held_sockets(pid: int) -> set[int]:
    """The inodes of the sockets a process holds."""
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            held.add(int(target[8:-1]))
    return held


def _static_server(port: int, root: Path) -> str:
    """An nginx server that serves ``root``'s files: the feed's bytes, as a static file."""
    return f"""
server {{
    listen 127.0.0.1:{port};
    access_log off;
    root {root};
    location / {{ default_type application/rss+xml; etag on; }}
}}
"""


# ── measuring ──────────────────────────────────────────────────────────────────────


def wrk(
    url: str,
    seconds: float,
    connections: int,
    headers: tuple[str, ...] = (),
    spread: Callable[[], tuple[int, ...]] | None = None,
) -> Figure:
    """Load ``url`` with wrk and read its figures; ``spread`` is asked midway through."""
    threads = min(connections, max(1, os.cpu_count() or 1))
    sent = [a for h in headers for a in ("-H", h)]
    duration = max(1, round(seconds))
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s",
               "--latency", "--timeout", "5s", *sent, url]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as load:
        held: tuple[int, ...] = ()
        if spread is not None:
            time.sleep(duration / 2)
            held = spread()
        out, _ = load.communicate()
    if load.returncode != 0:
        raise subprocess.CalledProcessError(load.returncode, command, out)
    rate = float(_found(r"Requests/sec:\s+([\d.]+)", out))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    errors += int(_found(r"Non-2xx or 3xx responses: (\d+)", out, "0"))
    # Anchored: a stdev of 90.50% ends a line with "50%" too.
    p50, p99 = (_ms(_found(rf"^\s+{n}%\s+(\S+)", out)) for n in (50, 99))
    return Figure(rate, p50, p99, errors, held)


def _found(pattern: str, text: str, default: str | None = None) -> str:
    match = re.search(pattern, text, re.MULTILINE)
    if match is None:
        if default is None:
            raise RuntimeError(f"wrk said nothing like {pattern!r}:\n{text}")
        return default
    return match.group(1)


def _ms(value: str) -> float:
    """wrk's 1.23ms, 456.00us, 1.02s or 1.50m, in milliseconds (NaN for what it could not tell)."""
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        return float("nan")
    return float(match[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[match[2]]


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def cases(base: str, count: int) -> list[Case]:
    """The endpoints, with real values from the store: an id, a road, a region, an identifier."""
    _, body, _ = _get(f"{base}/api/v1/notices?kind=road_closure&limit=1")
    closure = json.loads(body)["items"][0]
    _, body, _ = _get(f"{base}/api/v1/notices?kind=loss_declaration&limit=1")
    declaration = json.loads(body)["items"][0]
    identifier = _an_identifier(count)
    day = date.today().isoformat()
    etag = _get(f"{base}{FEED}")[2]["ETag"]
    quote = urllib.parse.quote
    return [
        Case("feed (RSS, 50 items)", FEED),
        Case("feed answered 304", FEED, (f"If-None-Match: {etag}",)),
        Case("list (50 items)", "/api/v1/notices?limit=50"),
        Case("single notice", f"/api/v1/notices/{closure['id']}"),
        Case(
            "list by route",
            f"/api/v1/notices?route={quote(closure['routes'][0]['code'])}",
        ),
        Case(
            "list by region code",
            f"/api/v1/notices?region_code={declaration['region_code'][:4]}",
        ),
        Case("list active on a day", f"/api/v1/notices?active_on={day}"),
        Case("active at a moment", f"/api/v1/road-closures/active?at={day}T12:00"),
        Case("lookup", f"/api/v1/loss-declarations/lookup?identifier={identifier}"),
    ]


def _an_identifier(count: int) -> str:
    """An identifier the generated store holds (the same seed gives the same notices)."""
    for record in data.records(count):
        identifiers = getattr(record, "identifiers", ())
        if identifiers:
            return str(identifiers[0].value)
    raise RuntimeError("the generated store holds no loss declaration")


# ── one size ───────────────────────────────────────────────────────────────────────


def store_for(folder: Path, count: int) -> str:
    """A SQLite store of ``count`` generated notices in ``folder``, made once, then reused.

    A store made by the same generator is reused and brought to the latest migration, as a
    deployment's is: a new migration runs on it (and on 100,000 notices) in place.
    """
    path = folder / f"serve-{count}.sqlite3"
    done = path.with_suffix(".done")
    made_by = _generator()
    if not done.exists() or done.read_text().split()[0] != made_by:
        folder.mkdir(parents=True, exist_ok=True)
        for old in (path, path.with_suffix(".sqlite3-wal"), path.with_suffix(".sqlite3-shm")):
            old.unlink(missing_ok=True)
        seconds = data.fill(f"sqlite:///{path}", count, key=KEY.encode())
        done.write_text(f"{made_by} {seconds:.1f}\n")
        print(f"stored {count} generated notices in {seconds:.1f} s ({path})", flush=True)
    began = time.perf_counter()
    Store.open(f"sqlite:///{path}", identifier_key=KEY.encode()).close()  # migrates, if due
    if (seconds := time.perf_counter() - began) > 1:
        print(f"migrated the store of {count} notices in {seconds:.1f} s", flush=True)
    return f"sqlite:///{path}"


def _generator() -> str:
    """A digest of the generator and of the stored texts' format: else the store is made again."""
    digest = hashlib.sha256()
    for file in (ROOT / "benchmarks" / "data.py", ROOT / "notices" / "published.py"):
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def run_size(args: argparse.Namespace, folder: Path, count: int) -> dict[str, Figure]:
    """Measure every endpoint on a store of ``count`` notices; print and return the figures."""
    database = store_for(Path(args.data or folder), count)
    app, proxy, static = (args.app_port or free_port(), args.proxy_port or free_port(),
                          args.static_port or free_port())  # fmt: skip
    settings = _settings(args.worker_class, args.threads, args.access_log)
    base = f"http://127.0.0.1:{app}"
    figures: dict[str, Figure] = {}
    with gunicorn(database, app, settings) as server:
        spread = partial(connections_per_worker, server.pid, app)
        todo = [c for c in cases(base, count) if _chosen(args, c)]
        files = folder / f"static-{count}"
        target = files / FEED.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(_get(f"{base}{FEED}")[1])
        config = nginx.render(folder / f"nginx-{count}", listen=f"127.0.0.1:{proxy}",
                              upstream=f"127.0.0.1:{app}", workers=args.nginx_workers,
                              extra=_static_server(static, files))  # fmt: skip
        with nginx.running(config, [proxy, static]):
            baseline = _baselines(args, f"http://127.0.0.1:{static}")
            print("  app, each answer kept per store version (a repeated URL):")
            _measure(args, "", todo, base, baseline, figures, spread)
            print("  app behind deploy/'s nginx (its cache keeps the feeds only):")
            proxied = f"http://127.0.0.1:{proxy}"
            _measure(args, "via nginx: ", todo, proxied, baseline, figures, spread)
        _rss(server.pid)
    uncached = settings | {"NOTICES_ANSWER_CACHE": "0"}
    with gunicorn(database, app, uncached) as server:
        print("  app, no answer kept (NOTICES_ANSWER_CACHE=0): the read path itself:")
        api = [case for case in todo if not case.path.startswith("/feeds/")]
        spread = partial(connections_per_worker, server.pid, app)
        _measure(args, "uncached: ", api, base, baseline, figures, spread)
        _rss(server.pid)
    return figures


def _chosen(args: argparse.Namespace, case: Case) -> bool:
    return not args.only or any(part in case.name for part in args.only)


def _rss(master: int) -> None:
    sizes = worker_rss(master)
    print(f"  worker RSS after the run: {', '.join(f'{mb} MB' for mb in sizes)}", flush=True)


def _settings(worker_class: str, threads: int, access_log: bool) -> dict[str, str]:
    return {
        "NOTICES_WEB_WORKER_CLASS": worker_class,
        "NOTICES_WEB_THREADS": str(threads),
        "NOTICES_WEB_ACCESS_LOG": "-" if access_log else "off",
    }


def _baselines(args: argparse.Namespace, static: str) -> dict[str, Figure]:
    """nginx serving the feed's bytes as a file: a 200 and a 304; printed with the header."""
    baseline = {
        "": wrk(f"{static}{FEED}", args.seconds, args.connections),
        "304": wrk(f"{static}{FEED}", args.seconds, args.connections, _static_etag(static)),
    }
    print(f"  {'':24s} {'req/s':>8s} {'p50 ms':>7s} {'p99 ms':>7s} {'errors':>6s}"
          f"   {'baseline':>8s} {'ratio':>6s}  workers' connections")  # fmt: skip
    _line("nginx static (baseline)", baseline[""], None)
    _line("nginx static 304", baseline["304"], None)
    return baseline


def _measure(
    args: argparse.Namespace,
    prefix: str,
    todo: list[Case],
    base: str,
    baseline: dict[str, Figure],
    figures: dict[str, Figure],
    spread: Callable[[], tuple[int, ...]],
) -> None:
    for case in todo:
        if args.warmup > 0:  # every worker makes its answer once, outside the figures
            wrk(f"{base}{case.path}", args.warmup, args.connections, case.headers)
        figure = wrk(f"{base}{case.path}", args.seconds, args.connections, case.headers, spread)
        figures[f"{prefix}{case.name}"] = figure
        _line(case.name, figure, baseline["304" if case.headers else ""])


def _static_etag(static: str) -> tuple[str, ...]:
    return (f"If-None-Match: {_get(f'{static}{FEED}')[2]['ETag']}",)


def _line(name: str, figure: Figure, baseline: Figure | None) -> None:
    shown = f"  {name[:24]:24s} {figure.rate:8.0f} {figure.p50_ms:7.2f} {figure.p99_ms:7.1f}"
    shown += f" {figure.errors:6d}"
    if baseline is not None:
        shown += f"   {baseline.rate:8.0f} {figure.rate / baseline.rate:6.3f}"
    if figure.spread:
        shown += f"  {'/'.join(str(n) for n in figure.spread)}"
    print(shown, flush=True)


def compare_sizes(figures: dict[int, dict[str, Figure]]) -> None:
    """Print each filter's median latency at the largest size against the smallest."""
    small, large = min(figures), max(figures)
    print(
        f"filters at {large} notices against {small}, no answer kept (median latency; goal ≤ 1.5×):"
    )
    for name in FILTERS:
        first, last = figures[small][f"uncached: {name}"], figures[large][f"uncached: {name}"]
        times = f"{first.p50_ms:7.2f} ms → {last.p50_ms:7.2f} ms"
        rates = f"({first.rate:.0f} → {last.rate:.0f} req/s)"
        print(f"  {name:24s} {times}   ×{last.p50_ms / first.p50_ms:5.2f}   {rates}")


# ── worker settings ────────────────────────────────────────────────────────────────


# Worker settings compared: class, threads, access log, switch interval (0: Python's 5 ms).
_MATRIX = (("sync", 1, True, "0"), ("sync", 1, False, "0"), ("gthread", 0, True, "0"),
           ("gthread", 0, False, "0"), ("gthread", 0, False, "0.001"),
           ("gthread", 0, False, "0.0002"))  # fmt: skip


def workers_matrix(args: argparse.Namespace, folder: Path) -> None:
    """Measure a feed, its 304, a list and closures in force under each worker setting."""
    count = args.notices[0]
    database = store_for(Path(args.data or folder), count)
    kept = "each answer kept" if args.keep_answers else "no answer kept"
    print(f"worker settings on {count} notices, {args.connections} connections, app alone, {kept}:")
    print(f"  {'worker, log, switch':28s} {'feed':>8s} {'304':>8s} {'list':>8s} {'active':>8s}"
          "  RSS MB")  # fmt: skip
    names = ("feed (RSS, 50 items)", "feed answered 304", "list (50 items)", "active at a moment")
    for worker_class, threads, access_log, switch in _MATRIX:
        threads = threads or args.threads
        port = args.app_port or free_port()
        settings = _settings(worker_class, threads, access_log) | {
            "NOTICES_WEB_SWITCH_INTERVAL": switch,
            "NOTICES_ANSWER_CACHE": "1" if args.keep_answers else "0",
        }
        with gunicorn(database, port, settings) as server:
            base = f"http://127.0.0.1:{port}"
            todo = {c.name: c for c in cases(base, count)}
            rates = [_warm_rate(args, f"{base}{todo[n].path}", todo[n].headers) for n in names]
            rss = worker_rss(server.pid)
        label = f"{worker_class} ×{threads}, log {'on' if access_log else 'off'}, {switch} s"
        print(f"  {label:28s} {''.join(f'{r:8.0f} ' for r in rates)} {rss}", flush=True)


def _warm_rate(args: argparse.Namespace, url: str, headers: tuple[str, ...]) -> float:
    if args.warmup > 0:
        wrk(url, args.warmup, args.connections, headers)
    return wrk(url, args.seconds, args.connections, headers).rate


# ── the command ────────────────────────────────────────────────────────────────────


def parser() -> argparse.ArgumentParser:
    """The command line."""
    made = argparse.ArgumentParser(
        prog="python -m benchmarks.serve",
        description=__doc__.split("\n\n")[0],
        epilog="See BENCHMARKS.md for the figures of the last run.",
    )
    made.add_argument("--notices", type=int, nargs="+", default=[10_000, 100_000],
                      help="store sizes to measure (default: 10000 100000)")  # fmt: skip
    made.add_argument("--seconds", type=float, default=5, help="wrk's run per URL (default 5)")
    made.add_argument("--warmup", type=float, default=1,
                      help="seconds of load on a URL before it is measured (1)")  # fmt: skip
    made.add_argument("--connections", type=int, default=32, help="wrk's connections (32)")
    made.add_argument("--app-port", type=int, default=0, help="gunicorn's port (0: a free one)")
    made.add_argument("--proxy-port", type=int, default=0, help="nginx cache's port (0: free)")
    made.add_argument("--static-port", type=int, default=0, help="nginx static port (0: free)")
    made.add_argument("--data", help="folder to keep the generated stores in, for reruns")
    made.add_argument("--worker-class", default="gthread", choices=("gthread", "sync"),
                      help="gunicorn worker class (default: deploy/'s, gthread)")  # fmt: skip
    made.add_argument("--threads", type=int, default=24, help="gthread threads (24)")
    made.add_argument("--access-log", action=argparse.BooleanOptionalAction, default=False,
                      help="gunicorn's access log (default off: nginx logs)")  # fmt: skip
    made.add_argument("--nginx-workers", type=int, default=1, help="nginx workers (1)")
    made.add_argument("--only", nargs="+", metavar="NAME",
                      help="only the endpoints whose name holds one of these")  # fmt: skip
    made.add_argument("--keep-answers", action=argparse.BooleanOptionalAction, default=True,
                      help="--workers-matrix: workers keep answers (default) or not")  # fmt: skip
    made.add_argument("--workers-matrix", action="store_true",
                      help="only compare worker settings (class, log, switch)")  # fmt: skip
    return made


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the figures."""
    args = parser().parse_args(argv)
    for tool in ("wrk",):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed (apt-get install {tool})", file=sys.stderr)
            return 1
    nginx.binary()
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.2f} before the run; "
          f"{args.connections} connections, {args.seconds:g} s per URL", flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        if args.workers_matrix:
            workers_matrix(args, Path(folder))
            return 0
        figures = {}
        for count in args.notices:
            print(f"{count} notices:", flush=True)
            figures[count] = run_size(args, Path(folder), count)
    if len(figures) > 1 and not args.only:
        compare_sizes(figures)
    print(f"load average {os.getloadavg()[0]:.2f} after the run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
