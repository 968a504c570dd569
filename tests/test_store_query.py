"""Store.query and Store.find_identifier over real records, on SQLite and PostgreSQL.

The records are the parser's: seed page 000 (two closures, three declarations), the
loss corpus' first page and every road-corpus page, each batch seen on its own morning.
Filters are checked against a plain Python reading of the same records, and by name
where a filter's meaning is the point.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import CORPUS
from records import corpus_closures
from sqlalchemy import select

from notices.model import LossDeclaration, Record, RoadClosure, Route, Segment
from notices.parse import parse_page
from notices.store import SHANGHAI, NoticeQuery, Sighting, Store
from notices.tables import IdentifierDigestRow

KEY = b"test identifier key"
SEED_DAY, LOSS_DAY, CORPUS_DAY = 7, 8, 9
G1212 = "rc_da14138362cb049173be"  # G1212 沈吉高速公路, 15–25 April 2025
G1212_DETOUR = "rc_621535d06865fd97d778"  # closes 黑大线, sends traffic round by G1212
OPEN_ENDED = "rc_2ed17d97752ffac1e5df"  # X642 哈宝线 from 3 July 2025 至完工
PERSON = "21050419860722101X"  # 孙丽娟's resident ID number
COMPANY = "92210502MA0Y4KD7NN"  # 本溪市平山区鑫源五金商店's unified social credit code


def morning(day: int) -> datetime:
    return datetime(2025, 7, day, 6, 30, tzinfo=SHANGHAI)


def _page(path: Path, day: int, **source: str) -> list[Record]:
    return parse_page(path.read_text(encoding="utf-8"), url=f"https://example.cn/{path.stem}.html",
                      published_on=date(2025, 7, day), **source)  # fmt: skip


def seed_batch(page: Path) -> list[Record]:
    """Seed page 000, printed in 本溪日报 for the city."""
    return _page(page, SEED_DAY, publication="本溪日报",
                 region="辽宁省本溪市", region_code="210500")  # fmt: skip


def loss_batch() -> list[Record]:
    """The loss corpus' first page, printed in 本溪日报 for one district."""
    return _page(CORPUS / "loss" / "001_benxi_classified_basic.txt", LOSS_DAY,
                 publication="本溪日报", region="辽宁省本溪市平山区", region_code="210502")  # fmt: skip


def road_batch() -> list[Record]:
    """Every road-corpus closure (no publication or region), and one naming G1212沈吉高速 as one.

    Page 031 reprints the seed's 丹霍线 closure in another layout, which would make it one
    closure with the seed's (notices.identity): here, where each record is its own, it is
    moved to September, a later closure of the same stretch. The G1212 variant, likewise,
    is a later closure of the same ramp (May), not the April one again.
    """
    closures: list[Record] = [_later(r) if "031_danhuo" in (r.source.url or "") else r
                              for r in corpus_closures()]  # fmt: skip
    g1212 = next(r for r in closures if r.id == G1212)
    assert isinstance(g1212, RoadClosure) and g1212.window is not None
    may = dataclasses.replace(g1212.window, start=date(2025, 5, 15), end=date(2025, 5, 25))
    joined = dataclasses.replace(g1212, id="rc_g1212_joined_name", routes=(Route(None, "G1212沈吉高速"),),
                                 segments=(Segment("G1212沈吉高速"),), window=may)  # fmt: skip
    return [*closures, joined]


def _later(record: RoadClosure) -> RoadClosure:
    assert record.window is not None
    september = dataclasses.replace(record.window, start=date(2025, 9, 8), end=date(2025, 9, 22))
    return dataclasses.replace(record, window=september)


Batches = dict[int, list[Record]]


@pytest.fixture(scope="module")
def batches(seed_pages: list[Path]) -> Batches:
    """Each morning's records, parsed once for the module."""
    return {SEED_DAY: seed_batch(seed_pages[0]), LOSS_DAY: loss_batch(), CORPUS_DAY: road_batch()}


@pytest.fixture
def stored(store: Store, batches: Batches) -> Batches:
    for day, records in batches.items():
        store.save_notices(records, Sighting("test", None, date(2025, 7, day), None, morning(day)),
                           identifier_key=KEY)  # fmt: skip
    return batches


def newest_first(batches: Batches, keep: Callable[[Record], bool]) -> list[str]:
    """The ids of the records ``keep`` keeps, in the store's order: last seen, then id, descending."""
    chosen = [(day, r.id) for day, records in batches.items() for r in records if keep(r)]
    return [notice_id for _, notice_id in sorted(chosen, reverse=True)]


def ids(found: list[dict[str, object]]) -> list[str]:
    return [str(n["id"]) for n in found]


def every(store: Store, query: NoticeQuery) -> list[str]:
    return ids(store.query(dataclasses.replace(query, limit=500)))


def window_covers(record: Record, day: date) -> bool:
    if not isinstance(record, RoadClosure) or record.window is None:
        return False
    end = record.window.end
    return record.window.start <= day and (end is None or end >= day)


def test_no_filter_lists_everything_newest_first(store: Store, stored: Batches) -> None:
    everything = newest_first(stored, lambda r: True)
    assert len(everything) == 5 + 5 + 78
    assert every(store, NoticeQuery()) == everything
    assert ids(store.query(NoticeQuery())) == everything[:50]  # the default page
    assert ids(store.notices(limit=100)) == everything


def test_kind(store: Store, stored: Batches) -> None:
    for kind in ("road_closure", "loss_declaration"):
        expected = newest_first(stored, lambda r, kind=kind: r.kind == kind)  # type: ignore[misc]
        assert every(store, NoticeQuery(kind=kind)) == expected
    assert every(store, NoticeQuery(kind="weather")) == []


@pytest.mark.parametrize("road", ["G1212", "g1212", " G1212 ", "沈吉高速", "沈吉高速公路",
                                  "G1212沈吉高速", "g1212 沈吉高速公路"])  # fmt: skip
def test_route_by_code_or_name_finds_the_notice_naming_that_road(
    store: Store, stored: Batches, road: str
) -> None:
    found = every(store, NoticeQuery(route=road))
    assert found == ["rc_g1212_joined_name", G1212]  # not the one detouring by G1212
    assert G1212_DETOUR not in found


def published_ids(store: Store, query: NoticeQuery, size: int) -> list[str]:
    """Every id a list of public texts gives, a page of ``size`` at a time, by cursor."""
    found: list[str] = []
    while True:
        page = store.published_page(dataclasses.replace(query, limit=size, after=found[-1] if found else None))
        found += [notice_id for notice_id, _ in page]
        if len(page) < size:
            return found


def test_a_road_s_page_of_texts_follows_its_notices_order_and_new_sightings(
    store: Store, stored: Batches
) -> None:
    """The public list by road reads notice_routes' copy of last_seen: it must stay the notices'."""
    roads = ("S203", "丹霍线", "G1212", "G1212沈吉高速", "S20")
    for road in roads:
        expected = every(store, NoticeQuery(route=road))
        assert published_ids(store, NoticeQuery(route=road), 500) == expected, road
        assert published_ids(store, NoticeQuery(route=road), 1) == expected, road
    oldest = next(r for r in reversed(stored[SEED_DAY] + stored[CORPUS_DAY])
                  if isinstance(r, RoadClosure) and any(x.code == "S203" for x in r.routes))  # fmt: skip
    later = Sighting("again", "https://epaper.example/again.html", date(2025, 8, 30), None,
                     datetime(2025, 8, 30, 8, tzinfo=SHANGHAI))  # fmt: skip
    store.save_notices([oldest], later, identifier_key=KEY)
    first = every(store, NoticeQuery(route="S203"))[0]
    assert published_ids(store, NoticeQuery(route="S203"), 2) == every(store, NoticeQuery(route="S203"))
    assert published_ids(store, NoticeQuery(route="S203"), 2)[0] == first
    assert store.notice(first)["last_seen"].startswith("2025-08-30")  # type: ignore[index]


def test_route_matches_routes_and_segments_whole(store: Store, stored: Batches) -> None:
    assert set(every(store, NoticeQuery(route="S203"))) == {
        r.id for r in stored[CORPUS_DAY] if isinstance(r, RoadClosure)
        and any(route.code == "S203" for route in r.routes)
    }  # fmt: skip
    assert len(every(store, NoticeQuery(route="S203"))) == 3
    assert set(every(store, NoticeQuery(route="丹霍线"))) == {
        "rc_579314db5b7e55921b13", "rc_4b2a21480f12ae17ff70"
    }  # fmt: skip
    assert every(store, NoticeQuery(route="S20")) == []  # a code is matched whole
    assert every(store, NoticeQuery(route="丹霍")) == []  # so is a name
    assert every(store, NoticeQuery(route="G202")) == []  # a detour's road is not closed
    assert every(store, NoticeQuery(route="公路")) == []  # nothing left to look for


def test_region_is_a_substring(store: Store, stored: Batches) -> None:
    city = newest_first(stored, lambda r: "本溪" in (r.region or ""))
    assert every(store, NoticeQuery(region="本溪")) == city and len(city) == 11
    district = newest_first(stored, lambda r: "平山区" in (r.region or ""))
    assert every(store, NoticeQuery(region="平山区")) == district and district
    assert set(district) <= set(ids_of(stored[LOSS_DAY]))  # the district's page, by its source
    assert every(store, NoticeQuery(region="沈阳")) == []


def test_region_code_is_a_prefix(store: Store, stored: Batches) -> None:
    def coded(prefix: str) -> list[str]:
        return newest_first(stored, lambda r: (r.region_code or "").startswith(prefix))

    assert every(store, NoticeQuery(region_code="2105")) == coded("2105") != []
    assert every(store, NoticeQuery(region_code="21")) == coded("21")
    assert len(coded("21")) > len(coded("2105"))  # the province holds more than the city
    assert every(store, NoticeQuery(region_code="210502")) == coded("210502") != []
    # the seed page's closures are filed under their issuers' cities, 本溪 and 抚顺
    assert every(store, NoticeQuery(region_code="210400", kind="road_closure")) == coded("210400")
    assert stored[SEED_DAY][1].id in coded("210400")
    assert every(store, NoticeQuery(region_code="2106")) == coded("2106")
    assert every(store, NoticeQuery(region_code="05")) == []  # a prefix, not a substring
    assert every(store, NoticeQuery(region_code="9")) == []  # the top of the range
    assert every(store, NoticeQuery(region_code="21%")) == []  # no wildcards


def test_publication_is_exact(store: Store, stored: Batches) -> None:
    assert every(store, NoticeQuery(publication="本溪日报")) == ids_of(stored[LOSS_DAY]) + ids_of(
        stored[SEED_DAY]
    )
    assert every(store, NoticeQuery(publication="本溪")) == []


@pytest.mark.parametrize("issuer", ["沈吉高速公路管理处", "公安局交通管理支队", "交通运输局"])
def test_issuer_is_a_substring_of_any_issuer(store: Store, stored: Batches, issuer: str) -> None:
    expected = newest_first(stored, lambda r: any(issuer in i for i in r.issuers))
    assert every(store, NoticeQuery(issuer=issuer)) == expected and expected


def test_issuer_does_not_match_across_two_issuers(store: Store, stored: Batches) -> None:
    g1212 = next(r for r in stored[CORPUS_DAY] if r.id == G1212)
    straddling = g1212.issuers[0][-3:] + g1212.issuers[1][:3]
    assert every(store, NoticeQuery(issuer=straddling)) == []


@pytest.mark.parametrize("q", ["千金岭隧道", "k189+400", "孙丽娟", "声明作废", "100%", "a_b"])
def test_q_is_a_substring_of_the_text_or_holder(store: Store, stored: Batches, q: str) -> None:
    def says(r: Record) -> bool:
        holder = r.holder if isinstance(r, LossDeclaration) else ""
        return q.lower() in r.text.lower() or q.lower() in holder.lower()

    assert every(store, NoticeQuery(q=q)) == newest_first(stored, says)


def test_q_finds_a_holder_whose_name_is_not_in_the_text(store: Store, batches: Batches) -> None:
    [company] = [r for r in loss_batch() if COMPANY in r.text]
    assert isinstance(company, LossDeclaration)
    renamed = dataclasses.replace(company, holder="鑫源五金")  # as if read from the signature
    store.save_notices([renamed], Sighting("test", None, None, None, morning(10)))
    assert every(store, NoticeQuery(q="鑫源五金")) == [company.id]
    assert every(store, NoticeQuery(q="本溪市平山区鑫源五金商店")) == [company.id]  # the text


@pytest.mark.parametrize(
    ("day", "active"),
    [
        (date(2025, 4, 14), False),  # the day before
        (date(2025, 4, 15), True),  # the first day
        (date(2025, 4, 25), True),  # the last day
        (date(2025, 4, 26), False),  # the day after
    ],
)
def test_active_on_covers_the_first_and_last_day(
    store: Store, stored: Batches, day: date, active: bool
) -> None:
    found = every(store, NoticeQuery(active_on=day))
    assert (G1212 in found) is active
    assert found == newest_first(stored, lambda r: window_covers(r, day))


def test_active_on_an_open_ended_window_covers_every_day_after_its_start(
    store: Store, stored: Batches
) -> None:
    assert OPEN_ENDED not in every(store, NoticeQuery(active_on=date(2025, 7, 2)))
    for day in (date(2025, 7, 3), date(2030, 1, 1)):
        found = every(store, NoticeQuery(active_on=day))
        assert OPEN_ENDED in found
        assert found == newest_first(stored, lambda r, day=day: window_covers(r, day))  # type: ignore[misc]
    loss = every(store, NoticeQuery(active_on=date(2030, 1, 1), kind="loss_declaration"))
    assert loss == []  # declarations have no window


def test_since_keeps_what_was_seen_or_changed_at_or_after(store: Store, stored: Batches) -> None:
    assert every(store, NoticeQuery(since=morning(LOSS_DAY))) == newest_first(
        {d: r for d, r in stored.items() if d >= LOSS_DAY}, lambda r: True
    )
    assert every(store, NoticeQuery(since=morning(CORPUS_DAY))) == ids_of(stored[CORPUS_DAY])
    assert every(store, NoticeQuery(since=morning(CORPUS_DAY).replace(minute=31))) == []
    store.save_notices(stored[SEED_DAY][:1], Sighting("test", None, None, None, morning(11)))
    assert every(store, NoticeQuery(since=morning(10))) == [stored[SEED_DAY][0].id]


def test_filters_combine(store: Store, stored: Batches) -> None:
    july = date(2025, 7, 10)
    expected = newest_first(
        stored, lambda r: window_covers(r, july) and (r.region_code or "").startswith("2105")
    )
    assert (
        every(store, NoticeQuery(kind="road_closure", region_code="2105", active_on=july))
        == expected
    )
    assert expected == ["rc_579314db5b7e55921b13"]  # 丹霍线; the 抚顺 closure is filed under 2104
    assert every(store, NoticeQuery(route="丹霍线", active_on=july, publication="本溪日报")) == [
        "rc_579314db5b7e55921b13"
    ]
    assert every(
        store, NoticeQuery(route="丹霍线", issuer="交通管理支队", since=morning(CORPUS_DAY))
    ) == ["rc_4b2a21480f12ae17ff70"]
    assert every(
        store, NoticeQuery(kind="loss_declaration", q="遗失居民身份证", region="平山")
    ) == [next(r.id for r in stored[LOSS_DAY] if PERSON in r.text)]
    assert every(store, NoticeQuery(kind="loss_declaration", route="丹霍线")) == []


def test_pages_of_two_walk_every_notice_once(store: Store, stored: Batches) -> None:
    for query in (NoticeQuery(limit=2), NoticeQuery(kind="road_closure", region="本溪", limit=2),
                  NoticeQuery(active_on=date(2025, 7, 10), limit=2)):  # fmt: skip
        walked, after = [], None
        while page := store.query(dataclasses.replace(query, after=after)):
            assert len(page) <= 2
            walked += ids(page)
            after = page[-1]["id"]
        assert walked == every(store, query)
        assert len(walked) == len(set(walked))
    assert store.query(NoticeQuery(after="rc_nothing")) == []


def test_query_results_are_the_notice_dicts(store: Store, stored: Batches) -> None:
    [found] = store.query(NoticeQuery(route="G1212沈吉高速公路", limit=1))
    assert found == _without_revisions(store.notice(found["id"]))
    assert (found["revision"], found["previous_changed_at"]) == (1, None)
    assert found["changed_at"] == found["last_seen"] == "2025-07-09T06:30:00+08:00"


def test_find_identifier_is_exact_and_ignores_case_and_spaces(
    store: Store, stored: Batches
) -> None:
    person = next(r.id for r in stored[LOSS_DAY] if PERSON in r.text)
    company = next(r.id for r in stored[LOSS_DAY] if COMPANY in r.text)
    assert ids(store.find_identifier(PERSON, KEY)) == [person]
    assert ids(store.find_identifier(PERSON.lower(), KEY)) == [person]
    assert ids(store.find_identifier(" 210504 19860722 101x ", KEY)) == [person]
    assert ids(store.find_identifier(COMPANY, KEY)) == [company]
    assert ids(store.find_identifier("92210502 ma0y4kd7nn", KEY)) == [company]
    assert ids(store.find_identifier("企独朝总字第000103号", KEY)) == ["ld_b1f17ad370b8204c4dbe"]
    [found] = store.find_identifier(COMPANY, KEY)
    assert found == _without_revisions(store.notice(company))


def _without_revisions(notice: dict[str, object] | None) -> dict[str, object]:
    """A notice as lists show it: only the single-notice answer lists its revisions."""
    assert notice is not None
    return {k: v for k, v in notice.items() if k != "revisions"}


@pytest.mark.parametrize("value", [PERSON[:-1], COMPANY[:8], PERSON + "0", "孙丽娟", "", "%"])
def test_find_identifier_finds_nothing_for_a_prefix_or_a_name(
    store: Store, stored: Batches, value: str
) -> None:
    assert store.find_identifier(value, KEY) == []


def test_find_identifier_needs_the_key_the_digests_were_made_with(
    store: Store, stored: Batches
) -> None:
    assert store.find_identifier(PERSON, b"another key") == []


def test_find_identifier_does_not_read_the_text(store: Store, stored: Batches) -> None:
    [person] = [r for r in stored[LOSS_DAY] if PERSON in r.text]
    assert isinstance(person, LossDeclaration)
    unread = dataclasses.replace(person, identifiers=())  # the number is in the text only
    store.save_notices(
        [unread], Sighting("test", None, None, None, morning(10)), identifier_key=KEY
    )
    assert store.find_identifier(PERSON, KEY) == []
    assert ids(store.find_identifier(COMPANY, KEY)) != []


def test_the_digest_table_holds_no_identifier_in_the_clear(store: Store, stored: Batches) -> None:
    with store._read() as session:
        rows = session.execute(
            select(IdentifierDigestRow.digest, IdentifierDigestRow.notice_id)
        ).all()
    declared = [i.value for r in stored[LOSS_DAY] + stored[SEED_DAY]
                if isinstance(r, LossDeclaration) for i in r.identifiers]  # fmt: skip
    assert len(rows) == len(set(declared)) == 7
    cells = [row.digest for row in rows] + [row.notice_id for row in rows]
    for value in declared:
        assert not any(value in cell or value.lower() in cell for cell in cells)
        assert not any(value[-8:].lower() in cell for cell in cells)
    assert all(len(row.digest) == 64 and int(row.digest, 16) >= 0 for row in rows)


def ids_of(records: list[Record]) -> list[str]:
    """A batch's ids in the store's order (one batch shares its last_seen)."""
    return sorted((r.id for r in records), reverse=True)


# ── for the dashboard: a week of days, holders, filter values, last pages ─────────────


def window_meets(record: Record, first: date, last: date) -> bool:
    if not isinstance(record, RoadClosure) or record.window is None:
        return False
    end = record.window.end
    return record.window.start <= last and (end is None or end >= first)


@pytest.mark.parametrize(("first", "last"), [(date(2025, 7, 1), date(2025, 7, 7)),
                                             (date(2025, 4, 20), date(2025, 4, 27)),
                                             (date(2025, 7, 23), date(2025, 7, 30))])  # fmt: skip
def test_active_until_finds_closures_meeting_any_day_of_a_span(
    store: Store, stored: Batches, first: date, last: date
) -> None:
    found = every(store, NoticeQuery(active_on=first, active_until=last))
    assert found == newest_first(stored, lambda r: window_meets(r, first, last))
    assert set(every(store, NoticeQuery(active_on=last))) <= set(found)


def test_holder_is_a_substring_of_the_holder_only(store: Store, stored: Batches) -> None:
    found = every(store, NoticeQuery(holder="凌源日新"))
    assert found == newest_first(stored, lambda r: "凌源日新" in getattr(r, "holder", ""))
    assert len(found) == 1
    assert every(store, NoticeQuery(holder="营业执照")) == []  # in the text, not a holder


def test_facets_count_the_regions_publications_and_roads_of_a_kind(
    store: Store, stored: Batches
) -> None:
    from collections import Counter

    from notices.tables import route_keys

    closures = [r for records in stored.values() for r in records if isinstance(r, RoadClosure)]
    named = Counter(key for r in closures for key in route_keys(r))
    facets = store.facets("road_closure", limit=len(named))
    regions = Counter(r.region for r in closures if r.region)
    assert dict(facets.regions) == dict(regions.most_common(len(named)))
    assert facets.regions and regions["辽宁省本溪市"] >= 1  # each closure by its own issuers
    assert dict(facets.publications) == {"本溪日报": 2}
    assert dict(facets.roads) == dict(named)
    counts = [n for _, n in facets.roads]
    assert counts == sorted(counts, reverse=True)  # the commonest first
    top = store.facets("road_closure", limit=3).roads
    assert len(top) == 3 and [n for _, n in top] == counts[:3]
    losses = store.facets("loss_declaration")
    assert dict(losses.publications) == {"本溪日报": 3 + len(stored[LOSS_DAY])}
    assert losses.roads == []


def test_last_pages_tell_when_each_source_last_gave_a_page(store: Store) -> None:
    from notices.store import PageVisit

    assert store.last_pages() == {}
    for source, day, status in [("a", 7, "parsed"), ("a", 8, "parsed"), ("a", 9, "failed"),
                                ("b", 7, "failed")]:  # fmt: skip
        store.save_page(PageVisit(f"https://example.cn/{source}{day}", source, None, None,
                                  morning(day), None, "text", status))  # fmt: skip
    assert store.last_pages() == {"a": morning(8)}
