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
from functools import lru_cache
from typing import Any

from notices import regions
from notices.model import Route
from notices.normalize import SECTION_START
from notices.road_phrases import (
    ROUTE_CLASS,
    Paren,
    PlaceSpan,
    Reason,
    RouteMention,
    SegmentPhrase,
    Tok,
    span,
)

CLOSING = frozenset(("FULL", "HALF", "PART", "CLOSE", "BAN", "CONTROL", "ONE_WAY"))

# What follows a road that is only a landmark on the closed stretch: a junction, a point.
_LANDMARK_AFTER = re.compile(
    r"[^,。;:!?()\n、和及从至到A-Za-z]{0,10}?(?:交叉|交汇|平交|相接|相交|交界|衔接|路口|道口|岔口|叉口|接线|连接线)"
    r"|(?:[东西南北]?口|处|出口|入口|附近|以[东西南北]|[东西南北]侧|收费站|互通|立交|枢纽|服务区|方向|沿线|两侧)"
    r"|\(不含"  # 东起甲大道(不含): a bound of the area, left open
    r"|之间"  # 甲街与乙街之间的一段丙街: the closed stretch of 丙街 lies between them
)
# A clause that keeps its roads open: they are not closed, whatever else the notice closes
# (其中甲路、乙路路口均不封闭, 乙路南北方向可正常通行).
_SPARED = re.compile(
    r"[均都]不(?:封闭|封路|断交|断行|受影响)|不受影响|不在[^,。;]{0,10}范围|可正常通行"
)
# What precedes a road passed under, over, along or towards.
_LANDMARK_BEFORE = re.compile(
    r"(?:下穿|上跨|跨越|穿越|往|往返|连接|毗邻|紧邻|既有|顺接|接入|接顺|连通|介乎|介于|转|→"
    r"|[东西南北][至起到])$"  # 甲路东至乙路，西至丙路: the ends of 甲路
)
# The end of a street's name, its direction in brackets after it or not: a street 近 it is
# a landmark (甲街近乙街的一段, 甲道(南行)近乙街)
_NEAR_AFTER = re.compile(r"[街路道桥巷](?:\([^()]{1,4}\))?$")
# What follows a street that is a subdistrict (甲集街道乙路), not a road (甲街道路: its road)
_SUBDISTRICT = re.compile(r"道(?!路)[\u4e00-\u9fff]")
# The second bound of a stretch told by its ends (介乎甲街与乙街的丙街: 丙街 between them).
_BETWEEN = re.compile(r"介[乎于][^,。;:!?]{1,16}[与和及]$")


@dataclass(frozen=True)
class Mention:
    """A road or stretch as it stands in a clause."""

    item: RouteMention | SegmentPhrase
    closing: bool  # its clause closes or controls something
    in_reason: bool
    in_title: bool
    landmark: bool
    structure: bool = False  # a bridge, tunnel or roundabout closed as a whole
    # a structure that stays a route beside closed roads: listed with them (甲路、乙大桥),
    # or known by the road that carries it
    kept: bool = False

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
    walks = _Walks()  # each clause walked once, however many rules read it
    split = [list(clauses(sentence)) for sentence in sentences]
    carried = _carried(split, canon, walks)
    listed = False  # in the items after 对以下道路…封闭施工：
    for index, sentence in enumerate(sentences):
        lo, hi = span(sentence)
        is_item = hi > lo and SECTION_START.match(canon, lo) is not None
        listed = listed and (is_item or _entry(sentence, lo, hi))
        if is_item and _CLOSED_SECTION.fullmatch(canon, lo, hi):
            listed = True  # 二、管制路段 over the items that name the closed roads
            continue
        for clause, told in _closings(split[index], walks):
            walked_clause = walks.of(clause)
            named = _bracketed_lists(walked_clause)
            closing = listed or told
            if closing and _announces_list(clause, canon):
                listed = True
            via = _via_spans(clause, canon)
            spared = _SPARED.search(canon, *span(clause)) is not None  # 其中甲路、乙路路口均不封闭
            for item, in_reason, bracketed in walked_clause:
                if via and hasattr(item, "start") and any(a <= item.start < b for a, b in via):
                    continue  # the way round, told in a closing clause (由未封闭的半幅和乙路通行)
                walked = item
                if isinstance(item, PlaceSpan) and item.last is None:
                    item = item.first  # 幸福桥（桥长186米）
                # 甲路与乙路口至甲路与丙路口: 甲路 (in a road's brackets, that road's stretch)
                shared = _shared_road(item) if isinstance(item, PlaceSpan) else None
                if closing and shared and not in_reason and not bracketed:
                    at = RouteMention(_route_of(shared), None, item.start, item.end)
                    found.append(Mention(at, closing, in_reason, index == title, False))
                    continue
                junction = _JUNCTION.fullmatch(item.text) if _kind(item) == "PLACE" else None
                if closing and junction and not in_reason:  # 甲路与乙路平交口 closed: 甲路
                    at = RouteMention(_route_of(junction.group(1)), None, item.start, item.end)
                    found.append(Mention(at, closing, in_reason, index == title, True, True))
                elif _is_structure(item, canon):
                    road = carried.get(item.text, Route(None, item.text))
                    mention = RouteMention(road, None, item.start, item.end)
                    landmark = bracketed or _is_landmark(mention, canon) or _ends(item, canon)
                    kept = (
                        listed
                        or item.text in carried
                        or _listed(walked, clause)
                        or _alone(walked_clause)
                    )
                    found.append(
                        Mention(mention, closing, in_reason, index == title, landmark, True, kept)
                    )
                elif isinstance(item, RouteMention | SegmentPhrase):
                    # a road in brackets names an end of the stretch (东坡路（南谯路至阳明路段）),
                    # unless the brackets list the roads a word for roads means (省道(S219、S213))
                    end = bracketed and isinstance(item, RouteMention) and id(item) not in named
                    landmark = end or spared or _is_landmark(item, canon)
                    found.append(Mention(item, closing, in_reason, index == title, landmark))
    return found


def _entry(sentence: list[Any], lo: int, hi: int) -> bool:
    """An unnumbered entry of a list of roads: short, naming a road, closing nothing itself
    (下列道路将封闭：介乎甲街与乙街的丙街； 丁街；及 …)."""
    if hi - lo > _ENTRY:
        return False
    walked = [i for i, _, _ in _walk(sentence)]
    named = any(isinstance(i, RouteMention | SegmentPhrase) for i in walked)
    short = hi - lo <= _SHORT_ENTRY  # 丁坊；: a place the lexer knows no road by
    return (named or short) and not any(_kind(i) in CLOSING for i in walked)


_ENTRY = 40  # characters
_SHORT_ENTRY = 8


def _closings(parts: list[list[Any]], walks: _Walks) -> list[tuple[list[Any], bool]]:
    """Each clause of a sentence with whether it closes something. A short clause of
    closing words alone closes the stretch the clause before it names (甲高速乙站至丙站，全封闭)."""
    walked = [walks.of(c) for c in parts]
    told = [any(_kind(i) in CLOSING for i, _, _ in w) for w in walked]
    for n in range(len(parts) - 1):
        lo, hi = span(parts[n + 1])
        bare = told[n + 1] and hi - lo <= _BARE_CLOSING and not _names_a_road(walked[n + 1])
        if bare and not told[n] and _names_a_road(walked[n]):
            told[n] = True
    return list(zip(parts, told, strict=True))


class _Walks:
    """Each clause's walk (:func:`_walk`), made once for a notice's rules to share."""

    def __init__(self) -> None:
        self._made: dict[int, tuple[list[Any], list[tuple[Any, bool, bool]]]] = {}

    def of(self, clause: list[Any]) -> list[tuple[Any, bool, bool]]:
        """The walk of ``clause`` (the very list: its id is the key, and it is kept alive)."""
        made = self._made.get(id(clause))
        if made is None or made[0] is not clause:
            made = self._made[id(clause)] = (clause, _walk(clause))
        return made[1]


_BARE_CLOSING = 6  # characters: 全封闭, 半幅封闭施工


def _names_a_road(walked: list[tuple[Any, bool, bool]]) -> bool:
    return any(
        isinstance(i, RouteMention | SegmentPhrase)
        or (isinstance(i, PlaceSpan) and _shared_road(i) is not None)
        for i, _, _ in walked
    )


def _bracketed_lists(walked: list[tuple[Any, bool, bool]]) -> set[int]:
    """The roads of brackets that hold roads and nothing else (省道(S219迎宾路、S213嘉博线)):
    they name what the words before mean, not an end of a stretch. ``walked``: the clause's walk."""
    named: set[int] = set()
    for item, _, _ in walked:
        paren = item if isinstance(item, Paren) else getattr(item, "paren", None)
        if not isinstance(paren, Paren):
            continue
        roads = [i for i in paren.items if isinstance(i, RouteMention)]
        rest = [i for i in paren.items if not isinstance(i, RouteMention) and not _joins(i)]
        if len(roads) > 1 and not rest:
            named.update(id(r) for r in roads)
    return named


def _ends(item: Tok, canon: str) -> bool:
    """A structure that is an end of a stretch (甲大桥至乙镇段): a place on the closed road."""
    return (
        canon[item.end : item.end + 1] in _TO or canon[max(0, item.start - 1) : item.start] in _TO
    )


_TO = frozenset("至到—~")


def _listed(item: Any, clause: list[Any]) -> bool:
    """A structure in a list with roads or other structures (甲路、乙大桥及丙路)."""
    at = next((n for n, i in enumerate(clause) if i is item), None)
    if at is None:
        return False
    for step in (-1, 1):
        k = at + step
        while 0 <= k < len(clause) and isinstance(clause[k], Paren):
            k += step  # 幸福桥（桥长186米）及幸福路
        if not (0 <= k + step < len(clause) and _joins(clause[k])):
            continue
        other = clause[k + step]
        if isinstance(other, RouteMention | SegmentPhrase) or _kind(other) == "PLACE":
            return True
    return False


def _alone(walked: list[tuple[Any, bool, bool]]) -> bool:
    """A clause (by its walk) that closes one structure and nothing else of it (封闭此次北岭隧道),
    not a part (某互通立交往甲方向匝道禁止通行) or a road beside it."""
    kinds = {_kind(i) for i, _, _ in walked}
    return bool(CLOSING & kinds) and "PART" not in kinds and not _names_a_road(walked)


def _joins(item: Any) -> bool:
    return _kind(item) == "LIST_SEP" or (_kind(item) == "FILLER" and item.text in _AND)


_AND = frozenset(("及", "和", "与", "以及"))  # 、 is the lexer's LIST_SEP


# An item's heading over the closed roads (二、管制路段 / (一)封闭范围：).
_CLOSED_SECTION = re.compile(
    r"\s*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]{1,2}[)）]|\d{1,2}[、.．])\s*"
    r"(?:交通)?(?:管制|封闭|施工|限行|禁行|管控|占道)(?:的)?(?:路段|范围|区域|道路|地点|位置|路线)"
    r"\s*[:：]?\s*"
)


def _announces_list(clause: list[Any], canon: str) -> bool:
    """A closing clause whose words before a colon name no road and point to the items
    after it (对以下道路在通告时间段内进行封闭施工：1.甲路… 2.乙路…)."""
    colon = next((n for n, i in enumerate(clause) if _kind(i) == "COLON"), None)
    head = clause[:colon] if colon is not None else []
    lo, hi = span(head)
    if hi == lo or any(isinstance(i, RouteMention | SegmentPhrase) for i, _, _ in _walk(head)):
        return False
    return _FOLLOWING.search(canon, lo, hi) is not None


_FOLLOWING = re.compile(r"以下|下列|如下")


def _via_spans(clause: list[Any], canon: str) -> list[tuple[int, int]]:
    """Where a clause tells the way round: from 由/经/走 to 通行/绕行, with no closing word."""
    lo, hi = span(clause)
    return [(lo + m.start("via"), lo + m.end("via")) for m in _VIA.finditer(canon[lo:hi])]


_VIA = re.compile(
    r"(?:经由|由|经|通过|改走|可走|走)(?P<via>(?:未封|(?![,。;:禁封断管限]).){2,40}?)"
    r"(?:通行|绕行|绕道|行驶|分流|上行|下行)"
)


def _carried(split: list[list[list[Any]]], canon: str, walks: _Walks) -> dict[str, Route]:
    """The road each bridge or tunnel is on, where the notice prints it after its road
    (G331丹阿公路密山段兴利桥, 访上线(X352)荆林桥): closing the bridge closes that road.
    ``split``: each sentence's clauses."""
    carried: dict[str, Route] = {}
    for parts in split:
        for clause in parts:
            road: Route | None = None
            listed = False  # a road and the joining word after it (甲大道、)
            for item, _, bracketed in walks.of(clause):
                named = isinstance(item, RouteMention | SegmentPhrase) and item.route is not None
                if named:
                    road = item.route
                joined = listed
                listed = _joins(item) and road is not None and not named and not joined
                if listed:
                    continue
                if _kind(item) in CLOSING or (joined and _is_structure(item, canon)):
                    road = None  # 甲大道、乙大桥: two closed, the bridge not on the road
                elif road is not None and _is_structure(item, canon) and not bracketed:
                    carried.setdefault(item.text, road)  # not 迎宾大道（体育中心至沅水大桥）
                elif road is not None and isinstance(item, SegmentPhrase):
                    for point in (item.first, item.last):  # 某隧道(K167+710~K170+089)
                        if point and point.place and _structure_name(point.place):
                            carried.setdefault(point.place, item.route or road)
    return carried


def closed_routes(found: list[Mention]) -> list[Route]:
    """The closed roads, each once, by the tiers of trust in the module's docstring."""
    usable = [m for m in found if m.route is not None and not m.landmark]
    roads = [m for m in usable if not m.structure]
    closed = [m for m in usable if (m.staked or (m.closing and not m.in_reason)) and not m.in_title]
    if any(not m.structure for m in closed):  # a bridge or interchange on the closed road
        closed = [m for m in closed if not m.structure or m.kept]
    tiers = (
        closed,
        [m for m in usable if m.in_title and (not m.structure or m.closing)],
        [m for m in roads if m.in_reason and (m.staked or m.closing)],
        # any road or bridge named, the project in the reason last
        [m for m in usable if not m.in_reason] or roads,
    )
    routes: list[Route] = []
    structures = [m for m in usable if m.structure and not m.in_reason]  # 对便江南大桥进行检测
    landmarks = [  # a junction closed whole closes its road (南环路市委广场丁字路口)
        m
        for m in found
        if m.landmark and m.closing and not m.in_reason and isinstance(m.item, RouteMention)
    ]
    reasons = [m for m in usable if m.structure and m.in_reason]  # 经检测，某大桥属危桥…关闭交通
    for tier in (*tiers, structures, landmarks, reasons):
        for mention in tier:
            route = mention.route
            # a stretch may be of a road named no better than 高速公路: no route of its own
            if route is not None and (_is_road(route) or (mention.staked and not route.name)):
                merge_route(routes, route)
        if routes:
            break
    for mention in roads:  # the same roads, named more fully elsewhere
        if mention.route is not None and any(same(mention.route, r) for r in routes):
            merge_route(routes, mention.route)
    routes = [r for r in routes if not _overread(r, routes)]
    return sorted(routes, key=lambda r: _first_named(r, found))


def _overread(route: Route, routes: list[Route]) -> bool:
    """A name read with the prose before it, where the notice names the road alone too
    (内甲许路 beside 甲许路, 广东乙海大桥 beside 乙海大桥): the longer is a misreading."""
    name = route.name
    if not name or route.code:
        return False
    for other in routes:
        short = other.name
        if not short or short == name or not name.endswith(short):
            continue
        head = name[: -len(short)]
        if regions.leading(name) == len(head) or (len(head) == 1 and head not in _OWN_HEADS):
            return True
        if len(head) == 2 and len(short) >= 4:
            return True
    return False


_OWN_HEADS = frozenset("东西南北中大小新老前后上下内外")  # 东甲路 and 甲路 are two roads


def _first_named(route: Route, found: list[Mention]) -> int:
    """Where a road is first named as more than a landmark: closed roads are listed in
    printed order (介乎甲街与乙街的丙街；介乎甲街与丙街的乙街: 丙街, then 乙街)."""
    named = [m for m in found if m.route is not None and same(m.route, route)]
    return min(
        (m.item.start for m in named if not m.landmark),
        default=min((m.item.start for m in named), default=0),
    )


def _shared_road(span: PlaceSpan) -> str | None:
    """The road two junctions share, a stretch from one to the other on it (甲路与乙路交叉口至
    甲路与丙路交叉口: 甲路)."""
    if span.last is None:
        return None
    ends = [_JUNCTION.fullmatch(t.text) for t in (span.first, span.last)]
    if ends[0] is None or ends[1] is None:
        return None
    first, last = ends[0].group(1), ends[1].group(1)
    if first.endswith(last):
        return last  # 前甲路与…: the prose before the first junction is not the road's
    return first if last.endswith(first) else None


def _route_of(printed: str) -> Route:
    code = _CODE.match(printed)
    if code is not None:
        return Route(code.group(1).upper(), printed[code.end() :] or None)
    numbered = _NUMBERED.fullmatch(printed)  # 国道324线, 324国道: the road of that number
    if numbered is not None:
        kind = numbered.group(1) or numbered.group(4)
        return Route(ROUTE_CLASS[kind] + (numbered.group(2) or numbered.group(3)), None)
    return Route(None, printed)


_JUNCTION = re.compile(
    r"([^与]{2,14}?)与[^与]{2,14}?(?:平交口|交叉口|交汇处|交汇点|交叉路口|十字路口|丁字路口|路口|交口)"
)
_CODE = re.compile(r"([GSXYCZgsxycz]\d{1,4})线?")
_NUMBERED = re.compile(r"(国道|省道|县道|乡道)(\d{1,4})线?|(\d{1,4})(国道|省道|县道|乡道)")


def _is_structure(item: Any, canon: str) -> bool:
    """A bridge, tunnel, interchange or roundabout: closed as a whole, it is the closed road.

    A direction after it makes it a place (南桥西 is a town's west side).
    """
    if not (isinstance(item, Tok) and item.kind == "PLACE" and _structure_name(item.text)):
        return False
    after = canon[item.end : item.end + 2]
    return after[:1] not in _DIRECTIONS or after[1:2] in _SIDES  # 一宫环岛南侧 is the roundabout


def _structure_name(text: str) -> bool:
    """A structure's name, with two characters or more of its own (两桥 is not one)."""
    suffix = next((s for s in _STRUCTURES if text.endswith(s)), None)
    return suffix is not None and len(text) - len(suffix) >= 2 and not _KIND_OF_BRIDGE.search(text)


# Words for a kind of bridge, not a bridge's name (国省干线公路重点桥隧, 五类危桥).
_KIND_OF_BRIDGE = re.compile(r"(?:重点|危旧|危|病害|[一二三四五]类)(?:桥|隧道)$")


_DIRECTIONS = frozenset("东西南北")
_SIDES = frozenset("侧面端部口半段")
_STRUCTURES = ("桥", "隧道", "立交", "互通", "环岛", "转盘", "涵洞", "通道")


def _is_road(route: Route) -> bool:
    """A road by code or a proper name: not a word for roads in general (重点公路, 公路)."""
    if route.code:
        return True
    name = route.name or ""
    return bool(name) and not generic(name)


def generic(name: str) -> bool:
    """A word for roads in general (高速公路, 重点公路, 周边道路), not a road's name."""
    bare = _bare(name)
    if _GENERIC.fullmatch(bare) is not None:
        return True
    network = _NETWORK.fullmatch(bare)  # 湖北高速公路: a province's expressways, no one road
    return network is not None and regions.is_province(network.group(1))


_NETWORK = re.compile(r"(.{2,8}?)(?:省|市|自治区)?(?:高速公路|高速路|高速)")


_GENERIC = re.compile(
    r"(?:\d*[条个座处]|(?:按|沿|经)?原)?"  # 48条高速公路: a count of roads; 按原路返回
    r"(?:重点|干线|国省干线|国省道|农村|乡村|城市|城区|县乡|通村|旅游|[一二三四]级|相关|周边|沿线|进出|附近|[\u4e00-\u9fff]{0,4}地区|辖区|境内)?"
    r"(?:高速公路|高速路|高速|快速路|高架路|高架|公路|道路|路段|线路|路|(?:桥头)?接线|连接线|引道|便道|辅道)"
    r"(?:项目|工程)?"
)


def merge_route(routes: list[Route], new: Route) -> None:
    """Add a road, or complete the one already there (a code and its name, seen apart)."""
    for i, old in enumerate(routes):
        if same(old, new):
            routes[i] = Route(old.code or new.code, old.name or new.name)
            return
    routes.append(new)


def same(a: Route, b: Route) -> bool:
    """Tell whether two mentions name one road (by code, or by name with or without the
    division printed before it: 西平县甲大道 and 甲大道)."""
    if a.code and a.code == b.code:
        return True
    return bool(a.name and b.name and _bare(a.name) == _bare(b.name))


@lru_cache(maxsize=8192)  # bounded: an ingesting process meets new names all its life
def _bare(name: str) -> str:
    """A name without the division printed before it (西平县甲大道 → 甲大道)."""
    return name[regions.leading(name) :] or name


def _is_landmark(item: RouteMention | SegmentPhrase, canon: str) -> bool:
    if isinstance(item, SegmentPhrase):
        # a stretch is closed unless it is where another road meets the closed one
        return _LANDMARK_BEFORE.search(canon[max(0, item.start - 4) : item.start]) is not None
    end = item.end if item.paren is None else item.paren.start
    after = canon[end : end + 14]
    before = canon[max(0, item.start - 4) : item.start]
    if _LANDMARK_AFTER.match(after) or _LANDMARK_BEFORE.search(before):
        return True
    near = canon[max(0, item.start - 8) : item.start]
    if (item.route.name or "").startswith("近") and _NEAR_AFTER.search(near):
        return True  # 甲街近乙街的一段: 乙街 tells where on 甲街 (Hong Kong, Macau)
    if item.route.name and item.route.name.endswith("街") and _SUBDISTRICT.match(after):
        return True  # 云集街道滨江南路: a subdistrict, where the closed road lies
    between = _BETWEEN.search(canon[max(0, item.start - 20) : item.start])
    return after.startswith("的") and between is not None


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


def _walk(items: Iterable[Any]) -> list[tuple[Any, bool, bool]]:
    """Every phrase with whether it sits in a reason and in brackets, looking inside
    brackets (iteratively: brackets may nest thousands deep); a list, made at once."""
    out: list[tuple[Any, bool, bool]] = []
    stack: list[tuple[Iterator[Any], bool, bool]] = [(iter(items), False, False)]
    while stack:
        top, in_reason, bracketed = stack[-1]
        for item in top:
            if item is None:  # as before: a level ends at a None
                break
            out.append((item, in_reason, bracketed))
            if isinstance(item, Reason):
                stack.append((iter(item.items), True, bracketed))
                break
            if isinstance(item, Paren):
                stack.append((iter(item.items), in_reason, True))
                break
            if isinstance(item, RouteMention) and item.paren:
                stack.append((iter(item.paren.items), in_reason, True))
                break
        else:
            stack.pop()
            continue
        if item is None:
            stack.pop()
    return out


def named_by_ends(sentences: list[list[Any]], canon: str, title: int | None) -> list[Route]:
    """Roads named only by their two ends in a closing clause or the heading
    (对甲村至乙村段道路实行封闭, 四祖至大竹、大庙至团山等五条道路): the ends are the name."""
    routes: list[Route] = []
    for index, sentence in enumerate(sentences):
        for clause in clauses(sentence):
            lo, hi = span(clause)
            if hi == lo or not (index == title or any(_kind(i) in CLOSING for i in clause)):
                continue
            text = canon[lo:hi]
            for match in _ENDS.finditer(text):
                name = match.group("a") + match.group("to") + match.group("b") + match.group("tail")
                merge_route(routes, Route(None, name))
    return routes


# A road named by its ends: two place names of two characters or more, joined by 至 or 到,
# then a word for road or stretch, a list separator, or the closing words.
_END = (
    r"[^\x00-\x7f\s至到对将从由于在把和及与、，。；：（）()"
    r"的了是为向往起止时日月年号等该此各条段路道]"
)
_ENDS = re.compile(
    rf"(?<![^\x00-\x7f\s对将从于於在把和及与、，。；：（）()])(?!关[于於]|对[于於])"
    # the town before the ends (牛场镇牛场中学路口至…) is not the road's name
    rf"(?:[^\x00-\x7f\s对将从于在把和及与、，。；：（）()]{{2,3}}[镇乡](?={_END}{{2}}))?"
    rf"(?P<a>(?:{_END}|路口){{2,10}}?)(?P<to>至|到|--|—)(?P<b>(?:{_END}|路口){{2,10}}?)"
    r"(?P<tail>段道路|段公路|公路|道路|)(?=路段|段|[、，。；,;：:等（(]|实行|实施|进行|临时|全封|半封|封闭|禁止|$)"
)
