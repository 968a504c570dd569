"""Which part each road mention plays in a closure notice: closed, landmark, reason, title.

A notice names many roads besides the closed one: the junction a stretch starts at
(``S316柳桑线与S208平交口``), a road passed under (``下穿某高速处``), the project in the
reason (``因环江大道道路工程…``), the roads of the detour. Each mention is read in its
clause: what follows and precedes it, whether the clause closes something, whether it sits
in the reason. The closed roads are, in order of trust: stretches with stakes and roads in
closing clauses; else the roads of the heading; else those of the reason; else any road
named in the closure part. Landmarks are never closed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from notices.model import Route
from notices.road_phrases import Paren, Reason, RouteMention, SegmentPhrase, Tok

CLOSING = frozenset(("FULL", "HALF", "PART", "CLOSE", "BAN", "CONTROL", "ONE_WAY"))

# What follows a road that is only a landmark on the closed stretch: a junction, a point.
_LANDMARK_AFTER = re.compile(
    r"[^,。;:!?()\n]{0,10}?(?:交叉|交汇|平交|相接|相交|交界|衔接|路口|道口|岔口|叉口|接线|连接线)"
    r"|(?:口|处|附近|以[东西南北]|[东西南北]侧|收费站|互通|立交|枢纽|服务区|方向|沿线|两侧)"
)
# What precedes a road passed under, over, along or towards.
_LANDMARK_BEFORE = re.compile(r"(?:下穿|上跨|跨越|穿越|去往|驶往|前往|通往|连接|毗邻|紧邻|既有)$")


@dataclass(frozen=True)
class Mention:
    """A road or stretch as it stands in a clause."""

    item: RouteMention | SegmentPhrase
    closing: bool  # its clause closes or controls something
    in_reason: bool
    in_title: bool
    landmark: bool

    @property
    def route(self) -> Route | None:
        """The road it names."""
        return self.item.route

    @property
    def staked(self) -> bool:
        """It carries stakes (a stretch, or a road with a stake range in brackets)."""
        if isinstance(self.item, SegmentPhrase):
            return True
        paren = self.item.paren
        return paren is not None and any(isinstance(i, SegmentPhrase) for i in paren.items)


def mentions(sentences: list[list[Any]], canon: str, title: int | None) -> list[Mention]:
    """Every road mention of the closure part, with its role's evidence, in printed order."""
    found: list[Mention] = []
    for index, sentence in enumerate(sentences):
        for clause in clauses(sentence):
            closing = any(_kind(i) in CLOSING for i, _, _ in _walk(clause))
            for item, in_reason, bracketed in _walk(clause):
                if isinstance(item, RouteMention | SegmentPhrase):
                    # a road in brackets names an end of the stretch (东坡路（南谯路至阳明路段）)
                    landmark = (bracketed and isinstance(item, RouteMention)) or _is_landmark(
                        item, canon
                    )
                    found.append(Mention(item, closing, in_reason, index == title, landmark))
    return found


def closed_routes(found: list[Mention]) -> list[Route]:
    """The closed roads, each once, by the tiers of trust in the module's docstring."""
    usable = [m for m in found if m.route is not None and not m.landmark]
    tiers = (
        [m for m in usable if (m.staked or (m.closing and not m.in_reason)) and not m.in_title],
        [m for m in usable if m.in_title],
        [m for m in usable if m.in_reason and (m.staked or m.closing)],
        usable,
    )
    routes: list[Route] = []
    for tier in tiers:
        for mention in tier:
            if mention.route is not None and (mention.staked or _is_road(mention.route)):
                merge_route(routes, mention.route)
        if routes:
            break
    for mention in usable:  # the same roads, named more fully elsewhere
        if mention.route is not None and any(same(mention.route, r) for r in routes):
            merge_route(routes, mention.route)
    return routes


def _is_road(route: Route) -> bool:
    return bool(route.code or route.name)


def merge_route(routes: list[Route], new: Route) -> None:
    """Add a road, or complete the one already there (a code and its name, seen apart)."""
    for i, old in enumerate(routes):
        if same(old, new):
            routes[i] = Route(old.code or new.code, old.name or new.name)
            return
    routes.append(new)


def same(a: Route, b: Route) -> bool:
    """Tell whether two mentions name one road (by code, or by name)."""
    return bool((a.code and a.code == b.code) or (a.name and a.name == b.name))


def _is_landmark(item: RouteMention | SegmentPhrase, canon: str) -> bool:
    if isinstance(item, SegmentPhrase):
        # a stretch is closed unless it is where another road meets the closed one
        return _LANDMARK_BEFORE.search(canon[max(0, item.start - 4) : item.start]) is not None
    end = item.end if item.paren is None else item.paren.start
    after = canon[end : end + 14]
    before = canon[max(0, item.start - 4) : item.start]
    return bool(_LANDMARK_AFTER.match(after) or _LANDMARK_BEFORE.search(before))


def clauses(sentence: list[Any]) -> Iterator[list[Any]]:
    """The clauses of a sentence: its phrases between commas."""
    clause: list[Any] = []
    for item in sentence:
        if _kind(item) == "COMMA":
            yield clause
            clause = []
        else:
            clause.append(item)
    yield clause


def _kind(item: Any) -> str:
    return item.kind if isinstance(item, Tok) else type(item).__name__


def _walk(items: Iterable[Any]) -> Iterator[tuple[Any, bool, bool]]:
    """Yield every phrase with whether it sits in a reason and in brackets,
    looking inside brackets (iteratively: brackets may nest thousands deep)."""
    stack: list[tuple[Iterator[Any], bool, bool]] = [(iter(items), False, False)]
    while stack:
        top, in_reason, bracketed = stack[-1]
        item = next(top, None)
        if item is None:
            stack.pop()
            continue
        yield item, in_reason, bracketed
        if isinstance(item, Reason):
            stack.append((iter(item.items), True, bracketed))
        elif isinstance(item, Paren):
            stack.append((iter(item.items), in_reason, True))
        elif isinstance(item, RouteMention) and item.paren:
            stack.append((iter(item.paren.items), in_reason, True))
