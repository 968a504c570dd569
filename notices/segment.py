"""Clean page text → notice blocks: where each notice starts and ends, and what kind it is.

A notice opens with a heading (``封路通告``, ``关于…的通告``, ``遗失声明``), or, quoted in a
news article, with no heading at all. It ends at its signature (organisations and a date
on lines of their own), at the next heading, or where its kind's words stop. The kind is
read from the words the grammars know: a road closure needs closing words, a road and a
date; a loss declaration needs 遗失/挂失/作废. Anything else, however official it looks
(停水通知, 招标公告), is not ours and gives nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from typing import Literal

from notices.budget import check
from notices.grammars import island_line
from notices.normalize import SECTION_START, Paragraph, Text
from notices.roles import generic

Kind = Literal["road_closure", "loss_declaration"]

# Pages without any of these characters hold no notice of ours: skip them cheaply.
_MAYBE = re.compile(  # on the raw text, so in traditional characters too
    r"封|管\s*制|[断斷]\s*[交道]|禁\s*[止行车車]|中\s*[断斷]|分\s*流|限\s*[行速高宽寬重载載制]"
    r"|[绕繞]\s*行|占\s*[道用]|[关關]\s*[闭閉]|停\s*止|[暂暫]\s*停|围\s*蔽|[断斷]\s*流|有限度|[单單]\s*向\s*通\s*行"
    r"|[遗遺]\s*失|作\s*[废廢]|[挂掛]\s*失|[丢丟]\s*失"
)
_TITLE = re.compile(
    r"^(?:[^,。;!?:]{0,56}(?:通告|公告|通知|声明|启事|启示|公示|告示|交通(?:及运输)?安排)"
    r"|遗失|声明|通告|公告)"  # 临时交通安排, 特别交通及运输安排: Hong Kong's headings
    r"(?:\((?:第)?[^)]{1,12}号?\)|\[[^\]]{1,12}\])?[:!。]?$"
)
# Another kind of notice, wherever its words stand.
_OTHER_WORDS = (
    r"停水|停电|停气|停暖|供水(?!管)|供电(?!线|管)|供气(?!管)|供暖(?!管)|招标|采购|拆迁(?!工程)|征收|拍卖|爆竹"
    r"|听证|注销|减资|招领|寻物|寻人"
)
_OTHER_NOTICE = re.compile(_OTHER_WORDS)
# In a heading, reopening and court or company words say it too (a closure's own text may
# speak of reopening: 竣工通车, 半幅通车, 具体解除时间另行通知, so not in its body).
_NOT_OURS = re.compile(
    _OTHER_WORDS + r"|恢复通行|解除|开通|通车|合并|清算|股权|法院|催告|判决|裁定|送达|仲裁"
    r"|如何|怎么|怎样|什么是|范文|模板|写法|格式"  # an explainer of notices (如何关注封路公告)
)
_LOSS_WORDS = re.compile(r"遗失|丢失|挂失|作废")
# A closure told in the past (施工期间曾于…封闭) is news, not a notice.
_PAST = re.compile(r"曾于|曾经|此前已|已于[^,。;]{0,20}(?:恢复|通车|开放)")
_DECLARATION_TITLE = re.compile(r"声明|启事|启示|公告")
_LOSS_OPENING = re.compile(
    r"^[\[【]?(遗失声明|遗失启事|作废声明|挂失声明|遗失公告)[\]】]?[:：]?"
    r"|^([\[【](?:遗失|挂失|作废|声明)[\]】])"  # 【遗失】某某遗失…: a column's tag
)
_BULLET = re.compile(r"^[▲■●◆★※•□◇○△▼]")
_MAX_PARAGRAPHS = 32  # a notice of many items (a bridge a line) runs long; its signature ends it
_SHORT = 60

_CLOSING = {"CLOSE", "BAN", "FULL", "HALF"}
_MONTH_PARTS = ("底", "末", "旬")
_CODED = {"STAKE", "ROUTE_CODE", "ROUTE_NUM"}  # a road or stretch told by code or stake
_ROAD = _CODED | {"ROUTE_NAME"}
_WHEN = {"DATE", "MONTH_DAY", "FROM_NOW", "TODAY"}


@dataclass(frozen=True)
class Block:
    """One notice found in a page: paragraphs ``first..last`` (inclusive) of the clean text."""

    kind: Kind
    title: str | None
    start: int
    end: int


def may_hold_notices(raw: str) -> bool:
    """Tell cheaply whether a page could hold a notice of ours."""
    return _MAYBE.search(raw) is not None


def _para_text(text: Text, para: Paragraph) -> str:
    return text.canon[para.start : para.end]


def _is_title(line: str) -> bool:
    if "标题" in line or "打印" in line or "关闭" in line:  # else the frame is not there
        line = _FORUM_HEADING.sub("", line)  # (tried at every position: found in C first)
    line = line.strip("[]【】〔〕")
    if _DECORATED_HEADING.fullmatch(line):
        return True  # ■遗失声明, ◆遗失声明◆: a column's heading, not an entry
    return (
        len(line) <= _SHORT
        and _TITLE.match(line) is not None
        and not line.startswith(("▲", "■", "●", "特此", "此致"))
    )


# A forum's frame around a heading: 标题: 关于…的通告! [打印本页]
_FORUM_HEADING = re.compile(
    r"^\s*标题\s*[:：]\s*|\s*[\[【]\s*(?:打印本页|打印|关闭窗口|关闭)\s*[\]】]\s*$"
)
# A heading printed glued to the notice's first sentence (关于X789线养护的通告因路面沉陷…).
_GLUED_TITLE = re.compile(
    r"关于[^,。;:!?\n]{2,50}?的(?:通告|公告)(?=因|为|根据|由于|经|近日|自|现|按照|依据)"
)
_DECORATIONS = "[]【】〔〕▲■●◆★※•□◇○△▼ !！"
_DECORATED_HEADING = re.compile(
    r"[▲■●◆★※•□◇○△▼]+\s*(?:遗失|作废|挂失)(?:声明|启事|公告)\s*[▲■●◆★※•□◇○△▼]*"
)


def _kind_list(line: str) -> list[str]:
    """The kinds of a line's tokens, one per token (counted by C, in a ``Counter``)."""
    kinds = [_segment_kind(kind, text) for kind, text, _ in island_line("road", line)]
    if "PART" in kinds and ("封闭" in line or "有限度" in line):
        kinds.append("CLOSE")  # 部分封闭, 车道封闭, 有限度通车: a part closed is a closure too
    return kinds


def _segment_kind(kind: str, text: str) -> str:
    """A token's kind as the segmenter weighs it: 6月底, 9月中旬 a date a closure may end on,
    too loose to make news a notice; Taiwan's 今(21)日, 明(22)日 a day told by the page's own
    date, as good as a date."""
    if text.endswith(_MONTH_PARTS):
        return "MONTH_PART"
    return "TODAY" if kind == "DAY_ONLY" and text[:1] in "今明" else kind


def _is_signature(line: str, kinds: Counter[str]) -> bool:
    if len(line) > 60 or not (kinds["ORG"] or kinds["DATE"] or kinds["MONTH_DAY"]):
        return False
    return set(kinds) <= {
        "ORG",
        "DATE",
        "MONTH_DAY",
        "FILLER",
        "PLACE",
        "ROUTE_NAME",
        "NL",
        "COMMA",
        "LIST_SEP",
    }


def _closing(kinds: Counter[str]) -> bool:
    return bool(_CLOSING & kinds.keys()) or kinds["CONTROL"] > 0


def _where(kinds: Counter[str]) -> bool:
    return bool(_ROAD & kinds.keys()) or kinds["PLACE"] > 0


def _road_like(kinds: Counter[str]) -> bool:
    return _closing(kinds) and _where(kinds) and bool(_WHEN & kinds.keys())


def _kind_of(title: str | None, body: str, kinds: Counter[str]) -> Kind | None:
    if title and _NOT_OURS.search(title):
        return None
    if _LOSS_WORDS.search(title or "") or (_LOSS_WORDS.search(body) and not _road_like(kinds)):
        # a declaration's heading says so (遗失声明, 遗失启事); a news headline does not
        declared = title is None or _DECLARATION_TITLE.search(title)
        return "loss_declaration" if declared and _LOSS_WORDS.search(body) else None
    if _road_like(kinds) or (title and _closes_a_road(kinds) and _CLOSING_TITLE.search(title)):
        return "road_closure"  # a closure heading needs no date: the record says it has none
    return None


# A heading that names a closure (…封闭施工的通告, 交通管制公告, 封路公告).
_CLOSING_TITLE = re.compile(r"封闭|封路|封道|断交|管制|禁行|禁止通行|限行|占道|施工")


def _says_closing(kinds: Counter[str]) -> bool:
    return bool((_CLOSING | {"CONTROL", "DETOUR"}) & kinds.keys())


def _closes_a_road(kinds: Counter[str]) -> bool:
    return _closing(kinds) and _where(kinds)


def find_blocks(text: Text) -> list[Block]:
    """Find every notice in a page's clean text, in page order."""
    paras = text.paragraphs
    lines = [_para_text(text, p) for p in paras]
    kinds = _Kinds(lines)
    blocks: list[Block] = []
    taken = [False] * len(paras)
    i = 0
    while i < len(paras):
        check()  # a CPU budget set around the parse (notices.budget)
        titled = _is_title(lines[i])
        glued = None if titled else _GLUED_TITLE.match(lines[i])
        if not (glued or titled):
            i += 1
            continue
        last = _block_end(paras, lines, kinds, i)
        if last == i and not glued:  # a heading alone (a headline over the notice, or twice)
            i += 1
            continue
        first = (
            i - 1 if i > 0 and not taken[i - 1] and _is_org_line(lines[i - 1], kinds[i - 1]) else i
        )
        total = kinds.total(first, last)
        heading = lines[i][: glued.end()] if glued else lines[i]
        body = "\n".join(([lines[i][glued.end() :]] if glued else []) + lines[i + 1 : last + 1])
        kind = _kind_of(heading, body, total)
        if kind == "road_closure" and _not_a_road(heading + "\n" + body, total):
            kind = None
        if kind == "road_closure" and not (
            glued or any(_says_closing(kinds[k]) for k in range(i + 1, last + 1))
        ):
            kind = None  # a headline over the page's text: the notice's body closes something
        if kind:
            end = paras[i].start + glued.end() if glued else paras[i].end
            title = _FORUM_HEADING.sub("", text.clean[paras[i].start : end]).strip(_DECORATIONS)
            blocks.append(Block(kind, title, paras[first].start, paras[last].end))
        # another kind of notice (停水通知, 招标公告): its body is not ours either
        if kind or _NOT_OURS.search(lines[i]):
            for k in range(first, last + 1):
                taken[k] = True
        i = last + 1 if kind or _NOT_OURS.search(lines[i]) else i + 1
    blocks.extend(_headless(text, lines, kinds, taken))
    return sorted(blocks, key=lambda b: b.start)


class _Kinds:
    """Token kinds per paragraph, lexed only when a decision needs them."""

    def __init__(self, lines: list[str]) -> None:
        self._lines = lines
        self._known: dict[int, Counter[str]] = {}
        self._listed: dict[int, list[str]] = {}

    def __getitem__(self, index: int) -> Counter[str]:
        if index not in self._known:
            self._listed[index] = _kind_list(self._lines[index])
            self._known[index] = Counter(self._listed[index])
        return self._known[index]

    def total(self, first: int, last: int) -> Counter[str]:
        """The kinds of paragraphs ``first..last`` together."""
        for index in range(first, last + 1):
            self[index]  # lexed, if no decision needed it yet
        listed = self._listed
        return Counter(chain.from_iterable(listed[i] for i in range(first, last + 1)))


def _is_org_line(line: str, kinds: Counter[str]) -> bool:
    return len(line) <= 2 * _SHORT and kinds["ORG"] > 0 and set(kinds) <= {"ORG", "FILLER", "NL"}


def _block_end(paras: tuple[Paragraph, ...], lines: list[str], kinds: _Kinds, i: int) -> int:
    last = i
    signed = False
    for k in range(i + 1, min(len(paras), i + _MAX_PARAGRAPHS)):
        if _is_title(lines[k]) or (paras[k].heading and not SECTION_START.match(lines[k])):
            break
        signature = _is_signature(lines[k], kinds[k])
        if signed and not signature:
            break
        signed = signed or (signature and k > i + 1)
        last = k
    return last


def _headless(text: Text, lines: list[str], kinds: _Kinds, taken: list[bool]) -> list[Block]:
    """Notices without a heading: a closure told in paragraphs, or a bare ▲ declaration."""
    blocks: list[Block] = []
    paras = text.paragraphs
    k = 0
    while k < len(paras):
        check()
        if taken[k] or not _MAYBE.search(lines[k]):
            k += 1
            continue
        line = lines[k]
        listed = _list_lead(lines, kinds, taken, k)
        if (listed or _road_seed(line, kinds[k])) and not _is_title(line):  # headings: above
            last = _road_run_end(lines, kinds, taken, k)
            first = _road_run_start(lines, kinds, taken, k)
            if listed and first == k and _dated_lead(kinds, taken, k - 1):
                first = k - 1  # 本澳多处道路将于2月9日至28日封闭交通，详见附表。 封闭交通 …
            total = kinds.total(first, last)
            run = "\n".join(lines[first : last + 1])
            reads_as_notice = (
                _road_like(kinds[k])
                or (listed and bool(_WHEN & total.keys()))
                or _FORMAL.search(run) is not None
                or any(_dated_item(lines[i], kinds[i]) for i in range(first, last + 1))
            )
            led = _road_led(lines, kinds, first, last)
            # undated, a closure told in a notice's own words (现将有关事项通告如下, 特此通告)
            formal = _SIGNED_OFF.search(run) is not None and _closes_a_road(total)
            accepted = (
                (_road_like(total) and reads_as_notice) or formal or len(led) >= _REPORT_ITEMS
            )
            if accepted and not _not_a_road(run, total) and not _reports_reopening(run):
                blocks.extend(
                    Block("road_closure", None, paras[a].start, paras[b].end)
                    for a, b in _roundup_items(lines, kinds, first, last, led)
                )
                for i in range(first, last + 1):
                    taken[i] = True
                k = last + 1
                continue
        quoted = _quoted_declarations(line, paras[k].start)
        if quoted:  # 登报声明：“本人某某…不慎遗失…，现声明作废。” quoted in news
            blocks.extend(quoted)
        elif (opening := _LOSS_OPENING.match(line)) and _LOSS_WORDS.search(line[opening.end() :]):
            # 遗失声明▲A遗失…▲B遗失… printed as one paragraph
            heading = opening.group(1) or opening.group(2)
            title = text.clean[paras[k].start : paras[k].start + len(heading)]
            blocks.append(Block("loss_declaration", title, paras[k].start, paras[k].end))
        elif _BULLET.match(line) and _LOSS_WORDS.search(line):
            first = k
            while k + 1 < len(paras) and not taken[k + 1] and _BULLET.match(lines[k + 1]):
                k += 1
            blocks.append(Block("loss_declaration", None, paras[first].start, paras[k].end))
        k += 1
    return blocks


# News that a road is open again (恢复通行, 放开通行, 解除封闭) is not a notice unless it reads
# as one (通告如下, 特此公告, a plea to drivers).
_REOPENED = re.compile(
    r"(?<!将于)"  # 预计, 计划, 直至, 待 before it: _PLANNED's to tell
    r"(?:恢复(?:正常)?(?:通行|通车|交通|原线路)|放开通行|解除[^,。;]{0,12}?(?:封闭|管制|限制)"
    # a road cleared, a new bridge opened, control lifted
    r"|(?:完成|已)抢通|(?:试行|正式|建成)通车|(?:封闭|管制)(?:已|已经)?解除)"
    r"(?!时间)"  # 预计恢复通行时间为…: the end of a closure to come, not news of one ended
)
# A notice's own words (现将有关事项通告如下, 特此通告); with courtesy lines and items, formal
_SIGNED_OFF = re.compile(r"(?:通告|公告)如下|[特专]此(?:通告|公告)")
_FORMAL = re.compile(
    _SIGNED_OFF.pattern + r"|敬请谅解|请[^,。;]{0,8}绕行|^[一二三四五六七八九十]、", re.MULTILINE
)


# A notice's own item of time (施工时间：…, 二、执行时间：自…起, a date on a line alone): news
# tells its dates inside sentences.
_DATE_LINE = 24  # characters: a date on a line of its own (自2025年5月2日起)
_TIME_ITEM = re.compile(r"^(?:[一二三四五六七八九十\d]+[、.．]\s*)?[^,。;:]{0,6}时间\s*[:：]")


def _dated_item(line: str, kinds: Counter[str]) -> bool:
    if not _WHEN & kinds.keys():
        return False
    return len(line) <= _DATE_LINE or _TIME_ITEM.match(line) is not None


def _roundup_items(
    lines: list[str], kinds: _Kinds, first: int, last: int, led: list[int]
) -> list[tuple[int, int]]:
    """The notices of a headless run: one, or one per item of a news roundup (``led``: its
    paragraphs that open with a road of their own, :func:`_road_led`).

    An item closes a road in a window of its own (1.6月25日至9月30日，甲路全封闭… 2.7月10日
    至…，乙巷…), or, in a report of road conditions, opens with the road it is about
    (甲高速：乙收费站入口暂时封闭。 丙国道K12处…). The paragraphs after an item (its detour,
    a note) stay with it; what stands before the first (the roundup's lead) goes with the first.
    """
    items = [i for i in range(first, last + 1) if _road_like(kinds[i])]
    windows = {_window_of(lines[i]) for i in items}  # 8月2日至8月17日 / 8月2日至8月30日: two
    ranged = [i for i in items if _ranged(kinds[i])]  # 6月25日至9月30日, 3月14日0时至6时
    if len(ranged) < 2 or len(windows) < 2:
        items = led
        if len(items) < _REPORT_ITEMS:
            return [(first, last)]  # one notice, maybe in stages (一、8月14日对甲段… 二、8月15日…)
    starts = [first, *items[1:]]
    return list(zip(starts, [i - 1 for i in starts[1:]] + [last], strict=True))


def _road_led(lines: list[str], kinds: _Kinds, first: int, last: int) -> list[int]:
    """The paragraphs of a run that open with a road of their own, each another road."""
    led: list[int] = []
    roads: set[str] = set()
    for i in range(first, last + 1):
        road = next(
            (
                t
                for kind, t, at in island_line("road", lines[i])
                if kind in _ROAD and at < _LEAD and not generic(t)
            ),
            None,
        )
        if road and road not in roads and kinds[i].keys() & (_CLOSING | _REPORTED):
            led.append(i)
            roads.add(road)
    return led


_REPORTED = {"PART", "CONTROL", "STAKE", "DETOUR"}  # 甲高速K63处借道通行: a report of it
_REPORT_ITEMS = 3  # a report of road conditions lists several roads; two may be one notice's
_LEAD = 8  # characters an item's road may stand after its start (1、, 另外，)


def _window_of(line: str) -> tuple[str, ...]:
    """The words of the window a line opens with: its dates, days and hours."""
    return tuple(t for kind, t, _ in island_line("road", line) if kind in _WINDOW_WORDS)[:4]


def _ranged(kinds: Counter[str]) -> bool:
    days = sum(kinds[k] for k in _WHEN) + kinds["DAY_ONLY"]
    told = days > 1 or kinds["TIME"] > 1 or kinds["DAYS"] or kinds["START"]  # 9月8日起，工期90天
    return bool(_WHEN & kinds.keys()) and bool(told)


_WINDOW_WORDS = _WHEN | {"DAY_ONLY", "TIME"}


# A template's placeholders (定于xx年10月28日起, ××路): an example of a notice, not one.
_PLACEHOLDER = re.compile(r"(?<![A-Za-z])(?:[xX×Ｘ]{1,4}|某某)年|[xX×]{2,}(?:路|街|线|高速)")
# A closure of water (比赛水域, 航道, 船舶): a waterway's notice, whatever bridges it names.
_WATER = re.compile(r"水域|航道|通航|船舶|船只")


def _not_a_road(text: str, kinds: Counter[str]) -> bool:
    # the placeholder pattern opens with a lookbehind, tried at every position: its
    # characters are looked for first, in C
    if any(c in text for c in "xX×Ｘ某") and _PLACEHOLDER.search(text):
        return True
    if _PARKING.search(text) and not _ROAD_CLOSED.search(text):
        return True  # 路旁停车位暂停使用: the places to park are closed, not the road
    water = len(_WATER.findall(text)) >= 2
    return water and not kinds.keys() & _CODED


# Words that close or narrow a road itself, beside a notice of parking places suspended
_ROAD_CLOSED = re.compile(
    r"封闭|封路|封道|断交|管制|禁止[^,。;]{0,8}(?:通行|驶入|进入)|禁行|有限度|占道|围挡|无法通行"
    r"|半幅|全幅"
)


def _reports_reopening(text: str) -> bool:
    return _FORMAL.search(text) is None and any(
        _PLANNED.search(_CLAUSE_BREAK.split(text[max(0, m.start() - _PLAN_REACH) : m.start()])[-1])
        is None
        and _STILL_CLOSED.search(text, m.end()) is None
        for m in _REOPENED.finditer(text)
    )


# …恢复双向通行。但甲线乙段仍然实行交通管制: the news goes on to a closure still in force
# (a speed limit, 仍实行限速管制, is none)
_STILL_CLOSED = re.compile(r"(?:但|仍|继续)[^。;；]{0,40}?(?:(?<!限速)管制|封闭|禁止通行|断交)")


# A reopening to come (预计2018年10月1日恢复通行, 计划于…恢复): the closure's end, not news of it
_PLANNED = re.compile(r"预计|计划|拟于|直至|待|未|尚未|不")  # …, or none yet (至今未解除管制)
_PLAN_REACH = 20  # characters before the reopening words
_CLAUSE_BREAK = re.compile(r"[,，。;；]")


def _list_lead(lines: list[str], kinds: _Kinds, taken: list[bool], k: int) -> bool:
    """A paragraph that closes what the list after it names (下列道路将于…封闭： / 介乎甲街与
    乙街的丙街；…), the roads one an item, not told in the past."""
    line = lines[k].rstrip()
    led = line.endswith((":", "：")) or (len(line) <= _BARE_LEAD and set(kinds[k]) <= _LEAD_KINDS)
    # 路旁停车位将暂停使用： the places to park, not the road
    if not led or not _closing(kinds[k]) or _PAST.search(line) or _PARKING.search(line):
        return False
    after = range(k + 1, min(len(lines), k + 1 + _LIST_GAP))
    return any(not taken[i] and _where(kinds[i]) for i in after)


def _dated_lead(kinds: _Kinds, taken: list[bool], k: int) -> bool:
    """The dated paragraph over a list's lead: the day its closures fall on (警方将于十一月七日
    实施特别交通措施。 下列道路将于下午二时开始实施间歇性封闭：…)."""
    return k >= 0 and not taken[k] and bool(_WHEN & kinds[k].keys())


_BARE_LEAD = 10  # characters of a list's heading of closing words alone (封闭交通, 封路)
_LEAD_KINDS = _CLOSING | {"FILLER", "CONTROL", "PART", "LIST_SEP"}
_LIST_GAP = 2  # paragraphs between a list's lead and its first item (封闭交通（…除外）)
_PARKING = re.compile(r"停车位|泊车位|车位|停车场|咪表")


def _road_seed(line: str, kinds: Counter[str]) -> bool:
    """A paragraph that closes or controls a road, place or stretch, or announces that it
    will (…实行交通管制，具体事项通告如下), and is not told in the past."""
    announced = _where(kinds) or _ANNOUNCES.search(line) is not None
    told = _OTHER_NOTICE.search(line) or _PAST.search(line)
    return _closing(kinds) and announced and not told


_ANNOUNCES = re.compile(r"(?:通告|公告|通知)如下")


def _road_run_end(lines: list[str], kinds: _Kinds, taken: list[bool], first: int) -> int:
    """The last paragraph of a headless notice that opens at ``first``.

    A notice printed without its heading still keeps its parts together: numbered items
    (一、封闭时间 … 三、绕行路线), a detour section, courtesy lines and the signature. The
    run goes on while paragraphs speak of the closure and ends after the signature.
    """
    last = first
    signed = False
    for k in range(first + 1, min(len(lines), first + _MAX_PARAGRAPHS)):
        line = lines[k]
        if taken[k] or _is_title(line):
            break
        signature = _is_signature(line, kinds[k])
        if signed and not signature:
            break
        if not (signature or _speaks_of_closure(line, kinds[k])):
            break
        signed = signed or signature
        last = k
    return last


def _road_run_start(lines: list[str], kinds: _Kinds, taken: list[bool], seed: int) -> int:
    """The first paragraph of a headless notice whose closing words stand at ``seed``: the
    salutation, the reason and the items printed before them (一、施工时间：… above
    三、交通管制措施：…) belong to it."""
    first = seed
    for k in range(seed - 1, max(-1, seed - _MAX_PARAGRAPHS // 2), -1):
        line = lines[k]
        if taken[k] or _is_title(line) or _is_signature(line, kinds[k]):
            break
        item = SECTION_START.match(line) is not None or _SALUTATION.fullmatch(line) is not None
        # an item's content on a line of its own: its dates, or the road and stretch
        placed = bool(_CODED & kinds[k].keys())
        item = item or _dated_item(line, kinds[k]) or (len(line) <= _SHORT and placed)
        told = _road_seed(line, kinds[k]) or (
            _REASON_OPENING.match(line)
            and (_says_closing(kinds[k]) or _ANNOUNCES.search(line) is not None)
        )
        if not (item or told):
            break
        first = k
    return first


def _quoted_declarations(line: str, offset: int) -> list[Block]:
    return [
        Block("loss_declaration", None, offset + m.start(1), offset + m.end(1))
        for m in _QUOTED_LOSS.finditer(line)
    ]


# A declaration quoted whole in a news article: who lost what, declared void, in quotes.
_QUOTED_LOSS = re.compile(
    r"[“\"]((?:本人|本公司|本单位)[^“”\"]{0,80}?(?:遗失|丢失)[^“”\"]{0,120}?(?:作废|无效)[。]?)[”\"]"
)
_SALUTATION = re.compile(r"[^,。;:!?]{2,24}[:：]")  # 广大驾乘人员： / 各有车单位和个人：
_REASON_OPENING = re.compile(r"因|由于|为了|为确保|为保障|根据|经")


# Words of a closure notice's items and courtesy lines (请绕行, 敬请谅解, 特此通告).
_NOTICE_VOCABULARY = re.compile(
    r"封|管制|绕|通行|车辆|施工|谅解|特此|通告|公告|路线|路段|时间|方案|禁止|注意|指挥|出行|安全"
)


_PLACE_ENTRY = 16  # characters of a list's entry that names only a place
# An item's own line: its days, hours, road or stretch (县道甲镇加油站~乙镇宝马场，全长7.4公里)
_SPEAKS = _WHEN | _ROAD | {"TIME", "DAILY", "ROUTE_CLASS", "ROUTE_ENDS", "LENGTH"}


def _speaks_of_closure(line: str, kinds: Counter[str]) -> bool:
    if SECTION_START.match(line) or kinds.keys() & _SPEAKS:
        return True
    if len(line) <= _PLACE_ENTRY and line.endswith((";", "；", "及")):
        return True  # an entry of a list of places (甲坊； 乙里；及)
    return _NOTICE_VOCABULARY.search(line) is not None and not _OTHER_NOTICE.search(line)
