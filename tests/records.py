"""Builders of test records: real ones parsed from the seed and corpus pages, made-up ones by field.

The made-up records start from a plain, valid notice and change only what a test is about,
so each test names the one field it cares about.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from conftest import CORPUS

from notices.model import (
    Detour,
    Identifier,
    LossDeclaration,
    Record,
    RoadClosure,
    Route,
    Segment,
    Source,
    Stake,
    Window,
)
from notices.parse import parse_page
from notices.render import FeedInfo, Item

BEIJING = timezone(timedelta(hours=8))
SEEN = datetime(2025, 7, 7, 9, 30, tzinfo=BEIJING)
SITE = "https://notices.example.org"
PERSON_ID = "21050419860722101X"  # a well-formed resident ID number (check character holds)


def seed_records(page: Path) -> list[Record]:
    """Parse seed page 000 (two closures, three declarations) as printed on a known page."""
    return parse_page(
        page.read_text(encoding="utf-8"),
        url="https://epaper.example.cn/2025-07-07/page/03.html",
        publication="本溪日报",
        published_on=date(2025, 7, 7),
        region="本溪市",
        region_code="210500",
    )


def corpus_closures() -> list[RoadClosure]:
    """Parse every road-corpus page, dated as its labels say."""
    found: list[RoadClosure] = []
    for page in sorted((CORPUS / "road").glob("*.txt")):
        found += [r for r in _parsed(page) if isinstance(r, RoadClosure)]
    return found


def _parsed(page: Path) -> list[Record]:
    labels = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    published = labels.get("published_on")
    return parse_page(
        page.read_text(encoding="utf-8"),
        url=f"https://epaper.example.cn/{page.stem}.html",
        published_on=date.fromisoformat(published) if published else None,
    )


def closure(**changes: Any) -> RoadClosure:
    """Return a plain full closure of 丹霍线 in July 2025, with ``changes`` applied."""
    record = RoadClosure(
        id="rc_test000000000000001",
        title="封路通告",
        text="封路通告\n因丹霍线公路维修改造施工需要，对丹霍线K189+400至K191+942进行全幅封闭施工。",
        issued_on=date(2025, 7, 7),
        issuers=("本溪市公安局交通管理支队",),
        source=Source(
            url="https://epaper.example.cn/p3.html", region="本溪市", region_code="210500"
        ),
        reason="公路维修改造施工",
        routes=(Route(None, "丹霍线"),),
        segments=(Segment("丹霍线", Stake("K189+400", 189400), Stake("K191+942", 191942)),),
        closure="full",
        window=Window(date(2025, 7, 8), date(2025, 7, 22)),
        detour=Detour("车辆绕行众诚检车线—千金岭—石湖", via=("众诚检车线", "千金岭", "石湖")),
    )
    return dataclasses.replace(record, **changes)


def window(**changes: Any) -> Window:
    """Return the plain closure's window (8–22 July 2025), with ``changes`` applied."""
    return dataclasses.replace(Window(date(2025, 7, 8), date(2025, 7, 22)), **changes)


def declaration(**changes: Any) -> LossDeclaration:
    """Return a person's loss of an ID card, the number printed in the text."""
    record = LossDeclaration(
        id="ld_test000000000000001",
        title="遗失声明",
        text=f"孙丽娟遗失居民身份证，身份证号：{PERSON_ID}，声明作废。",
        issued_on=None,
        issuers=(),
        source=Source(url="https://epaper.example.cn/p7.html"),
        holder="孙丽娟",
        holder_type="person",
        documents=("居民身份证",),
        identifiers=(Identifier("身份证号", PERSON_ID, True),),
        declared_void=True,
    )
    return dataclasses.replace(record, **changes)


def item(record: Record, **changes: Any) -> Item:
    """Return a record as stored: first seen at :data:`SEEN`, with its own page."""
    stored = Item(
        record=record,
        source_url=record.source.url,
        first_seen=SEEN,
        last_seen=SEEN + timedelta(days=1),
        link=f"{SITE}/notices/{record.id}",
    )
    return dataclasses.replace(stored, **changes)


def feed_info(name: str = "road-closures", extension: str = "rss") -> FeedInfo:
    """Return a feed's description, updated at :data:`SEEN`."""
    return FeedInfo(
        title="道路封闭通告",
        link=f"{SITE}/",
        self_url=f"{SITE}/feeds/{name}.{extension}",
        id=f"urn:notices:feed:{name}",
        description="报纸刊登的道路封闭与交通管制通告",
        updated=SEEN,
    )
