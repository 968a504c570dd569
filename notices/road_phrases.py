"""Parse tree of ``road.lark`` → phrases: stake spans, routes, windows, reasons.

The Transformer only maps: each rule becomes a small frozen phrase object carrying its
position in the notice. Which phrase plays which part in the record (the closed road or
the detour, the window or the issue date) is decided in :mod:`notices.road`.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field, replace
from functools import wraps
from typing import Any

from lark import Token, Transformer

from notices.model import Route, Stake
from notices.numerals import cn_int, numbers

ROUTE_CLASS = {"国道": "G", "省道": "S", "县道": "X", "乡道": "Y"}
_STAKE_PARTS = re.compile(r"(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Tok:
    """A token the grammar named (closure word, place, filler …)."""

    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Paren:
    """Bracketed words; what they hold is parsed like any other text."""

    items: tuple[Any, ...]
    start: int
    end: int


@dataclass(frozen=True)
class StakePoint:
    """A stake, with the place named beside it."""

    stake: Stake
    place: str | None
    start: int
    end: int
    ends: tuple[str, str | None] | None = None  # a bracket after it naming both ends: （A至B）


@dataclass(frozen=True)
class SegmentPhrase:
    """A stretch between stakes (or a single stake), on a road if one is named."""

    route: Route | None
    first: StakePoint
    last: StakePoint | None
    length_km: float | None
    start: int
    end: int


@dataclass(frozen=True)
class PlaceSpan:
    """From one named place to another (垃圾场道口至千金岭隧道)."""

    first: Tok
    last: Tok | None
    start: int
    end: int


@dataclass(frozen=True)
class RouteRef:
    """A road as printed, with its position."""

    route: Route
    start: int
    end: int


@dataclass(frozen=True)
class RouteMention:
    """A road named on its own, with the bracketed words after it."""

    route: Route
    paren: Paren | None
    start: int
    end: int


@dataclass(frozen=True)
class When:
    """A point in time as printed: some of year, month, day; maybe a clock time."""

    year: int | None
    month: int | None
    day: int | None
    next_day: bool
    time: str | None
    text: str
    next_year: bool = False
    start: int = field(default=0, compare=False)  # where it is printed in the canonical text
    end: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Period:
    """A window as printed: from a point (or from issue) to a point (or to completion)."""

    first: When | None
    from_now: bool
    last: When | None
    until_complete: bool
    start: int
    end: int
    bare: bool = False  # a date alone, no 起 and no end (2024年8月14日对甲路实施全封闭施工)


@dataclass(frozen=True)
class DailyHours:
    """Hours of each day (每日7时至19时, 每晚20时至次日8时)."""

    first: str | None
    last: str | None
    start: int
    end: int


@dataclass(frozen=True)
class Reason:
    """Why the road closes: the phrases after 因/由于 up to the clause's end."""

    items: tuple[Any, ...]
    start: int
    end: int


Sentence = tuple[Any, ...]


def span(children: list[Any]) -> tuple[int, int]:
    starts = [c.start for c in children if hasattr(c, "start")]
    ends = [c.end for c in children if hasattr(c, "end")]
    return (min(starts), max(ends)) if starts else (0, 0)


def _tok(token: Token) -> Tok:
    return Tok(token.type, str(token), token.start_pos or 0, token.end_pos or 0)


def stake(text: str) -> Stake:
    """Read a printed stake (K189+400, K1700 500, 791km+230m, K12.5) in metres."""
    compact = text.replace(" ", "+")
    groups = _STAKE_PARTS.findall(compact.lower().replace("km", "k"))
    km = int(groups[0][0])
    if len(groups) > 1:
        metres = int(groups[1][0])
    else:  # K12.5: decimal kilometres
        metres = round(float("0." + groups[0][1]) * 1000) if groups[0][1] else 0
    return Stake(text.replace(" ", ""), km * 1000 + metres)


def _route(tokens: list[Tok]) -> Route:
    code, name = None, None
    for tok in tokens:
        if tok.kind == "ROUTE_CODE":
            code = tok.text.upper().removesuffix("线")
        elif tok.kind == "ROUTE_NUM":
            letter = next((v for k, v in ROUTE_CLASS.items() if k in tok.text), "G")
            explicit = re.search(r"([GSXYgsxy]?)(\d+)", tok.text)
            digits = explicit.group(2) if explicit else ""
            code = ((explicit.group(1) if explicit else "") or letter).upper() + digits
        elif tok.kind != "ROUTE_CLASS":
            name = tok.text
    return Route(code, name)


_MINGUO = 1911  # the year before the Minguo calendar's first
_MINGUO_LAST = 120  # three-digit years the lexer reads as Minguo (YEAR_NUM): 100–119


def _day_of(values: list[int], text: str, count: int) -> tuple[int | None, int, int]:
    """Year (when printed), month and day of a date token; a part of a month (8月底,
    6月下旬) stands for its last, 10th or 20th day."""
    year = values[0] if count == 3 else None
    if year is not None and year < _MINGUO_LAST:
        year += _MINGUO  # 114年7月23日 in Taiwan: 2025
    month = values[count - 2]
    if len(values) >= count:
        return year, month, values[count - 1]
    if text.endswith("上旬"):
        return year, month, 10
    if text.endswith("中旬"):
        return year, month, 20
    last = calendar.monthrange(year or 2001, month)[1] if 1 <= month <= 12 else 31
    return year, month, last


def _when(parts: list[Any]) -> When:
    year = month = day = None
    next_day, next_year, time, texts = False, False, None, []
    for part in parts:
        if isinstance(part, When):
            return part
        texts.append(part.text)
        if part.kind == "DATE":
            year, month, day = _day_of(numbers(part.text), part.text, 3)
        elif part.kind == "MONTH_DAY":
            _, month, day = _day_of(numbers(part.text), part.text, 2)
        elif part.kind == "DAY_ONLY":
            day = numbers(part.text)[0]
        elif part.kind == "NEXT_YEAR":
            next_year = True
        elif part.kind == "NEXT_DAY":
            next_day = True
        elif part.kind == "TIME":
            time = part.text
    start, end = span(parts)
    return When(year, month, day, next_day, time, "".join(texts), next_year, start, end)


def _tokens_as_toks(cls: type[Transformer[Token, Any]]) -> type[Transformer[Token, Any]]:
    """Give every rule method its tokens as :class:`Tok` (Lark passes raw tokens inline)."""
    for name, method in list(vars(cls).items()):
        if callable(method) and not name.startswith("_"):
            setattr(cls, name, _converting(method))
    # notices.lalr hands these rules Toks itself, and calls them unwrapped
    cls.token_type = Tok  # type: ignore[attr-defined]
    return cls


def _converting(method: Any) -> Any:
    @wraps(method)
    def rule(self: Any, children: list[Any]) -> Any:
        return method(self, [_tok(c) if isinstance(c, Token) else c for c in children])

    return rule


@_tokens_as_toks
class RoadTransformer(Transformer[Token, list[Sentence]]):
    """Map a ``road.lark`` tree to sentences of phrases (applied by Lark while parsing)."""

    def start(self, children: list[Any]) -> list[Sentence]:
        return [c for c in children if isinstance(c, tuple)]

    def sentence(self, children: list[Any]) -> Sentence:
        return tuple(_named_then_coded(children))

    def paren(self, children: list[Any]) -> Paren:
        inner = tuple(
            c for c in children if not (isinstance(c, Tok) and c.kind in ("LPAR", "RPAR"))
        )
        return Paren(inner, *span(children))

    def route(self, children: list[Tok]) -> RouteRef:
        return RouteRef(_route(children), *span(children))

    def route_mention(self, children: list[Any]) -> RouteMention:
        ref: RouteRef = children[0]
        paren = next((c for c in children if isinstance(c, Paren)), None)
        route = ref.route
        inner = [i for i in paren.items if not isinstance(i, Tok)] if paren else []
        named = len(inner) == 1 and isinstance(inner[0], RouteMention) and not inner[0].paren
        if paren and named and route.name is None and inner[0].route.code is None:
            route, paren = Route(route.code, inner[0].route.name), None  # X305线（柳园线）
        elif paren and named and route.code is None and inner[0].route.name is None:
            route, paren = Route(inner[0].route.code, route.name), None  # 京哈高速（G1）
        elif paren and route.name is None and _bracketed_name(paren):
            route, paren = Route(route.code, paren.items[0].text), None  # X157（玛红线）
        return RouteMention(route, paren, ref.start, ref.end if paren is None else paren.end)

    def stake_point(self, children: list[Any]) -> StakePoint:
        stake_tok = children[0]
        place = next(
            (c.text for c in children[1:] if isinstance(c, Tok) and c.kind == "PLACE"), None
        )
        paren = next((c for c in children if isinstance(c, Paren)), None)
        spans = [i for i in paren.items if isinstance(i, PlaceSpan)] if paren else []
        ends = (
            (spans[0].first.text, spans[0].last.text if spans[0].last else None) if spans else None
        )
        if place is None and paren and not spans:
            place = _paren_place(paren)
        return StakePoint(stake(stake_tok.text), place, *span(children), ends=ends)

    def stake_end(self, children: list[Any]) -> StakePoint | Tok:
        child: StakePoint | Tok = children[0]
        return child

    def segment(self, children: list[Any]) -> SegmentPhrase:
        route = children[0].route if isinstance(children[0], RouteRef) else None
        points = [c for c in children if isinstance(c, StakePoint)]
        if len(points) == 2 and points[1].ends is not None:  # K96+300至K98+150（A至B）
            first_place, last_place = points[1].ends
            points = [replace(points[0], place=first_place), replace(points[1], place=last_place)]
        abbreviated = next((c for c in children if isinstance(c, Tok) and c.kind == "NUMBER"), None)
        last = points[1] if len(points) > 1 else None
        if last is None and abbreviated is not None:
            last = _abbreviated_end(points[0], abbreviated)
        length = next((c for c in children if isinstance(c, Tok) and c.kind == "LENGTH"), None)
        km = length_km(length.text) if length else None
        return SegmentPhrase(route, points[0], last, km, *span(children))

    def place_point(self, children: list[Any]) -> StakePoint | SegmentPhrase | Tok:
        place: Tok = children[0]
        paren: Paren = children[1]
        stakes = [i for i in paren.items if isinstance(i, SegmentPhrase)]
        if len(stakes) != 1:
            return place  # the brackets hold no single stake or range: the place alone
        inner = stakes[0]
        first = StakePoint(inner.first.stake, place.text, place.start, paren.end)
        if inner.last is None:
            return first
        return SegmentPhrase(
            inner.route, first, inner.last, inner.length_km, place.start, paren.end
        )

    def placed_span(self, children: list[Any]) -> SegmentPhrase | PlaceSpan:
        if isinstance(children[0], SegmentPhrase):
            return children[0]  # 东门关隧道（K2019+343至K2020+731）: the range was in the brackets
        points = [c for c in children if isinstance(c, StakePoint)]
        length = next((c for c in children if isinstance(c, Tok) and c.kind == "LENGTH"), None)
        km = length_km(length.text) if length else None
        if points and isinstance(children[0], StakePoint):
            return SegmentPhrase(
                None, points[0], points[1] if len(points) > 1 else None, km, *span(children)
            )
        places = [c for c in children if isinstance(c, Tok) and c.kind == "PLACE"]
        last = places[1] if len(places) > 1 else None
        return (
            PlaceSpan(places[0], last, *span(children))
            if places
            else PlaceSpan(children[0], None, 0, 0)
        )

    def place_span(self, children: list[Tok]) -> PlaceSpan:
        places = [c for c in children if c.kind != "TO"]
        return PlaceSpan(places[0], places[1] if len(places) > 1 else None, *span(children))

    def when(self, children: list[Any]) -> When:
        flat: list[Any] = []
        for child in children:
            flat.extend(child if isinstance(child, list) else [child])
        return _when(flat)

    def day_ref(self, children: list[Tok]) -> list[Tok]:
        return children

    def clock(self, children: list[Tok]) -> list[Tok]:
        ampm = next((c.text for c in children if c.kind == "AMPM"), None)
        time = next(c for c in children if c.kind == "TIME")
        return [Tok("TIME", f"{ampm or ''}{time.text}", time.start, time.end)]

    def period_end(self, children: list[Any]) -> When | Tok:
        if isinstance(children[0], When):
            result: When | Tok = children[0]
        else:
            result = children[0]
        return result

    def period(self, children: list[Any]) -> Period:
        from_now = any(isinstance(c, Tok) and c.kind == "FROM_NOW" for c in children)
        whens = [c for c in children if isinstance(c, When)]
        done = isinstance(children[-1], Tok) and children[-1].kind == "UNTIL_DONE"
        if len(children) == 2 and isinstance(children[0], When) and done:  # 6月30日完工
            return Period(None, False, children[0], False, *span(children))
        if isinstance(children[0], Tok) and children[0].kind in ("TO", "END_LABEL"):
            # 至6月16日止, 结束时间：6月16日: the end alone
            return Period(None, False, whens[0] if whens else None, False, *span(children))
        until = any(isinstance(c, Tok) and c.kind == "UNTIL_DONE" for c in children)
        first = None if from_now else (whens[0] if whens else None)
        last = whens[-1] if (whens and (from_now or len(whens) > 1)) else None
        event = next((c for c in children if _is_event_end(c)), None)
        if event is not None and first is not None and last is None:
            # 18:30至活动结束: an event ends on its day
            last, until = When(None, None, None, False, None, event.text), False
        bare = len(children) == 1 and first is not None
        return Period(first, from_now, last, until, *span(children), bare=bare)

    def daily(self, children: list[Any]) -> DailyHours:
        times = [c[0].text for c in children if isinstance(c, list)]
        toks = [c for c in children if isinstance(c, Tok)]
        first = times[0] if times else None
        last = times[1] if len(times) > 1 else None
        return DailyHours(first, last, *span(toks))

    def reason(self, children: list[Any]) -> Reason:
        return Reason(tuple(children[1:]), children[0].start, span(children)[1])


def _named_then_coded(items: list[Any]) -> list[Any]:
    """A road's name printed right before its code is one road (川藏公路318国道K4008):
    the name joins the coded mention or stretch after it."""
    out: list[Any] = []
    for item in items:
        prev = out[-1] if out else None
        route = item.route if isinstance(item, RouteMention | SegmentPhrase) else None
        if (
            isinstance(prev, RouteMention)
            and prev.paren is None
            and prev.route.code is None
            and route is not None
            and route.code
            and route.name is None
            and prev.end == item.start
        ):
            joined = Route(route.code, prev.route.name)
            out[-1] = replace(item, route=joined, start=prev.start)
        else:
            out.append(item)
    return out


def _bracketed_name(paren: Paren) -> bool:
    """Brackets holding only a road's name the lexer did not read as one (玛红线: 红线)."""
    only = paren.items[0] if len(paren.items) == 1 else None
    return isinstance(only, Tok) and only.kind == "FILLER" and bool(_NAME.fullmatch(only.text))


_NAME = re.compile(r"[\u4e00-\u9fff]{2,6}(?:线|公路|高速)")


def _is_event_end(child: Any) -> bool:
    return (
        isinstance(child, Tok)
        and child.kind == "UNTIL_DONE"
        and _EVENT.match(child.text) is not None
    )


_EVENT = re.compile(r"活动|比赛|赛事|演出|庆典")


def _paren_place(paren: Paren) -> str | None:
    words = [
        c.text
        for c in paren.items
        if isinstance(c, Tok) and c.kind in ("PLACE", "FILLER", "ROUTE_NAME")
    ]
    return "".join(words) or None


def _abbreviated_end(first: StakePoint, number: Tok) -> StakePoint:
    """K164+200-205: the end shares the kilometre of the start."""
    metres = int(float(number.text))
    km = first.stake.m // 1000
    value = km * 1000 + metres if metres < 1000 else metres * 1000
    return StakePoint(Stake(number.text, value), None, number.start, number.end)


def length_km(text: str) -> float | None:
    """Read a printed length (约2.542公里, 长800米) in kilometres."""
    match = re.search(r"\d+(?:\.\d+)?", text)
    if not match:
        return None
    value = float(match.group())
    metres = text.rstrip().endswith(("米", "m", "M")) and not text.lower().rstrip().endswith("km")
    return round(value / 1000, 6) if metres else value


__all__ = [
    "DailyHours",
    "Paren",
    "Period",
    "PlaceSpan",
    "Reason",
    "RoadTransformer",
    "RouteMention",
    "RouteRef",
    "SegmentPhrase",
    "Sentence",
    "StakePoint",
    "Tok",
    "When",
    "cn_int",
    "length_km",
    "span",
    "stake",
]
