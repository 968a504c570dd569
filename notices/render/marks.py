"""A notice's text in runs, each marked with the parts of the record it was read as.

Road closures are scanned with the road grammar's own terminals (the island lexer), line
by line on the canonical text (punctuation width folded one for one, so a position there
is a position in the printed text): stakes the record names, roads it names (closed or
detour), dates and clock times. The detour is marked where its printed text stands. Loss
declarations mark the holder, the documents and the identifiers where they are printed.
The runs are plain text; whoever shows them escapes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from notices.grammars import island_line
from notices.model import LossDeclaration, Record, RoadClosure
from notices.normalize import canonical
from notices.road_phrases import stake
from notices.tables import road_keys

MARKS = {
    "road": "道路",
    "stake": "桩号",
    "date": "日期",
    "detour": "绕行",
    "holder": "声明人",
    "document": "证件",
    "identifier": "证号",
}
_ROAD_TOKENS = frozenset({"ROUTE_CODE", "ROUTE_NUM", "ROUTE_NAME"})
_DATE_TOKENS = frozenset({"DATE", "MONTH_DAY", "TIME"})
Span = tuple[int, int, str]  # start, end, mark


@dataclass(frozen=True)
class Run:
    """A stretch of the text and the marks it carries (none: plain text)."""

    text: str
    marks: tuple[str, ...]


def marked_runs(record: Record) -> list[Run]:
    """Return a record's text as runs, marked with the parts the record was read from."""
    if isinstance(record, RoadClosure):
        spans = [*_token_spans(record), *_found(record.text, _detour_texts(record), "detour")]
    else:
        spans = list(_loss_spans(record))
    return _runs(record.text, spans)


def _token_spans(record: RoadClosure) -> Iterator[Span]:
    stakes = {s.text for seg in record.segments for s in (seg.from_, seg.to) if s}
    roads = _road_keys(record)
    offset = 0
    for line in canonical(record.text).split("\n"):
        for kind, text, start in island_line("road", line):
            mark = _token_mark(kind, text, stakes, roads)
            if mark:
                yield offset + start, offset + start + len(text), mark
        offset += len(line) + 1


def _token_mark(kind: str, text: str, stakes: set[str], roads: set[str]) -> str | None:
    if kind == "STAKE":
        return "stake" if stake(text).text in stakes else None
    if kind in _ROAD_TOKENS:
        return (
            "road"
            if road_keys(text.removesuffix("线")) & roads or road_keys(text) & roads
            else None
        )
    return "date" if kind in _DATE_TOKENS else None


def _road_keys(record: RoadClosure) -> set[str]:
    names = [r.code or "" for r in record.routes] + [r.name or "" for r in record.routes]
    names += [s.route or "" for s in record.segments]
    names += list(record.detour.routes) if record.detour else []
    return {key for name in names for key in road_keys(name)}


def _detour_texts(record: RoadClosure) -> list[str]:
    return record.detour.text.split("；") if record.detour else []


def _loss_spans(record: LossDeclaration) -> Iterator[Span]:
    yield from _found(record.text, [record.holder], "holder")
    yield from _found(record.text, record.documents, "document")
    yield from _found(record.text, [i.value for i in record.identifiers], "identifier")


def _found(text: str, parts: Iterable[str], mark: str) -> Iterator[Span]:
    """Every place the text prints one of the parts."""
    for part in parts:
        if not part:
            continue
        start = text.find(part)
        while start >= 0:
            yield start, start + len(part), mark
            start = text.find(part, start + len(part))


def _runs(text: str, spans: list[Span]) -> list[Run]:
    """Cut the text where the set of marks changes."""
    marks: list[set[str]] = [set() for _ in text]
    for start, end, mark in spans:
        for position in range(start, min(end, len(text))):
            marks[position].add(mark)
    runs: list[Run] = []
    begin = 0
    for position in range(1, len(text) + 1):
        if position == len(text) or marks[position] != marks[begin]:
            runs.append(Run(text[begin:position], tuple(sorted(marks[begin]))))
            begin = position
    return runs
