"""A loss-declaration block → one :class:`~notices.model.LossDeclaration` per holder.

The block is cut into entries — at bullets, at paragraphs, after ``声明作废。`` — and each
entry is parsed by ``loss.lark``. Who lost is what stands before the loss word (遗失),
without bracketed remarks; what was lost is what follows it, up to the clause's end,
split at 、/及 with quantities left out and 正副本 made two items. ``本公司…``/``本人…``
entries take the name the block signs with (a ``声明人：`` line or the signature).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from lark.exceptions import LarkError

from notices.budget import check
from notices.grammars import island_kinds, island_line, load
from notices.identifiers import (
    looks_like_resident_id,
    looks_like_uscc,
    resident_id_valid,
    uscc_valid,
)
from notices.ids import notice_id
from notices.loss_phrases import Bracket, IdPhrase, LossTransformer, Value
from notices.model import Check, HolderType, Identifier, LossDeclaration, Record, Source
from notices.normalize import Text
from notices.numerals import numbers
from notices.road_phrases import Tok, When
from notices.segment import Block
from notices.windows import issue_date

_CLAUSE_END = ("COMMA", "END", "VOID", "NL")
_ORG_SUFFIX = re.compile(
    r"(?:公司|合作社|门市部|商店|店|厂|中心|学校|小学|中学|大学|学院|幼儿园|医院|卫生院|卫生室|诊所|"
    r"药房|药店|委员会|支部|工会|协会|商会|联合会|局|所|站|社|行|馆|部|队|场|室|处|院|会|团|超市|"
    r"饭店|酒店|宾馆|酒楼|餐厅|旅馆|农场|公寓|集团|工作室|经营部|服务部|加工厂|养殖|个体工商户|政府|"
    r"办事处|办公室|研究所|事务所|银行|支行|分行|网吧|厅|园|坊|铺|庄|行)$"
)
_PERSON = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,8}[·•][\u4e00-\u9fff]{1,8}")
_SIGNER = re.compile(
    r"(?:声明人|登报人|声明单位|单位名称)[:：]\s*([^\n,，。:：]+?)\s*(?=刊登|声明内容|声明类型|联系|[\n,，。:：]|$)"
)
_SIGNER_LINE = 40  # a signature line is short
# 于2025年…/于近日/在蒙自市: when and where the thing was lost, not who (于 is also a surname)
_WHEN_OR_WHERE = re.compile(
    r"于[0-9一二三四五六七八九十今近昨前本上去当日月年]|在|因|由于|不慎|将|的"
)
_NAME_AFTER_SELF = 8  # 本人孙志刚: a name, not a sentence
_LEADS = ("兹有", "现有", "特此", "声明内容", "内容")
_USCC_LABEL = ("信用代码", "统一代码")
_VOIDED = re.compile(r"作废|无效|失效")
_HEADING = re.compile(r"\W*(?:遗失|作废|挂失)(?:声明|启事|公告)\W*")
_ITEM_NUMBER = re.compile(
    r"^(?:\d{1,3}|[一二三四五六七八九十]{1,3})[.．、)）]\s*|^[(（]\d{1,3}[)）]\s*"
)
_LONGEST_NAME = 40
_ID_LABEL = ("身份",)


@dataclass(frozen=True)
class _Entry:
    start: int  # in the block's canonical text
    end: int


def parse_loss_block(text: Text, block: Block, source: Source) -> list[Record]:
    """Parse a block of loss declarations into one record per holder."""
    canon = text.canon[block.start : block.end]
    clean = text.clean[block.start : block.end]
    body_start = _body_start(canon, block.title)
    signer, signed_on = _signature(canon, clean, body_start)
    title_void = bool(block.title and "作废" in block.title)
    parsed: list[_Parsed] = []
    for entry in _entries(canon, body_start):
        check()  # a CPU budget set around the parse (notices.budget)
        record = _record(
            canon[entry.start : entry.end], clean[entry.start : entry.end], block, source
        )
        if record is not None:
            parsed.append(record)
    sound = [p for p in parsed if _declares(p, title_void)]
    if len(parsed) >= 3 and len(sound) * 2 < len(parsed):  # mostly sentences that merely speak
        # of losing things: an article about declarations, not a column of them
        parsed = sound
    return [_finish(p, block.title, signer, signed_on, title_void, source) for p in parsed]


def _declares(parsed: _Parsed, title_void: bool) -> bool:
    """An entry that reads as a declaration: someone named, and the thing declared void or
    identified by its number."""
    named = parsed.holder is not None or parsed.self_named
    return named and (parsed.declared_void or title_void or bool(parsed.identifiers))


def _body_start(canon: str, title: str | None) -> int:
    """Where the entries begin: after the title's line, or after the title printed inline."""
    if not title:
        return 0
    first_line = canon.split("\n", 1)[0]
    if len(first_line) > len(title) + 2 and "遗失" in first_line[len(title) :]:
        return canon.index(first_line) + len(title)  # 遗失声明▲A遗失…: the title then the entries
    return canon.index("\n") + 1 if "\n" in canon else len(canon)


# ── cutting the block into entries ──────────────────────────────────────────────────


def _entries(canon: str, body_start: int) -> Iterator[_Entry]:
    """Cut a block's body into entries: at bullets, paragraphs with a loss word, and ends."""
    start = body_start
    offset = body_start
    seen_loss = seen_void = False
    for line in canon[body_start:].split("\n"):
        for kind, value, pos in _tokens(line):
            at = offset + pos
            if kind == "BULLET" or (kind == "LOSE" and seen_loss and seen_void):
                if at > start:
                    yield _Entry(start, at)
                start, seen_loss, seen_void = at, False, False
            seen_loss = seen_loss or kind == "LOSE"
            seen_void = seen_void or (kind == "VOID")
            if kind == "END" and seen_loss and seen_void:
                yield _Entry(start, at + len(value))
                start, seen_loss, seen_void = at + len(value), False, False
        offset += len(line) + 1
        if seen_loss:  # a paragraph that named a loss ends its entry
            yield _Entry(start, offset - 1)
            start, seen_loss, seen_void = offset, False, False
        elif start < offset and not _any_loss(canon[start:offset]):
            start = offset
    if start < len(canon) and _any_loss(canon[start:]):
        yield _Entry(start, len(canon))


def _tokens(line: str) -> tuple[tuple[str, str, int], ...]:
    return island_line("loss", line)


def _any_loss(text: str) -> bool:
    return any(kind == "LOSE" for line in text.split("\n") for kind in island_kinds("loss", line))


# ── the signature: who signs, and when ──────────────────────────────────────────────


def _signature(
    canon: str, clean: str, body_start: int
) -> tuple[str | None, tuple[int, int, int] | None]:
    """The name a block signs with (声明人： or a closing line) and its date, if printed."""
    match = _SIGNER.search(clean[body_start:])
    signer = match.group(1).strip() if match else None
    dated = None
    for start, end in reversed(_lines(canon, body_start)[-3:]):
        line = canon[start:end]
        kinds = island_kinds("loss", line)
        if "LOSE" in kinds:
            break
        if kinds and kinds[-1] == "DATE":
            dated = dated or _ymd(line)
        elif (
            kinds
            and set(kinds) <= {"ORG", "FILLER"}
            and len(line) <= _SIGNER_LINE
            and signer is None
        ):
            signer = clean[start:end].strip()
    return signer, dated


def _lines(text: str, start: int) -> list[tuple[int, int]]:
    """The non-empty lines of ``text`` from ``start``, as spans."""
    spans = []
    for line in text[start:].split("\n"):
        if line.strip():
            spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


# ── one entry ───────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class _Parsed:
    holder: str | None
    self_named: bool
    documents: tuple[str, ...]
    identifiers: tuple[Identifier, ...]
    declared_void: bool
    text: str
    warnings: tuple[str, ...]
    dated: tuple[int, int, int] | None


def _record(canon: str, clean: str, block: Block, source: Source) -> _Parsed | None:
    try:
        parsed: Any = load("loss", LossTransformer).parse(canon)
        items: list[Any] = parsed
    except LarkError:
        return _Parsed(
            None,
            False,
            (),
            (),
            "作废" in canon,
            clean.strip(),
            ("the loss grammar could not read this entry",),
            None,
        )
    lose = next((i for i, item in enumerate(items) if _kind(item) == "LOSE"), None)
    if lose is None or _HEADING.fullmatch(canon):
        return None  # a heading printed as an entry (■遗失声明, ◆遗失声明◆) declares nothing
    before = items[:lose]
    first_doc = next((n for n, i in enumerate(before) if _kind(i) == "DOC"), None)
    if first_doc is not None and first_doc > 0:  # 某公司法定代表人名章一枚遗失
        holder, self_named = _holder(before[:first_doc], clean)
        documents, found = _documents(before[first_doc:], clean)
    else:
        holder, self_named = _holder(before, clean)
        documents, found = _documents(items[lose + 1 :], clean)
    holder, documents = _child(holder, documents)
    identifiers = _identifiers(items, clean, found)
    void = any(_kind(i) == "VOID" and _VOIDED.search(i.text) for i in _walk(items))
    dates = [i for i in items[lose:] if _kind(i) == "DATE"]
    dated = _ymd(dates[-1].text) if dates else None
    warnings = [] if documents else ["no lost item found"]
    if holder is None and not self_named:
        warnings.append("no holder found")
    return _Parsed(
        holder, self_named, documents, identifiers, void, _entry_text(clean), tuple(warnings), dated
    )


def _child(holder: str | None, documents: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """A child's birth certificate is the child's, not the parents' who print the notice
    (张大山之子张小明遗失…, 张大山遗失其子张小明的出生医学证明, 新生儿张小明…)."""
    kept: list[str] = []
    for doc in documents:
        of_child = _CHILD_DOC.fullmatch(doc)
        if of_child:
            holder, doc = of_child.group("name"), of_child.group("doc")
        kept.append(doc)
    if holder:
        child = _CHILD_OF.search(holder)
        holder = (child.group("name") if child else holder).removesuffix("的")
        holder = _NEWBORN.sub("", holder) or holder
    return holder, tuple(kept)


_KIN = r"(?:之|其)(?:儿子|女儿|孙子|孙女|子|女)"
_CHILD_OF = re.compile(rf"{_KIN}(?P<name>[\u4e00-\u9fff·]{{2,8}}?)的?$")
_CHILD_DOC = re.compile(
    rf"{_KIN}(?P<name>[\u4e00-\u9fff·]{{2,8}}?)的(?P<doc>出生医学证明|.{{2,12}})"
)
_NEWBORN = re.compile(r"^(?:新生儿|婴儿|宝宝)")


def _ymd(text: str) -> tuple[int, int, int] | None:
    """Year, month and day of a printed date (二〇二五年八月四日, 2025年8月4日)."""
    parts = numbers(text)
    return (parts[-3], parts[-2], parts[-1]) if len(parts) >= 3 else None


def _entry_text(clean: str) -> str:
    return clean.strip().lstrip("▲■●◆★※•□◇○△▼ ").strip()


def _kind(item: Any) -> str:
    return item.kind if isinstance(item, Tok) else type(item).__name__


def _walk(items: list[Any]) -> Iterator[Any]:
    for item in items:
        yield item
        if isinstance(item, Bracket):
            yield from _walk(list(item.items))


def _holder(items: list[Any], clean: str) -> tuple[str | None, bool]:
    """The name before the loss word: the last clause that names someone, without remarks.

    本人/本公司 speak of the signer, unless a name follows at once (本人孙志刚遗失…).
    """
    selves = [n for n, i in enumerate(items) if _kind(i) == "SELF"]
    if selves:
        following = items[selves[-1] + 1 : selves[-1] + 2]
        if following and isinstance(following[0], Bracket):  # 本公司（某某公司）遗失
            inside = clean[following[0].start : following[0].end].strip(" ()（）[]【】")
            if inside and len(inside) <= _LONGEST_NAME:
                return inside, False
        if following and _kind(following[0]) in ("FILLER", "ORG"):
            name = clean[following[0].start : following[0].end].strip(" ,，、:：")
            # 本人张三于2025年3月在…遗失: the name ends where when or where begins
            name = _WHEN_OR_WHERE.split(name, maxsplit=1)[0].removesuffix("于")
            if name and len(name) <= _NAME_AFTER_SELF:
                return name, False
        return None, True
    clauses: list[list[Any]] = [[]]
    for item in items:
        if _kind(item) in ("COMMA", "END", "COLON", "NL"):
            clauses.append([])
        else:
            clauses[-1].append(item)
    named = [c for c in clauses if _names_someone(c, clean)]
    segment = named[-1] if named else []
    resident = max((n for n, i in enumerate(segment) if _kind(i) == "RESIDENT"), default=-1)
    kept = ("FILLER", "ORG", "NUMBER", "CONJ", "AND", "MONTH_DAY", "DOC")
    words = [i for i in segment[resident + 1 :] if _kind(i) in kept]
    name = "".join(clean[i.start : i.end] for i in words).strip(" ,，、:：")
    for lead in _LEADS:
        if name.startswith(lead):
            name = name[len(lead) :].lstrip(":：")
    name = _ITEM_NUMBER.sub("", name)  # 1.某某公司遗失…: the column's item number
    return (name or None), False


def _documents(items: list[Any], clean: str) -> tuple[tuple[str, ...], list[Any]]:
    """The lost items: words after the loss word up to the clause's end, one per item."""
    pieces: list[str] = []
    current = ""
    found: list[Any] = []  # identifiers printed among the items (plates)
    stopped = False
    for n, item in enumerate(items):
        kind = _kind(item)
        if kind in _CLAUSE_END or isinstance(item, IdPhrase):
            stopped = True
            continue
        if stopped:  # a later clause goes on with the items when it opens with 及 or an item
            if kind not in ("CONJ", "DOC") or _kind(items[n - 1]) not in ("COMMA", "END"):
                continue
            stopped = False
            if kind == "DOC":
                pieces.append(current)
                current = ""
        if kind in ("LIST_SEP", "CONJ") or (kind == "AND" and _kind(_next(items, n)) == "DOC"):
            pieces.append(current)
            current = ""
        elif kind == "BOTH_COPIES":
            pieces.extend((current + "正本", current + "副本"))
            current = ""
        elif kind == "PLATE":  # 辽E28716号车辆道路运输证: the plate is an identifier, not the item
            found.append(item)
            current = ""
        elif kind in ("FILLER", "ORG", "NUMBER", "DOC", "AND"):
            current += clean[item.start : item.end]
    pieces.append(current)
    cleaned = [_document(p) for p in pieces]
    return tuple(p for p in cleaned if p), found


def _next(items: list[Any], n: int) -> Any:
    return items[n + 1] if n + 1 < len(items) else None


def _document(piece: str) -> str:
    piece = piece.strip(" ,，、:：")
    piece = re.sub(r"^(?:号|的|车辆)+", "", piece)
    return piece.replace("《", "").replace("》", "")


def _names_someone(clause: list[Any], clean: str) -> bool:
    """A clause that can name the holder: words, no date, not 于…在… (when and where lost)."""
    words = [i for i in clause if _kind(i) in ("FILLER", "ORG", "SELF")]
    if not words or any(_kind(i) in ("DATE", "MONTH_DAY") for i in clause):
        return False
    text = clean[clause[0].start : clause[-1].end].strip()
    return not _WHEN_OR_WHERE.match(text)


def _identifiers(items: list[Any], clean: str, found: list[Any]) -> tuple[Identifier, ...]:
    out: list[tuple[int, Identifier]] = []
    labelled: set[tuple[int, int]] = set()
    for item in _walk(items):
        if isinstance(item, IdPhrase):
            label = clean[item.label.start : item.label.end]
            for value in item.values:
                labelled.add((value.start, value.end))
                out.append((value.start, _identifier(label, _value_text(clean, value))))
    for item in _walk(items):
        if _kind(item) in ("USCC", "PERSON_ID", "PLATE") and not _inside(item, labelled):
            out.append((item.start, _identifier(None, _value_text(clean, item))))
    return tuple(identifier for _, identifier in sorted(out, key=lambda pair: pair[0]))


def _inside(item: Any, spans: set[tuple[int, int]]) -> bool:
    return any(a <= item.start and item.end <= b for a, b in spans)


def _value_text(clean: str, span: Value | Tok) -> str:
    return "".join(clean[span.start : span.end].split())


def _identifier(label: str | None, value: str) -> Identifier:
    valid: bool | None = None
    if label and any(k in label for k in _USCC_LABEL):
        valid = uscc_valid(value)
    elif label and any(k in label for k in _ID_LABEL):
        valid = resident_id_valid(value)
    elif label is None and looks_like_uscc(value):
        valid = uscc_valid(value)
    elif label is None and looks_like_resident_id(value):
        valid = resident_id_valid(value)
    return Identifier(label, value, valid)


# ── the record ──────────────────────────────────────────────────────────────────────


def _finish(
    parsed: _Parsed,
    title: str | None,
    signer: str | None,
    signed_on: tuple[int, int, int] | None,
    title_void: bool,
    source: Source,
) -> LossDeclaration:
    warnings = list(parsed.warnings)
    holder = parsed.holder
    if parsed.self_named:
        holder = signer
        if holder is None:
            warnings.append("the entry speaks of itself (本人/本公司) and no signer is printed")
    dated = parsed.dated or signed_on
    issued_on = _date(dated, source.published_on, warnings) if dated else None
    checks = tuple(
        Check(
            _check_code(i),
            bool(i.valid),
            f"{i.type or 'identifier'} {i.value}: check character "
            + ("holds" if i.valid else "does not hold"),
        )
        for i in parsed.identifiers
        if i.valid is not None
    )
    warnings.extend(f"check {c.code} failed: {c.message}" for c in checks if not c.ok)
    name = holder or ""
    return LossDeclaration(
        id=notice_id("loss_declaration", name, parsed.text),
        title=title,
        text=parsed.text,
        issued_on=issued_on,
        issuers=(signer,) if parsed.self_named and signer else (),
        source=source,
        holder=name,
        holder_type=holder_type(name),
        documents=parsed.documents,
        identifiers=parsed.identifiers,
        declared_void=parsed.declared_void or title_void,
        checks=checks,
        warnings=tuple(warnings),
    )


def _check_code(identifier: Identifier) -> str:
    return "uscc_check" if looks_like_uscc(identifier.value) else "resident_id_check"


def _date(
    parts: tuple[int, int, int], published_on: date | None, warnings: list[str]
) -> date | None:
    year, month, day = parts
    return issue_date(
        When(year, month, day, False, None, f"{year}年{month}月{day}日"), published_on, warnings
    )


def holder_type(name: str) -> HolderType:
    """Tell a person's name from an organisation's."""
    if _ORG_SUFFIX.search(name) or len(name) > 8:
        return "organization"
    return "person" if _PERSON.fullmatch(name) else "organization"
