"""The probes of RELIABILITY.md, measured: run `python benchmarks/probes.py` from the checkout.

Each probe prints what it tried and what came back; figures are printed, never asserted
(the tests assert the behaviour: tests/test_privacy.py, test_hostile_clients.py,
test_hostile_pages.py, test_lease.py, test_slow_clients.py).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
import zlib
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_hostile_pages import pdf_around

from notices.errors import OverBudget
from notices.identifiers import resident_id_check_char
from notices.ingest import ingest_text
from notices.privacy import mask_resident_id
from notices.sandbox import pdf_text_limited
from service.app import create_app
from service.db import get_store

PERSON = "11010519491231002" + resident_id_check_char("11010519491231002")


def enumeration() -> None:
    """How many numbers fit one masked number, and how long the lookup limit makes them last."""
    masked = mask_resident_id(PERSON)
    head, tail, fits = masked[:6], masked[-2:], 0
    day = date(1900, 1, 1)
    while day < date(2030, 1, 1):
        prefix = f"{head}{day:%Y%m%d}"
        fits += sum(
            resident_id_check_char(f"{prefix}{s:02d}{tail[0]}") == tail[1] for s in range(100)
        )
        day += timedelta(days=1)
    print(f"mask {masked}: {fits:,} numbers fit (born 1900-2029); at 30 lookups/hour per client")
    days = fits / 30 / 24
    print(f"  that is {days:,.0f} days for one client to try them all, {days / 2:,.0f} on average")


def clients() -> None:
    """The hostile requests of the issue, against the app on SQLite."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{folder}/p.sqlite3",
                          "PARSE_RATE": "1000/minute"})  # fmt: skip
        with app.app_context():
            page = f"遗失声明\n李明遗失身份证，证号{PERSON}，声明作废。\n"
            ingest_text(page, get_store(), url="https://p.example/1", source="s")
        client = app.test_client()
        probes = {
            "POST /parse [ x 100,000 (JSON)": lambda: client.post(
                "/api/v1/parse", data="[" * 100_000, content_type="application/json"),
            "POST /parse [ x 100,000 (text)": lambda: client.post(
                "/api/v1/parse", data="[" * 100_000, content_type="text/plain"),
            "GET /notices?q=<50,000 chars>": lambda: client.get(
                "/api/v1/notices", query_string={"q": "x" * 50_000}),
            "GET /notices?region=%00": lambda: client.get("/api/v1/notices?region=%00"),
            "GET /notices/%00": lambda: client.get("/api/v1/notices/%00"),
            "GET /cap/%00.xml": lambda: client.get("/cap/%00.xml"),
            "GET /notices?q=<full ID>": lambda: client.get(f"/api/v1/notices?q={PERSON}"),
            "POST /parse 500 KB of declarations": lambda: client.post(
                "/api/v1/parse", data=(page * 10_000)[: 170 * 1024], content_type="text/plain"),
            "POST /parse 507 KB of headings": lambda: client.post(
                "/api/v1/parse", data="遗失声明 " * 39_000, content_type="text/plain"),
        }  # fmt: skip
        for name, probe in probes.items():
            began = time.process_time()
            response = probe()
            spent = time.process_time() - began
            extra = ""
            if "q=<full" in name:
                extra = f", {len(response.get_json()['items'])} items"
            print(f"{name}: {response.status_code}{extra}, {spent:.2f} s CPU")
        with app.app_context():
            get_store().close()


def pdf_bomb() -> None:
    """A PDF of a few hundred KB that inflates to 1 GB, read under the default limits."""
    deflate = zlib.compressobj(1)
    parts = [deflate.compress(b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET\n")]
    parts += [deflate.compress(b" " * 1024 * 1024) for _ in range(1024)]
    data = pdf_around(b"".join(parts) + deflate.flush())
    began, before = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        pdf_text_limited(data, memory_mb=512, cpu_seconds=30)
        outcome = "read"
    except OverBudget as exc:
        outcome = f"refused ({exc})"
    took = time.monotonic() - began
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(f"PDF bomb {len(data) / 1024:.0f} KB -> 1 GB: {outcome} in {took:.1f} s; "
          f"child peak {child:.0f} MB, this process grew {grown:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    enumeration()
    clients()
    pdf_bomb()
