"""Storage benchmark: the database's size per 100,000 notices, on SQLite and PostgreSQL.

Stores ``--notices`` generated notices (benchmarks/data.py, as the serving benchmark does),
each with its sighting, route keys, identifier digests and public JSON, and prints how
much the database grew, per notice and per 100,000. Pages' raw text is kept beside them by
ingestion and is not counted here: it grows with the pages read, not the notices found.
PostgreSQL is the test suite's own throwaway server (tests/db.py). Printed, never asserted.

    python -m benchmarks.storage [--notices 20000]
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from db import PostgresMissing, postgres_server  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from benchmarks import data  # noqa: E402
from notices.store import Store  # noqa: E402


def _sqlite_bytes(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    return int(pages * size)


def _postgres_bytes(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(text("CHECKPOINT"))
            size = conn.execute(text("SELECT pg_database_size(current_database())"))
            return int(size.scalar_one())
    finally:
        engine.dispose()


def _measure(name: str, url: str, size: object, count: int) -> None:
    Store.open(url).close()
    empty = size()  # type: ignore[operator]
    began = time.perf_counter()
    data.fill(url, count)
    took = time.perf_counter() - began
    grown = size() - empty  # type: ignore[operator]
    print(f"{name:11s} {count:8d} notices in {took:6.1f} s ({count / took:5.0f}/s)   "
          f"{grown / count:7.0f} bytes a notice   {grown * 100_000 / count / 2**20:7.1f} MiB "
          "per 100,000")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notices", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "size.sqlite3"
        _measure("SQLite", f"sqlite:///{path}", lambda: _sqlite_bytes(path), args.notices)
    try:
        with postgres_server() as server, server.database() as url:
            _measure("PostgreSQL", url, lambda: _postgres_bytes(url), args.notices)
    except PostgresMissing as missing:
        print(f"PostgreSQL: left out ({missing})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
