"""Page text → records: normalise, find the notices, parse each, check each.

One bad notice never costs the others: each is parsed on its own, and what the grammar
could not read ends up in that record's ``warnings``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from notices.checks import check_road
from notices.ids import notice_id
from notices.loss import parse_loss_block
from notices.model import Record, Source
from notices.normalize import Text, normalize
from notices.road import NoticeText, parse_road
from notices.segment import Block, find_blocks, may_hold_notices

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
    )
    record = parse_road(notice, notice_id("road_closure", canon))
    return [check_road(record)]


_PARSERS: dict[str, Parser] = {"road_closure": _road, "loss_declaration": parse_loss_block}


def parse_text(raw: str, source: Source | None = None, *, screen: bool = True) -> list[Record]:
    """Find and parse every notice in a page's text.

    ``screen`` skips, at the cost of one regular-expression scan, pages that hold none of
    the words a notice needs; benchmarks turn it off to time the full pass.
    """
    source = source or Source()
    if screen and not may_hold_notices(raw):
        return []
    text = normalize(raw)
    records: list[Record] = []
    for block in find_blocks(text):
        records.extend(_PARSERS[block.kind](text, block, source))
    return records


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
