"""Dashboard benchmark: time and weight of the first view with 10,000 notices stored.

Times the app itself (Flask's test client: no network), the first request after the store
is opened and then the median and p95 of repeated ones, for the recent-closures view (``/``)
and the fullest week (``/?at=2025-07-10``, every closure in force), beside the same run's
baseline: the JSON API's list of 50. Figures are printed, never asserted.

    python benchmarks/dashboard.py [--notices 10000] [--repeat 50]
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import hashlib
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask.testing import FlaskClient

from notices.parse import parse_page
from notices.store import Sighting, Store
from service.app import create_app
from service.db import get_store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "000_503c39abf6fb6e41.txt"
URLS = ("/", "/?at=2025-07-10", "/api/v1/notices?limit=50")


def _fill(store: Store, count: int) -> None:
    """Store ``count`` distinct notices, varied from the seed page's real records."""
    base = parse_page(SEED.read_text(encoding="utf-8"), published_on=date(2025, 7, 8))
    for first in range(0, count, 500):
        batch = [
            dataclasses.replace(
                record := base[n % len(base)],
                id=record.id[:3] + hashlib.sha256(f"{record.id}{n}".encode()).hexdigest()[:20],
            )
            for n in range(first, min(first + 500, count))
        ]
        seen = datetime(2025, 7, 8, tzinfo=UTC) + timedelta(minutes=first)
        url = f"https://paper.example/{first}.htm"
        store.save_notices(batch, Sighting("bench", url, date(2025, 7, 8), "A1", seen))


def _time(client: FlaskClient, url: str) -> tuple[float, bytes]:
    began = time.perf_counter()
    body = client.get(url).get_data()
    return (time.perf_counter() - began) * 1000, body


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notices", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{folder}/dash.sqlite3"})
        with app.app_context():
            _fill(get_store(), args.notices)
        client = app.test_client()
        print(f"{args.notices} notices stored; times are the app's own (no network)")
        for url in URLS:
            first, body = _time(client, url)
            times = sorted(_time(client, url)[0] for _ in range(args.repeat))
            p95 = times[int(len(times) * 0.95) - 1]
            print(
                f"{url:28} first {first:6.1f} ms  median {statistics.median(times):6.1f} ms"
                f"  p95 {p95:6.1f} ms  {len(body) / 1000:6.1f} KB"
                f" ({len(gzip.compress(body)) / 1000:.1f} KB gzipped)"
            )
        with app.app_context():
            get_store().close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
