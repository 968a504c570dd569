"""Ingestion benchmark: a 1,000-article local e-paper archive, then a re-run where nothing changed.

Serves 20 GBK Founder-style editions of 50 articles each (most ordinary news, some with
notices) from a local HTTP server on 127.0.0.1, ingests them into a fresh SQLite store,
and prints pages/s for the first run and the time of the second, which should fetch
nothing but conditional requests. Figures are printed, never asserted.

    python benchmarks/ingest.py [--port 8001]   # the archive's port; a free one by default
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from epaper import Edition  # noqa: E402
from httpserver import Server  # noqa: E402

from notices.fetch import Http  # noqa: E402
from notices.ingest import ingest_once  # noqa: E402
from notices.sources import Schedule, Source  # noqa: E402
from notices.store import Store  # noqa: E402

EDITIONS, PER_EDITION, PER_PAGE = int(__import__("os").environ.get("BENCH_EDITIONS", 20)), 50, 10


def _texts() -> list[str]:
    """Article texts: paragraphs of ordinary news, and notice pages from the corpus."""
    news = [
        p
        for f in sorted((ROOT.parent / "shared" / "seeds").glob("00[1-4]_*.txt"))
        for p in f.read_text(encoding="utf-8").split("\n\n")
        if len(p) > 80
    ]
    notices = [
        f.read_text(encoding="utf-8")
        for f in sorted((ROOT / "tests" / "corpus" / "road").glob("0*.txt"))
    ]
    news = news or ["今日新闻。记者获悉，全市经济平稳运行。" * 20]
    out = []
    for n in range(EDITIONS * PER_EDITION):
        out.append(notices[n % len(notices)] if n % 10 == 0 else news[n % len(news)])
    return out


def _safe(text: str) -> str:
    return text.encode("gbk", errors="replace").decode("gbk")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0, help="port of the archive (0: a free one)")
    args = parser.parse_args()
    texts = _texts()
    start_day = date(2025, 7, 1)
    days = [start_day + timedelta(days=d) for d in range(EDITIONS)]
    with Server(port=args.port) as server, tempfile.TemporaryDirectory() as folder:
        n = 0
        for day in days:
            pages = []
            for p in range(PER_EDITION // PER_PAGE):
                articles = [(f"文章{n + i}", _safe(texts[n + i])) for i in range(PER_PAGE)]
                n += PER_PAGE
                pages.append((f"第{p + 1}版", articles))
            for path, body in Edition(day, pages).files().items():
                server.add(
                    path,
                    body=body,
                    headers={"Content-Type": "text/html"},
                    etag=f'"{hash(body) & 0xFFFFFFFF:x}"',
                )
        source = Source(
            name="bench",
            kind="epaper",
            schedule=Schedule.parse("every 1h"),
            index=server.url("/html/{date:%Y-%m/%d}/node_2.htm"),
        )
        store = Store.open(f"sqlite:///{folder}/bench.sqlite3")
        with Http(delay=0.0, per_host=4, respect_robots=False) as http:
            began = time.perf_counter()
            first = ingest_once(source, store, http, editions=days)
            first_s = time.perf_counter() - began
            began = time.perf_counter()
            second = ingest_once(source, store, http, editions=days)
            second_s = time.perf_counter() - began
        store.close()
    articles = first.pages_fetched + first.pages_failed
    rate = articles / first_s
    print(
        f"{'first run':24s} {articles:5d} articles {first_s:8.2f} s  {rate:8.1f} pages/s"
        f"  ({first.notices_new} notices, {first.pages_failed} failed)"
    )
    print(
        f"{'re-run, nothing changed':24s} {second.pages_fetched:5d} read     {second_s:8.2f} s"
        f"  = {100 * second_s / first_s:5.1f}% of the first  ({second.pages_skipped} unchanged)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
