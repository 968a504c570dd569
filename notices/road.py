"""A road-closure notice's phrases → a :class:`~notices.model.RoadClosure`.

The grammar tells what each phrase is; this module tells what part it plays. Sentences
are split into the closure part and the detour part (from a detour word to the sentence
end); the signature is the trailing run of sentences holding only organisations and a
date. Roads, stretches, windows and the closure kind come from the closure part; roads
and the chain of places from the detour part.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from lark.exceptions import LarkError

from notices import regions, roles, windows
from notices.grammars import load
from notices.issuers import split_issuers
from notices.model import Closure, Detour, RoadClosure, Route, Segment, Source
from notices.normalize import SECTION_START
from notices.road_phrases import (
    DailyHours,
    Paren,
    Period,
    PlaceSpan,
    Reason,
    RoadTransformer,
    RouteMention,
    SegmentPhrase,
    Sentence,
    StakePoint,
    Tok,
    length_km,
)

_CLOSING = ("FULL", "HALF", "PART", "CLOSE", "BAN", "CONTROL", "ONE_WAY")
_BOUNDARY = ("COMMA", "COLON", "END", "NL", "DETOUR", "LIST_SEP")
_REASON_TAIL = ("的需要", "需要", "需")
_VIA_LEAD = re.compile(r"途经|经由|经过|(?<!途)经|沿|绕行至|改道至|请走|走|从(?!而)")
_NUMBERING = re.compile(r"^(?:\d{1,2}[.、．]|[一二三四五六七八九十]+、|[(（]\d{1,2}[)）])")


@dataclass(frozen=True)
class NoticeText:
    """One notice as the segmenter cut it: canonical text for the grammar, clean for fields."""

    canon: str
    clean: str
    title: str | None
    published_on: date | None
    source: Source
    start: int = 0
    page: str = ""  # the page's canonical text, the notice at ``start``: its headline's year


@dataclass
class _Parts:
    closure: list[list[Any]] = field(default_factory=list)
    detour: list[list[Any]] = field(default_factory=list)
    signature: list[Any] = field(default_factory=list)
    lead: list[Any] = field(default_factory=list)
    title: list[Any] = field(default_factory=list)

    @property
    def closing(self) -> list[Any]:
        """Every phrase of the closure part, in order."""
        return [item for sentence in self.closure for item in sentence]


def parse_road(notice: NoticeText, notice_id: str) -> RoadClosure:
    """Parse one road-closure notice into its record."""
    warnings: list[str] = []
    try:
        parsed: Any = load("road", RoadTransformer).parse(notice.canon)  # transformed inline
        sentences: list[Sentence] = parsed
    except LarkError as exc:  # the island grammar accepts any text; this is a defect
        sentences = []
        warnings.append(f"the road grammar could not read this notice: {type(exc).__name__}")
    except RecursionError:  # brackets nested thousands deep
        sentences = []
        warnings.append("the notice nests brackets too deeply to read")
    return _assemble(notice, notice_id, sentences, warnings)


def _assemble(
    notice: NoticeText, notice_id: str, sentences: list[Sentence], warnings: list[str]
) -> RoadClosure:
    parts = _split(sentences, notice.title is not None, notice.canon)
    issuers, issued_on = _signature(parts, notice, warnings)
    found = roles.mentions(parts.closure, notice.canon, 0 if parts.title else None)
    routes = (
        roles.closed_routes(found)
        or _routes_from_spans(parts.closing)
        or roles.named_by_ends(parts.closure, notice.canon, 0 if parts.title else None)
    )
    segments = _segments(parts.closing, routes, found, notice.canon)
    # the year printed elsewhere only dates a notice that nothing else dates
    undated = notice.published_on is None and issued_on is None
    printed = _printed_year(notice) if undated else None
    context = windows.Context(notice.published_on, issued_on, printed, notice.canon)
    periods = [p for p in _phrases(parts.closing, Period, DailyHours) if not _news(p, notice.canon)]
    detour_items = [i for d in parts.detour for i in d]
    detour_periods = _phrases(detour_items, Period, DailyHours)
    # 车辆需绕行，预计恢复时间12月31日: the end, told after the detour
    ends = [p for p in detour_periods if isinstance(p, Period) and _end_alone(p)]
    window_list = windows.read(periods + ends, parts.closing, context, warnings)
    if not window_list:
        window_list = windows.read(detour_periods, detour_items, context, warnings)
    closure = _closure_kind(parts.closure)
    if not routes and not segments:
        warnings.append("no road or stretch found")
    if not window_list:
        warnings.append("no closure window found")
    record = RoadClosure(
        id=notice_id,
        title=notice.title,
        text=notice.clean.strip(),
        issued_on=issued_on,
        issuers=tuple(issuers),
        source=notice.source,
        reason=_reason(parts.closing, notice.clean),
        routes=tuple(routes),
        segments=tuple(segments),
        closure=closure,
        window=windows.span(window_list),
        windows=tuple(window_list) if len(window_list) > 1 else (),
        detour=_detour(parts.detour, routes, notice.clean),
        warnings=tuple(warnings),
    )
    return _as_printed(record, notice)


def _without_division(name: str | None) -> str | None:
    """A road's name without the county or city printed before it (东阳市中山大桥 → 中山大桥)."""
    if not name:
        return name
    name = name[regions.leading(name) :]
    name = name[1:] if _CUT_HEAD.match(name) else name
    zone = _ZONE.match(name) or _DISTRICT.match(name)  # 高新区长江路, 安南區公園路
    return name[zone.end() :] if zone else name[_town(name) :]


# A name as long as the grammar reads, headed by the last character of a town's or county's
# name (长街镇宁松线 read as 镇宁松线, 高阳县孝义河堤顶路 as 县孝义河堤顶路): that character
# is theirs.
_CUT_HEAD = re.compile(
    r"^[镇乡县区鎮鄉縣區](?:[\u4e00-\u9fff]{2}[线線]|[\u4e00-\u9fff]{5}(?:路|街|巷|大道|大街|公路))$"
)


def _town(name: str) -> int:
    """How many characters of a name are the town it is in (桃花潭镇老陈村大桥: 4)."""
    town = _TOWN.match(name)
    return town.end() if town else 0


_TOWN = re.compile(
    r"[\u4e00-\u9fff]{2,4}?[镇乡](?!通)"
    r"(?=[\u4e00-\u9fff]{2,}(?:路|街|大道|大街|巷|大桥|桥|隧道)$)"
)


_ZONE = re.compile(
    r"[\u4e00-\u9fff]{0,4}?(?:高新技术产业开发区|经济技术开发区|高新区|经开区|开发区|新区)"
    r"(?=[\u4e00-\u9fff]{2,}(?:路|街|大道|大街|巷)$)"
)


# A district the division table does not hold, or holds cut (安南區, 坪山区, 昆区 for 昆都仑区,
# 乌拉特中旗 read from 特): its streets' names are what follows. 社区, 小区, 山区 and the like
# are places.
_DISTRICT = re.compile(
    r"(?![\u4e00-\u9fff]?(?:社|小|园|景|校|矿|林|库|厂|营|站)[区區])(?!山[区區])"
    r"[\u4e00-\u9fff]{1,4}?[区區旗](?=[\u4e00-\u9fff]{2,}(?:路|街|大道|大街|巷|公路)$)"
)


def _as_printed(record: RoadClosure, notice: NoticeText) -> RoadClosure:
    """Names read from the canonical text, spelt as printed (國道 stays 國道, not 国道)."""

    def printed(name: str | None) -> str | None:
        at = notice.canon.find(name) if name else -1
        return notice.clean[at : at + len(name)] if name and at >= 0 else name

    def on_route(route: Route) -> Route:
        return Route(route.code, _without_division(printed(route.name)))

    def on_segment(segment: Segment) -> Segment:
        return replace(
            segment,
            route=_without_division(printed(segment.route)),
            from_place=printed(segment.from_place),
            to_place=printed(segment.to_place),
        )

    detour = record.detour
    if detour is not None:
        detour = replace(
            detour,
            routes=tuple(printed(r) or r for r in detour.routes),
            via=tuple(printed(v) or v for v in detour.via),
        )
    segments = [on_segment(s) for s in record.segments]
    placed = {s.route for s in segments if s.from_ or s.from_place}
    return replace(
        record,
        routes=tuple(on_route(r) for r in record.routes),
        # a road read twice (玉溪市甲路 and 甲路) is one: no bare stretch beside its placed one
        segments=tuple(s for s in segments if s.from_ or s.from_place or s.route not in placed),
        detour=detour,
    )


# ── parts of the notice ────────────────────────────────────────────────────────────


def _split(sentences: list[Sentence], titled: bool, canon: str = "") -> _Parts:
    parts = _Parts()
    body = list(sentences)
    while body and _is_signature(body[-1]):
        parts.signature[:0] = body.pop()
    while body and _is_signature(body[0]) and not _has(body[0], "DATE"):
        parts.lead.extend(body.pop(0))
    if titled and body:
        parts.title = list(body[0])
    section: str | None = None  # the marker of the detour section we are in (三、绕行路线：…)
    for sentence in body:
        marker = _line_marker(sentence, canon)
        if marker is not None:
            section = _detour_section(marker, section, canon, sentence)
        if section is not None:
            parts.detour.append(list(sentence))
            continue
        cut = next((i for i, item in enumerate(sentence) if _kind(item) == "DETOUR"), None)
        if cut is None:
            parts.closure.append(list(sentence))
            continue
        clause = cut
        while clause > 0 and _kind(sentence[clause - 1]) not in ("COMMA", "COLON"):
            clause -= 1
        parts.closure.append(list(sentence[:clause]))
        parts.detour.append(list(sentence[clause:]))
    return parts


# A numbered item's heading that opens the detour: 三、绕行路线： / （三）建议走行路线 / 分流方案.
_DETOUR_HEADING = re.compile(
    r"[^:：。,，]{0,6}(?:绕行|绕道|分流|走行|改道|通行路线|行车路线|出行路线)"
)
_TOP_MARKER = re.compile(r"[一二三四五六七八九十]+[、.．]|第[一二三四五六七八九十\d]+[条项]")


def _line_marker(sentence: Sentence, canon: str) -> str | None:
    """The item marker (三、, (一), 1.) a sentence opens with, if it opens a line; '' for a
    plain line start, None inside a line."""
    start = next((int(i.start) for i in sentence if hasattr(i, "start") and i.end > i.start), -1)
    if start < 0 or (start > 0 and canon[start - 1] != "\n"):
        return None
    found = SECTION_START.match(canon, start)
    return found.group() if found else ""


def _detour_section(marker: str, section: str | None, canon: str, sentence: Sentence) -> str | None:
    """Enter, stay in or leave a detour section at a line opening with ``marker``."""
    start = next(int(i.start) for i in sentence if hasattr(i, "start") and i.end > i.start)
    heading = canon[start + len(marker) : start + len(marker) + 14]
    if marker and _DETOUR_HEADING.match(heading):
        return marker
    if section is None:
        return None
    # sub-items ((一), 1、) stay in the section; a new top-level item or a plain line ends it
    same_level = bool(_TOP_MARKER.fullmatch(marker)) == bool(_TOP_MARKER.fullmatch(section))
    return None if not marker or same_level else section


def _kind(item: Any) -> str:
    return item.kind if isinstance(item, Tok) else type(item).__name__


def _has(sentence: Sentence, kind: str) -> bool:
    return (
        any(isinstance(i, Period) and i.first and i.first.year for i in sentence)
        if kind == "DATE"
        else False
    )


def _is_signature(sentence: Sentence) -> bool:
    """Tell whether a sentence holds only organisations and a date (a signature line)."""
    orgs = dates = 0
    for item in sentence:
        if isinstance(item, Tok) and item.kind == "ORG":
            orgs += 1
        elif isinstance(item, Period) and item.first and item.first.day and not item.last:
            dates += 1
        elif (
            isinstance(item, Tok)
            and item.kind in ("FILLER", "PLACE", "ROUTE_NAME")
            and len(item.text) <= 16
        ) or (isinstance(item, Tok) and item.kind in ("COMMA", "LIST_SEP", "NL")):
            continue
        else:
            return False
    return bool(orgs or dates) and dates <= 1


def _signature(
    parts: _Parts, notice: NoticeText, warnings: list[str]
) -> tuple[list[str], date | None]:
    issuers: list[str] = []
    for item in parts.lead + parts.signature:
        if isinstance(item, Tok) and item.kind == "ORG":
            printed = notice.clean[item.start : item.end]
            issuers.extend(n for n in split_issuers(printed) if n not in issuers)
    dated = [i for i in parts.signature if isinstance(i, Period) and i.first]
    issued_on = None
    if dated and dated[-1].first:
        issued_on = windows.issue_date(dated[-1].first, notice.published_on, warnings)
    return issuers, issued_on


# ── what is closed ─────────────────────────────────────────────────────────────────


def _walk(items: Iterable[Any]) -> list[Any]:
    """Every phrase in order, looking inside reasons and brackets (iteratively: brackets
    may nest thousands deep); a list, made at once: it is read whole more often than not."""
    out: list[Any] = []
    stack: list[Iterator[Any]] = [iter(items)]
    while stack:
        for item in stack[-1]:
            out.append(item)
            if isinstance(item, Reason | Paren):
                stack.append(iter(item.items))
                break
            if isinstance(item, RouteMention) and item.paren:
                stack.append(iter(item.paren.items))
                break
        else:
            stack.pop()
    return out


def _phrases(items: Iterable[Any], *kinds: type) -> list[Any]:
    return [i for i in _walk(items) if isinstance(i, kinds)]


def _routes_from_spans(items: list[Any]) -> list[Route]:
    """A road named by its ends (严桥至九梓公路); bridges and tunnels are roles' to find."""
    for span in _phrases(items, PlaceSpan):
        if (
            span.last
            and span.last.kind == "ROUTE_NAME"
            and span.last.text.endswith(("公路", "线", "道"))
        ):
            return [Route(None, f"{span.first.text}至{span.last.text}")]
    return []


def _segments(
    items: list[Any], routes: list[Route], found: list[roles.Mention], canon: str
) -> list[Segment]:
    segments: list[Segment] = []
    seen: dict[tuple[int, int | None], int] = {}
    current = routes[0].key if routes else None
    near: str | None = None  # the road named earlier in the same clause
    dropped = _dropped(found)
    for item in _walk(_stretches(items, found, canon)):
        if isinstance(item, SegmentPhrase) and id(item) in dropped:
            continue  # inside brackets or a reason, where _stretches does not look
        if isinstance(item, RouteMention):
            current = near = _key(routes, item.route)
            if item.paren:
                segments.extend(_span_segments(item.paren.items, current))
        elif isinstance(item, PlaceSpan) and item.last is not None and near is not None:
            segments.extend(_span_segments([item], near))  # 甘麦公路甲村至乙村段和丙村至丁村段
        elif isinstance(item, Tok) and item.kind in _CLAUSE_END:
            near = None
        elif isinstance(item, SegmentPhrase):
            route = _key(routes, item.route) if item.route else current
            segment = Segment(
                route=route,
                from_=item.first.stake,
                to=item.last.stake if item.last else None,
                from_place=item.first.place,
                to_place=item.last.place if item.last else None,
                length_km=item.length_km,
            )
            key = (segment.from_.m if segment.from_ else 0, segment.to.m if segment.to else None)
            if key in seen:
                segments[seen[key]] = _richer(segments[seen[key]], segment)
            else:
                seen[key] = len(segments)
                segments.append(segment)
    staked = [s for s in segments if s.from_]
    staked = [s for s in staked if not any(_inside(s, other) for other in staked)]
    if staked:
        return _with_places(_with_length(staked, items), items)
    placed = _dedupe(segments)
    named = {s.route for s in placed}
    return placed + [Segment(r.key) for r in routes if r.key not in named]


# Between a stretch's two ends told apart: 起于K508+475…，终于K539+239 / 起点…止点….
_SPLIT_END = re.compile(
    r"[^。;!?\n]{0,40}?(?:终于|止于|讫于|终点|止点|终至|止至|至|到)"
    r"(?:[^。;!?\n]{0,6}|[^。;!?\n,，()（）]{1,20}[(（](?:桩号[:：]?)?)$"  # 至乙桥(K21+300)
)


def _stretches(items: list[Any], found: list[roles.Mention], canon: str) -> list[Any]:
    """The closure part's phrases with its stretches as closed: landmarks out, the two
    ends of a stretch told apart joined, a structure's stake in the reason dropped when the
    closed range is printed elsewhere."""
    dropped = _dropped(found)
    out: list[Any] = []
    for item in items:
        phrase = _stretch(item)
        if phrase is not None:
            if id(phrase) in dropped:
                continue
            stretches = (i for i in range(len(out) - 1, -1, -1) if _stretch(out[i]))
            at = next(stretches, None)
            first = None if at is None else _stretch(out[at])
            if at is not None and first is not None and _joins(first, phrase, canon):
                out[at] = replace(first, last=phrase.first, end=phrase.end)
                continue
        out.append(item)
    return out


def _bracketed(item: Any) -> SegmentPhrase | None:
    """The lone stake of a bracket beside a place (甲桥(K24+800)至乙桥(K21+300))."""
    if not isinstance(item, Paren):
        return None
    phrases = [i for i in item.items if isinstance(i, SegmentPhrase)]
    return phrases[0] if len(phrases) == 1 and phrases[0].last is None else None


def _stretch(item: Any) -> SegmentPhrase | None:
    """A stretch as it stands, or the lone stake of a bracket."""
    return item if isinstance(item, SegmentPhrase) else _bracketed(item)


def _dropped(found: list[roles.Mention]) -> set[int]:
    """The stretches that are not closed: a landmark's, and a structure's single stake in
    the reason when a closed range is printed elsewhere (某大桥(K210+450)维修…K209+800-K211+200)."""
    ranged = any(
        isinstance(m.item, SegmentPhrase) and m.item.last and not m.in_reason and not m.landmark
        for m in found
    )
    return {
        id(m.item)
        for m in found
        if isinstance(m.item, SegmentPhrase)
        and (m.landmark or (ranged and m.item.last is None and m.in_reason))
    }


def _joins(first: SegmentPhrase, second: SegmentPhrase, canon: str) -> bool:
    if first.last is not None or second.last is not None:
        return False
    if second.route is not None and first.route is not None and second.route != first.route:
        return False
    # from the first stake itself: the 至 may have been read into the first stretch
    # (G350线K1197+541(八美镇)至G350线K1305+913)
    return _SPLIT_END.match(canon[first.first.end : second.start]) is not None


_CLAUSE_END = frozenset(("COMMA", "END", "COLON"))


def _span_segments(items: Iterable[Any], route: str | None) -> list[Segment]:
    return [
        Segment(route, None, None, s.first.text, s.last.text if s.last else None)
        for s in items
        if isinstance(s, PlaceSpan)
    ]


def _inside(segment: Segment, other: Segment) -> bool:
    """Whether a stretch lies within another's range on the same road: a structure or works
    inside the closed stretch (K209+800-K211+200 … 某桥(K210+450)), no stretch of its own."""
    if other is segment or other.to is None or other.from_ is None or segment.from_ is None:
        return False
    if segment.route != other.route:
        return False
    low, high = sorted((other.from_.m, other.to.m))
    ends = (segment.from_.m, segment.to.m if segment.to else segment.from_.m)
    return all(low <= m <= high for m in ends) and tuple(sorted(ends)) != (low, high)


def _key(routes: list[Route], route: Route) -> str | None:
    for known in routes:
        if (route.code and known.code == route.code) or (route.name and known.name == route.name):
            return known.key
    return route.key


def _richer(old: Segment, new: Segment) -> Segment:
    return Segment(
        old.route or new.route,
        old.from_,
        old.to,
        old.from_place or new.from_place,
        old.to_place or new.to_place,
        old.length_km if old.length_km is not None else new.length_km,
    )


def _with_length(segments: list[Segment], items: list[Any]) -> list[Segment]:
    """Give a lone stretch the length printed apart from its stakes (全长约2.5公里)."""
    if len(segments) != 1 or segments[0].length_km is not None:
        return segments
    lengths = [i for i in items if isinstance(i, Tok) and i.kind == "LENGTH"]
    if len(lengths) == 1:
        only = segments[0]
        return [
            Segment(
                only.route,
                only.from_,
                only.to,
                only.from_place,
                only.to_place,
                length_km(lengths[0].text),
            )
        ]
    return segments


def _with_places(segments: list[Segment], items: list[Any]) -> list[Segment]:
    """Give a lone stretch the named ends printed apart from its stakes.

    K96+300至K98+150段（石门沟道口至老鹰岭隧道）; a single stake takes the one place named.
    """
    if len(segments) != 1 or segments[0].from_place or segments[0].to_place:
        return segments
    only = segments[0]
    spans = [s for s in _phrases(items, PlaceSpan) if s.last is not None]
    if only.to is not None and len(spans) == 1:
        span = spans[0]
        return [
            Segment(
                only.route,
                only.from_,
                only.to,
                span.first.text,
                span.last.text if span.last else None,
                only.length_km,
            )
        ]
    places = [i.text for i in _walk(items) if isinstance(i, Tok) and i.kind == "PLACE"]
    if only.to is None and len(set(places)) == 1:  # a single stake: the bridge or tunnel named
        return [Segment(only.route, only.from_, None, places[0], None, only.length_km)]
    return segments


def _dedupe(segments: list[Segment]) -> list[Segment]:
    """Stretches named twice (in the title and the body): keep each once, the fuller reading."""
    out: list[Segment] = []
    for segment in segments:
        same = next((n for n, kept in enumerate(out) if _same_stretch(kept, segment)), None)
        if same is None:
            out.append(segment)
        elif segment.to_place and not out[same].to_place:
            out[same] = segment
    return out


def _same_stretch(a: Segment, b: Segment) -> bool:
    return (a.route, a.from_, a.to, a.from_place) == (b.route, b.from_, b.to, b.from_place) and (
        a.to_place == b.to_place or a.to_place is None or b.to_place is None
    )


def _printed_year(notice: NoticeText) -> int | None:
    """The latest year the notice prints, or else the page above it (2023年…活动将于1月27日举行
    over a notice that says only 1月27日)."""
    return windows.printed_year(notice.canon) or windows.printed_year(notice.page[: notice.start])


def _end_alone(period: Period) -> bool:
    return period.first is None and not period.from_now and period.last is not None


def _news(period: Period | DailyHours, canon: str) -> bool:
    """A date the news around a notice tells, not its window: since when (自6月1日开通以来),
    or the dateline (11月29日，记者从…获悉)."""
    return isinstance(period, Period) and _NEWS_AFTER.match(canon, period.end) is not None


_NEWS_AFTER = re.compile(r"[^,。;:]{0,8}以来|\s*[,，]?\s*(?:记者|本报|据悉|讯)")


def _closure_kind(sentences: list[list[Any]]) -> Closure:
    """How the road is closed, by what the closing words name.

    全封闭/全幅 on their own close the road fully. Otherwise the scope decides: a ramp,
    lanes, an entrance or 分段 is partial, one bore, side or direction (右洞, 半幅) half, even
    where that part is closed to every vehicle (收费站出入口封闭，禁止一切车辆通行). Closing
    words or a ban on every vehicle with no scope close it fully; traffic control alone is
    control.
    """
    if any(_STATED_PART.match(t.text) for t in _tokens(sentences, "PART")):
        return "partial"  # 实行部分封闭（甲路全封，乙路半幅通行）: said outright
    told = [[(c, _clause_kind(c)) for c in roles.clauses(sentence)] for sentence in sentences]
    in_notice = {k for sentence in told for _, k in sentence}
    found: set[Closure | Literal["closed", "barred"] | None] = set()
    for sentence in told:
        in_sentence = {k for _, k in sentence}
        for clause, kind in sentence:
            # every vehicle barred: the whole road, unless a part is named beside the ban, or
            # elsewhere in the notice when the ban names no road of its own (甲隧道单幅封闭 …
            # 施工期间路段禁止车辆通行: the ban is on that part)
            scoped = _SCOPES & in_sentence or (_SCOPES & in_notice and not _names_a_place(clause))
            found.add(("closed" if scoped else "full") if kind == "barred" else kind)
    strongest: Closure | Literal["closed"] = next((k for k in _PRECEDENCE if k in found), "control")
    return "full" if strongest == "closed" else strongest  # closed, how much not said: all


def _names_a_place(clause: list[Any]) -> bool:
    return any(
        isinstance(i, RouteMention | SegmentPhrase | PlaceSpan | StakePoint)
        or (isinstance(i, Tok) and i.kind in _WHERE)
        for i in _walk(clause)
    )


_LIFTED = re.compile(r"解除|恢复")
_SCOPES = frozenset(("half", "partial"))
_WHERE = frozenset(("ROUTE_NAME", "ROUTE_CODE", "ROUTE_NUM", "ROUTE_ENDS", "PLACE", "STAKE"))

_PRECEDENCE: tuple[Closure | Literal["closed"], ...] = (
    "full",
    "half",
    "partial",
    "closed",
    "control",
)


def _clause_kind(clause: list[Any]) -> Closure | Literal["closed", "barred"] | None:
    tokens = [i for i in _walk(clause) if isinstance(i, Tok)]
    if any(_LIFTED.search(t.text) for t in tokens):
        return None  # 分段适时解除管制: the closure's end, in stages, not a part closed
    kinds = {t.kind for t in tokens}
    stated = any(t.kind == "FULL" and not _BAN_ALL.match(t.text) for t in tokens)
    if any(t.kind == "FULL" and t.text.startswith("全断面") for t in tokens):
        return "full"  # 机动车道全断面封闭: the whole width, whatever the lanes
    station = any(t.kind == "PLACE" and t.text.endswith(_STATIONS) for t in tokens)
    closing = bool(kinds & {"FULL", "CLOSE", "BAN"})
    if stated and _part_is_a_landmark(tokens):
        return "full"  # 甲桥匝道旁主线(K24+800)至乙桥(K21+300)全封闭: the ramp only places it
    parts = [t for t in tokens if t.kind == "PART"]
    if "HALF" in kinds and parts and all(t.text == "分段" for t in parts):
        return "half"  # 分段半幅封闭: one half at a time, stretch by stretch
    if (closing or "CONTROL" in kinds) and ("PART" in kinds or station):
        return "partial"  # a ramp, lanes, or a toll station or service area closed or controlled
    if any(t.kind == "PART" and _SAYS_PART.match(t.text) for t in tokens):
        return "partial"  # 分段施工, 部分封闭; a ramp or lane merely named (经B匝道下行) is not
    one_way = "ONE_WAY" in kinds or _ONE_DIRECTION.search("".join(t.text for t in tokens))
    if "HALF" in kinds or (one_way and (closing or "CONTROL" in kinds) and not stated):
        return "half"
    if stated:
        return "full"
    if "FULL" in kinds or "BAN" in kinds:
        # every vehicle barred (禁止一切车辆通行), under 交通管制 too: full, unless a part is
        # named (bans of some vehicles, 禁止货车通行, are the grammar's CONTROL)
        return "barred"
    if "CLOSE" in kinds:
        return "closed"  # closed, but the clause does not say how much of the road
    return "control" if "CONTROL" in kinds else None


def _part_is_a_landmark(tokens: list[Tok]) -> bool:
    """Whether every part the clause names (a ramp, a lane) stands before a stake or place
    that the closing words then close whole: the part tells where, not what is closed."""
    full = next((n for n, t in enumerate(tokens) if t.kind == "FULL"), None)
    parts = [n for n, t in enumerate(tokens) if t.kind == "PART"]
    if full is None or not parts or max(parts) > full:
        return False
    return any(t.kind in ("STAKE", "PLACE") for t in tokens[max(parts) + 1 : full])


def _tokens(sentences: list[list[Any]], kind: str) -> Iterator[Tok]:
    for sentence in sentences:
        for item in _walk(sentence):
            if isinstance(item, Tok) and item.kind == kind:
                yield item


# One direction of a road named in the clause that closes it (往甲方向封闭, 上行线, 西往东方向).
_ONE_DIRECTION = re.compile(
    r"往[^,。;:]{1,10}?方向|[东西南北][往向][东西南北]方向|[上下]行(?:线|方向)"
)
_SAYS_PART = re.compile(r"分段|(?:部分|局部)封闭|有限度")  # 有限度通车: Macau's lanes kept
_STATED_PART = re.compile(r"(?:部分|局部)封闭")  # not 部分路段封闭: some stretches, each closed
_BAN_ALL = re.compile(r"禁止|暂停|停止|中断")
_STATIONS = ("服务区", "收费站")


# ── why, and the way round ─────────────────────────────────────────────────────────


def _reason(items: list[Any], clean: str) -> str | None:
    reason = next((i for i in _walk(items) if isinstance(i, Reason)), None)
    if reason is None:
        return None
    words = "".join(
        clean[i.start : i.end]
        for i in reason.items
        if isinstance(i, Tok) and i.kind in ("FILLER", "PLACE", "ORG")
    )
    for tail in _REASON_TAIL:
        if words.endswith(tail):
            words = words[: -len(tail)]
            break
    return words.strip(",，、 ") or None


def _detour(clauses: list[list[Any]], closed: list[Route], clean: str) -> Detour | None:
    if not clauses:
        return None
    texts: list[str] = []
    routes: list[Route] = []
    via: list[str] = []
    for clause in clauses:
        start, end = _extent(clause)
        texts.append(_DETOUR_LABEL.sub("", clean[start:end].strip()))
        chain = _chain(clause, clean)
        via.extend(chain.places)
        for item in _walk(clause):
            route = item.route if isinstance(item, RouteMention | SegmentPhrase) else None
            if route is None or any(roles.same(route, r) for r in closed):
                continue
            inside = chain.start <= _start(item) < chain.end
            if route.code or not inside:
                roles.merge_route(routes, route)
    return Detour("；".join(t for t in texts if t), tuple(r.key for r in routes), tuple(via))


# The list label before a detour (三、绕行路线： / （二）分流方案：): a name, not the way.
_DETOUR_LABEL = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]{1,2}[)）]|\d{1,2}[、.．])?"
    r"(?:[^:：，,。]{0,8}(?:绕行|绕道|分流|走行|改道|通行|行车|出行)(?:路线|线路|方案|方式|建议)[:：])?"
)


def _start(item: Any) -> int:
    return int(getattr(item, "start", -1))


def _extent(items: list[Any]) -> tuple[int, int]:
    starts = [i.start for i in items if hasattr(i, "start") and i.end > i.start]
    ends = [i.end for i in items if hasattr(i, "end") and i.end > i.start]
    return (min(starts), max(ends)) if starts else (0, 0)


@dataclass(frozen=True)
class _Chain:
    places: tuple[str, ...]
    start: int
    end: int


def _separators(items: Iterable[Any]) -> list[Tok]:
    out: list[Tok] = []
    for item in items:
        if isinstance(item, Tok) and item.kind == "TO":
            out.append(item)
        elif isinstance(item, PlaceSpan):
            out.append(Tok("TO", "", item.first.end, item.last.start if item.last else item.end))
    return out


def _chain(clause: list[Any], clean: str) -> _Chain:
    """The places of an ``A—B—C`` chain in a detour clause, in order."""
    seps = _separators(clause)
    if not seps:
        return _Chain((), 0, 0)
    first, last = seps[0].start, seps[-1].end
    begin = max(
        (i.end for i in clause if _kind(i) in _BOUNDARY and i.end <= first),
        default=_extent(clause)[0],
    )
    finish = min(
        (i.start for i in clause if _kind(i) in _BOUNDARY and i.start >= last),
        default=_extent(clause)[1],
    )
    cuts = [begin] + [p for s in seps for p in (s.start, s.end)] + [finish]
    places = [_place_name(clean[a:b]) for a, b in zip(cuts[::2], cuts[1::2], strict=True)]
    return _Chain(tuple(p for p in places if p), begin, finish)


def _place_name(text: str) -> str:
    for bracket in ("(", "（"):
        text = text.split(bracket)[0]
    text = _VIA_LEAD.split(text)[-1]  # 过往车辆请经石门沟 → 石门沟
    return _NUMBERING.sub("", text.strip(" ,，、:：")).strip(" ,，、:：")
