"""Realistic stored notices for the benchmarks: generated, varied, never copies.

Road closures on a few hundred roads (national, provincial, county codes with names),
each with its own stretch of stakes, window (some with daily hours, some open-ended),
region (GB/T 2260 divisions), publication and issuer; loss declarations with their own
holders, documents and identifiers (resident ID numbers with a valid check character among
them, so masking is exercised). A seeded random generator: the same count gives the same data.

    python -m benchmarks.data --help
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from notices import revisions
from notices.model import (
    Daily,
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
from notices.serialize import to_dict
from notices.store import (
    DEFAULT_KEY,
    Sighting,
    Store,
    _add_sightings,
    _count_notices,
    _index_notices,
    _publish,
)
from notices.tables import PrintingRow

DIVISIONS = Path(__file__).resolve().parent.parent / "notices" / "data" / "divisions.tsv"
DAYS = 730  # two years of editions, up to two months from today: closures in force now too
FIRST_DAY = date.today() - timedelta(days=DAYS - 60)
ROADS = 400
CLOSURE_SHARE = 0.6
_SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
)
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌德平丹霍新宇浩然"
_DOCUMENTS = ("身份证", "营业执照", "残疾人证", "道路运输证", "公章", "开户许可证", "税务登记证",
              "驾驶证", "行驶证", "出生医学证明", "不动产权证书")  # fmt: skip
_CITIES = ("本溪", "丹东", "沈阳", "大连", "鞍山", "抚顺", "锦州", "营口", "阜新", "辽阳", "铁岭",
           "朝阳", "盘锦", "葫芦岛")  # fmt: skip
_PAPERS = [f"{city}日报" for city in _CITIES]
_PAPERS += ["辽宁日报", "辽沈晚报", "半岛晨报", "华商晨报"]
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2, 1)


def divisions() -> list[tuple[str, str]]:
    """The prefecture and county divisions of the bundled table."""
    rows = (line.split("\t") for line in DIVISIONS.read_text(encoding="utf-8").splitlines())
    found = [(code, name) for code, name, *_ in (r for r in rows if len(r) >= 2)]
    return [(c, n) for c, n in found if c.isdigit() and not c.endswith("0000")]


def roads(rng: random.Random) -> list[Route]:
    """A few hundred roads: G, S, X, Y codes, most with a name."""
    found = []
    for n in range(ROADS):
        prefix = "GSXY"[n % 4]
        code = f"{prefix}{rng.randint(1, 999 if prefix in 'GS' else 199)}"
        name = f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}线" if n % 3 else None
        found.append(Route(code, name))
    return found


def closure(rng: random.Random, n: int, route: Route, place: tuple[str, str]) -> RoadClosure:
    """One road closure: its stretch, window and region its own."""
    first = rng.randint(0, 3000) * 100
    last = first + rng.randint(1, 60) * 100
    start = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    open_ended = rng.random() < 0.05
    end = None if open_ended else start + timedelta(days=rng.randint(1, 90))
    daily = Daily("08:00", "18:00") if rng.random() < 0.3 else None
    if daily is None and rng.random() < 0.1:
        daily = Daily("22:00", "06:00")  # nights, into the next morning
    window = Window(start=start, end=end, daily=daily, until_complete=open_ended)
    issuer = f"{place[1]}公路管理处" if n % 2 else f"{place[1]}公安局交通警察支队"
    segment = Segment(route.code, Stake(_stake(first), first), Stake(_stake(last), last))
    text = (f"因{route.name or route.code}大修，{start:%Y年%m月%d日}起对"
            f"{route.code}{segment.from_.text}至{segment.to.text}段实施封闭施工。")  # type: ignore[union-attr]  # fmt: skip
    return RoadClosure(
        id=f"rc_{rng.getrandbits(80):020x}",
        title=f"关于{route.code}{route.name or ''}封闭施工的通告",
        text=text,
        issued_on=start - timedelta(days=rng.randint(1, 7)),
        issuers=(issuer,),
        source=_source(rng, n, start, place),
        reason="大修",
        routes=(route,),
        segments=(segment,),
        closure=rng.choice(("full", "half", "partial", "control")),
        window=window,
        windows=(window,),
        region=place[1],
        region_code=place[0],
    )


def declaration(rng: random.Random, n: int, place: tuple[str, str]) -> LossDeclaration:
    """One loss declaration: a holder, a document or two, their identifiers."""
    person = rng.random() < 0.6
    holder = (f"{rng.choice(_SURNAMES)}{rng.choice(_GIVEN)}{rng.choice(_GIVEN)}" if person
              else f"{place[1]}{rng.choice(_GIVEN)}{rng.choice(_GIVEN)}商贸有限公司")  # fmt: skip
    documents = tuple(rng.sample(_DOCUMENTS, rng.randint(1, 2)))
    value = resident_id(rng, place[0]) if person else f"91{place[0]}MA{rng.getrandbits(36):09X}"
    identifier = Identifier("resident_id" if person else "uscc", value, True)
    day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    text = f"{holder}遗失{'、'.join(documents)}，证号{value}，声明作废。"
    return LossDeclaration(
        id=f"ld_{rng.getrandbits(80):020x}",
        title="遗失声明",
        text=text,
        issued_on=None,
        issuers=(),
        source=_source(rng, n, day, place),
        holder=holder,
        holder_type="person" if person else "organization",
        documents=documents,
        identifiers=(identifier,),
        declared_void=rng.random() < 0.9,
        region=place[1],
        region_code=place[0],
    )


def resident_id(rng: random.Random, region: str) -> str:
    """A resident ID number with a valid check character (GB 11643)."""
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(20000))
    body = f"{region[:6]}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def _stake(metres: int) -> str:
    return f"K{metres // 1000}+{metres % 1000:03d}"


def _source(rng: random.Random, n: int, day: date, place: tuple[str, str]) -> Source:
    paper = rng.choices(_PAPERS, weights=range(len(_PAPERS), 0, -1))[0]
    url = f"https://epaper.example/{day:%Y%m%d}/{n}.html"
    return Source(url, paper, day, f"A{rng.randint(1, 16)}", place[1], place[0])


def records(count: int, seed: int = 11) -> Iterator[Record]:
    """``count`` notices, closures and declarations mixed, each its own."""
    rng = random.Random(seed)
    places, routes = divisions(), roads(rng)
    for n in range(count):
        place = rng.choice(places)
        if rng.random() < CLOSURE_SHARE:
            yield closure(rng, n, rng.choice(routes), place)
        else:
            yield declaration(rng, n, place)


def fill(url: str, count: int, *, batch: int = 500, key: bytes | None = None) -> float:
    """Store ``count`` generated notices at ``url``; return the seconds it took."""
    began = time.perf_counter()
    store = Store.open(url) if key is None else Store.open(url, identifier_key=key)
    chunk: list[Record] = []
    try:
        for n, record in enumerate(records(count)):
            chunk.append(record)
            if len(chunk) == batch or n == count - 1:
                _save(store, chunk, n, key)
                chunk = []
    finally:
        store.close()
    return time.perf_counter() - began


def _save(store: Store, chunk: list[Record], n: int, key: bytes | None) -> None:
    """Store generated notices as save_notices does, each its own closure.

    Generated notices are distinct by construction, so the identity rule (which
    benchmarks/ingest.py measures) is not asked: it is most of the time of a save.
    """
    seen = datetime.combine(FIRST_DAY, datetime.min.time(), UTC) + timedelta(minutes=n)
    sighting = Sighting("bench", f"https://epaper.example/batch/{n}.html", None, "A1", seen)
    with store._write() as session:  # the store's own steps, but revisions.place's matching
        for record in chunk:
            edition = record.source.published_on
            session.add(PrintingRow(id=record.id, notice_id=record.id, record=to_dict(record),
                                    edition=edition, first_seen=seen, pinned=False))  # fmt: skip
            revisions._start(session, record, edition, seen)
        _index_notices(session, chunk, key or DEFAULT_KEY)
        _add_sightings(session, [(r.id, r.id) for r in chunk], sighting)
        _count_notices(session, {record.kind for record in chunk})
        _publish(session, [record.id for record in chunk])


def main() -> int:
    """Store generated notices into a database (to look at, or to serve by hand)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="database URL, e.g. sqlite:///bench.sqlite3")
    parser.add_argument("--notices", type=int, default=10_000, help="how many (default 10000)")
    args = parser.parse_args()
    seconds = fill(args.url, args.notices)
    print(f"stored {args.notices} notices in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
