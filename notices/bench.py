"""Benchmarks: notices/s, pages/s and the cold start of ``notices parse``.

Every figure is printed beside the same run's floor: a bare regular-expression scan of
the same text for stakes, dates and notice words, which is what any parser must at least
read; the cold start beside a bare ``python -c pass``. The benchmark holds itself (and the
processes it starts) to one core, and keeps the best of several runs, so that other work on
the machine costs it least. Figures are measured, never asserted. Run ``python -m notices.bench``.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from notices.grammars import IslandLexer
from notices.parse import parse_page, parse_text

ROOT = Path(__file__).resolve().parent.parent
_FLOOR = re.compile(r"[Kk]\d+\+\d+|\d{4}年\d{1,2}月\d{1,2}日|封闭|绕行|遗失|作废|通告|声明")


def _best(run: Callable[[], object], repeat: int = 5) -> float:
    """The best of ``repeat`` timings of ``run``, in seconds, each with a cold line cache."""
    times = []
    for _ in range(repeat):
        IslandLexer.line_tokens.cache_clear()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def _floor(texts: list[str]) -> None:
    for text in texts:
        _FLOOR.findall(text)


def _pages(folder: Path, pattern: str) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(folder.glob(pattern))]


def _row(name: str, count: int, unit: str, seconds: float, floor: float) -> None:
    rate = count / seconds if seconds else float("inf")
    ratio = seconds / floor if floor else float("inf")
    timing = f"{seconds * 1000:9.2f} ms   x{ratio:7.1f} of regex floor"
    print(f"{name:38s} {rate:10.0f} {unit:10s} {timing}")


def notices_per_second(corpus: Path) -> None:
    """Parse every labelled page with notices; count records per second."""
    pages = [
        p for p in _pages(corpus / "road", "[0-9]*.txt") + _pages(corpus / "loss", "[0-9]*.txt")
    ]
    count = sum(len(parse_page(p)) for p in pages)
    seconds = _best(lambda: [parse_page(p) for p in pages])
    _row(
        f"notices ({len(pages)} pages, {count} notices)",
        count,
        "notices/s",
        seconds,
        _best(lambda: _floor(pages)),
    )


def pages_per_second(pages: list[str], label: str) -> None:
    """Parse pages without notices; count pages per second."""
    seconds = _best(lambda: [parse_page(p) for p in pages])
    _row(label, len(pages), "pages/s", seconds, _best(lambda: _floor(pages)))


def twenty_kb_page(page: str) -> None:
    """One 20 KB page without notices, screened (as served) and in a full pass."""
    text = page.encode()[:20_000].decode(errors="ignore")
    floor = _best(lambda: _floor([text]), repeat=20)
    for label, screen in (("screened", True), ("full pass", False)):
        seconds = _best(lambda: parse_text(text, screen=screen), repeat=20)  # noqa: B023
        size = f"{len(text.encode()) / 1024:7.1f} KB"
        timing = f"{seconds * 1000:9.2f} ms   x{seconds / floor:7.1f} of regex floor"
        print(f"{'20 KB page without notices, ' + label:38s} {size} {'':9s} {timing}")


def cold_start(page: Path, repeat: int = 15) -> None:
    """Time ``notices parse PAGE`` as a fresh process, against a bare ``python -c pass``."""
    command = [sys.executable, "-c", "from notices.cli import main; main()", "parse", str(page)]
    bare = [sys.executable, "-c", "pass"]
    _spawn(command)  # as installed: bytecode compiled and the grammars' tables cached
    runs = [_spawn(command) for _ in range(repeat)]
    floor = [_spawn(bare) for _ in range(repeat)]
    for label, times in (("best", min), ("median", statistics.median)):
        ms, bare_ms = times(runs) * 1000, times(floor) * 1000
        name = f"cold start: notices parse ({label})"
        print(f"{name:38s} {'':21s} {ms:9.2f} ms   x{ms / bare_ms:7.1f} of python -c pass")
    print(f"{'python -c pass (best)':38s} {'':21s} {min(floor) * 1000:9.2f} ms")


def _spawn(command: list[str]) -> float:
    # bytecode written as an installed package has it, whatever the caller's environment says
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def _one_core() -> str:
    """Hold this process (and those it starts) to one core; say which."""
    if not hasattr(os, "sched_setaffinity"):
        return "all cores (this system cannot pin a process)"
    core = max(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {core})
    return f"core {core} of {os.cpu_count()}"


def main() -> int:
    """Print every benchmark."""
    corpus = ROOT / "tests" / "corpus"
    seeds = ROOT.parent / "shared" / "seeds"
    plain = _pages(seeds, "00[1-4]_*.txt") or _pages(corpus / "road", "neg_*.txt")
    plain.sort(key=lambda p: -len(p.encode()))
    print(f"on {_one_core()}, best of several runs")
    print(f"{'benchmark':38s} {'rate':>10s} {'':10s} {'time':>9s}")
    notices_per_second(corpus)
    pages_per_second(plain, f"pages without notices ({len(plain)})")
    twenty_kb_page(plain[0])
    cold_start(next(iter(sorted((corpus / "road").glob("001_*.txt")))))
    print(f"code measured: {', '.join(_trees())}")
    return 0


def _trees() -> list[str]:
    """The trees the parser's modules were imported from: one, or the figures mix trees.

    ``notices`` is a namespace package: run from a checkout with another tree on
    ``PYTHONPATH``, the checkout's modules come first, whatever the path says.
    """
    modules = [m for n, m in sys.modules.items() if n.count(".") == 1 and n[:8] == "notices."]
    files = [f for f in (getattr(m, "__file__", None) for m in modules) if f]
    return sorted({str(Path(f).resolve().parent.parent) for f in files})


if __name__ == "__main__":
    sys.exit(main())
