"""Page text → records: normalise, find the notices, parse each, check each.

One bad notice never costs the others: each is parsed on its own, and what the grammar
could not read ends up in that record's ``warnings``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from notices import compiled

# Before the parser's modules, whose patterns are then found in re's cache, compiled by an
# earlier process of the install (notices.compiled): ≈35 ms of a cold start.
compiled.seed()
compiled.watch()

from notices.budget import check  # noqa: E402
from notices.checks import check_road  # noqa: E402
from notices.ids import notice_id  # noqa: E402
from notices.model import LossDeclaration, Record, RoadClosure, Source, evolve  # noqa: E402
from notices.normalize import Text, normalize  # noqa: E402
from notices.regions import locate  # noqa: E402
from notices.road import NoticeText, parse_road  # noqa: E402
from notices.segment import Block, find_blocks, may_hold_notices  # noqa: E402

Parser = Callable[[Text, Block, Source], list[Record]]


def _road(text: Text, block: Block, source: Source) -> list[Record]:
    canon = text.canon[block.start : block.end]
    notice = NoticeText(
        canon,
        text.clean[block.start : block.end],
        block.title,
        source.published_on,
        source,
        block.start,
        text.canon,
    )
    record = parse_road(notice, notice_id("road_closure", canon))
    if block.title is None and _says_nothing(record):
        return []  # a paragraph of news that names no road, stretch or day: no notice
    return [check_road(record)]


def _says_nothing(record: RoadClosure) -> bool:
    staked = any(s.from_ or s.to for s in record.segments)
    return not record.routes and not staked and record.window is None


def _loss(text: Text, block: Block, source: Source) -> list[Record]:
    # imported on the first declaration: a page of closures never loads the loss grammar
    from notices.loss import parse_loss_block

    return parse_loss_block(text, block, source)


_PARSERS: dict[str, Parser] = {"road_closure": _road, "loss_declaration": _loss}


def parse_text(raw: str, source: Source | None = None, *, screen: bool = True) -> list[Record]:
    """Find and parse every notice in a page's text.

    ``screen`` skips, at the cost of one regular-expression scan, pages that hold none of
    the words a notice needs; benchmarks turn it off to time the full pass.
    """
    source = source or Source()
    if screen and not may_hold_notices(raw):
        return []
    compiled.watch()  # a first parse's patterns are the parser's, kept for the next process
    text = normalize(raw)
    if source.published_on is None:
        source = evolve(source, published_on=masthead_date(text))
    records: list[Record] = []
    for block in find_blocks(text):
        check()  # a CPU budget set around the parse (notices.budget)
        records.extend(_located(r) for r in _PARSERS[block.kind](text, block, source))
    compiled.watched()
    compiled.keep()  # once per process: the patterns this first parse compiled, for the next
    return _once(records)


def _once(records: list[Record]) -> list[Record]:
    """Each closure once: a page that prints a notice twice (a summary above the notice, a
    repost under it) gives one record, the first, which carries the heading."""
    kept: list[Record] = []
    seen: set[tuple[object, ...]] = set()
    for record in records:
        if isinstance(record, RoadClosure) and (record.routes or record.segments):
            what = (record.routes, record.segments, record.window)
            if what in seen:
                continue
            seen.add(what)
        kept.append(record)
    return kept


def _located(record: Record) -> Record:
    """The record with the region its own issuers and places name, else the source's."""
    holder = [record.holder] if isinstance(record, LossDeclaration) else []
    tiers = (record.issuers, [record.title or ""], holder, [record.text[:_REGION_TEXT]])
    found = locate(tiers, record.source.region_code)
    region, code = found or (record.source.region, record.source.region_code)
    return evolve(record, region=region, region_code=code)


_REGION_TEXT = 200  # the opening of the notice, where the closed road's county is named


_MASTHEAD_LINES = 4  # the edition's date, when printed, heads the page
_FULL_DATE = re.compile(r"(20\d\d)\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?")


def masthead_date(text: Text) -> date | None:
    """The edition's date as the page's masthead prints it (2025年6月24日 星期二 第4版)."""
    for para in text.paragraphs[:_MASTHEAD_LINES]:
        line = text.canon[para.start : para.end]
        match = _FULL_DATE.search(line)
        masthead = _MASTHEAD_MARK.search(line) and not _NOTICE_WORD.search(line)
        if match and masthead and len(line) <= _MASTHEAD_WIDTH:
            try:
                return date(*(int(g) for g in match.groups()))
            except ValueError:
                return None
    return None


_MASTHEAD_WIDTH = 60  # a masthead line is short; a date in a news paragraph is not the edition's
# A masthead names the paper, the page or the weekday, and speaks of no notice.
_MASTHEAD_MARK = re.compile(
    r"星期|周[一二三四五六日天]|第\s*[A-Z\d一二三四五六七八九十]{1,3}\s*版|[A-Z]\d{1,2}|报"
)
_NOTICE_WORD = re.compile(r"至|到|封闭|遗失|施工|通告|公告|声明|管制")


def parse_page(
    raw: str,
    *,
    url: str | None = None,
    published_on: date | None = None,
    publication: str | None = None,
    page: str | None = None,
    region: str | None = None,
    region_code: str | None = None,
) -> list[Record]:
    """Parse a page's text, naming where it came from."""
    return parse_text(raw, Source(url, publication, published_on, page, region, region_code))


compiled.watched()  # the patterns of the import (compiled.watch above) end with this module's
