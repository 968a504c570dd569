"""Page text → clean text: the layout noise of newspapers, PDFs and markdown taken out.

Two strings of equal length come out, with offsets back to the raw page:

- ``clean``: line wraps joined, stray spaces dropped, full-width letters and digits folded
  to ASCII, markdown markup removed, punctuation as printed. Paragraphs end with ``\\n``.
- ``canon``: ``clean`` with punctuation width folded (``（`` → ``(``, ``，`` → ``,``), one
  character for one, so a span found in ``canon`` reads the printed text out of ``clean``.

Column wraps are joined when a line fills its column (or breaks inside a number or stake);
short lines (titles, signatures) and lines ending a sentence keep their break.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from notices.budget import check
from notices.hanzi import simplified

_NEWLINE = re.compile(r"\r\n|[\n\r\f\v\x85\u2028\u2029]")
# Markdown markup: headings, quotes, list items (a list item never opens with a digit: a
# line starting "+ 000" is a stake broken by the wrap).
_MARKDOWN_PREFIX = re.compile(
    r"[ \t\u3000]*(?:(?:#[ \t\u3000]*){1,6}|>[ \t\u3000]*|[-*][ \t\u3000]+(?=[^\d\s]))"
)
_EMPHASIS = re.compile(r"\*\*|__|`")
SECTION_START = re.compile(
    r"(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）]"
    r"|\d{1,2}[、.．](?!\d)|[①-⑳⑴-⒇]|第[一二三四五六七八九十\d]+[条章节]|[▲■●◆★※•□◇○△▼])"
)
_SENTENCE_END = frozenset("。！？!?")
# A line opening with one of these continues the line before: closing marks and date units.
_UNFINISHED = frozenset("，,、:：(（[【“-—~～至到")  # no paragraph ends on these
_CONTINUES = frozenset("，、。；：！？,.;:!?）)】]”’%年月日号时分秒点")
_JOINING_WIDTH = 130  # lines up to 65 CJK characters wide may be column-wrapped
_FULL_LINE = 0.8  # a line this close to its column's width continues on the next
_MIN_WRAPPED = 3  # a block needs this many lines to show its own column width
_EVEN_BAND = 0.15  # wrapped lines lie within this share of the column's width …
_EVEN_SHARE = 0.6  # … this many of them
_LONG_PARAGRAPH = 400  # an unclosed bracket holds a paragraph open no longer than this
_RUN = 2  # a space between runs of ASCII this long is meaningful (K1700 500)
_LONG_LINE = 30  # without a known column, a line this long that ends mid-sentence goes on
_HEADING_END = re.compile(r"(?:通告|公告|通知|声明|启事|公示)[\]】]?\s*$")
# A heading names what kind of notice it is.
_HEADING_WORD = re.compile(r"遗失|作废|挂失|封|管制|施工|通行|交通|禁止|关于|道路|公路|启事")
# The fields of the forms online notice services print, one per line.
_FIELD_LABEL = re.compile(
    r"(?:声明人|登报人|声明单位|单位名称|刊登报纸|刊登日期|见报日期|声明内容|声明类型|联系人|联系电话|"
    r"姓名|日期|地址|电话)[:：]"
)
_SHORT_HEADING = 12
_NUMERAL = "0-9〇零一二三四五六七八九十"
_LONE_DATE = re.compile(f"[{_NUMERAL}]{{4}}年[{_NUMERAL}]{{1,3}}月[{_NUMERAL}]{{1,3}}日")
# OCR reads 1 as l or I inside numbers and stakes (9月2l日, Kl5+200): one for one, in canon only.
_OCR_ONE = re.compile(
    r"(?<=[0-9])[lI](?=[0-9年月日号时点+.])|(?<=[Kk+年月])[lI](?=[0-9])|(?<=[0-9])[lI]$"
)
# OCR and typists take 日 for 曰 (2026年3月8曰): after a day's number it is always 日.
_OCR_DAY = re.compile(r"(?<=[0-9一二三四五六七八九十])曰")
_LONG_HEADING = 60


_PUNCT_FOLD = str.maketrans(
    {
        "（": "(",
        "）": ")",
        "，": ",",
        "：": ":",
        "；": ";",
        "！": "!",
        "？": "?",
        "～": "~",
        "〜": "~",
        "－": "-",
        "–": "-",
        "―": "—",
        "─": "—",
        "＋": "+",
        "．": ".",
        "［": "[",
        "］": "]",
        "【": "[",
        "】": "]",
        "〔": "[",
        "〕": "]",
        "＜": "<",
        "＞": ">",
        "／": "/",
        "＃": "#",
        "％": "%",
        "＆": "&",
        "＊": "*",
        "﹑": "、",
        "﹐": ",",
        "﹔": ";",
        "﹕": ":",
        "｛": "{",
        "｝": "}",
        "“": '"',
        "”": '"',
        "＂": '"',
        "‘": "'",
        "’": "'",
        "＇": "'",
    }
)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the clean text: ``clean[start:end]``, without its newline."""

    start: int
    end: int
    heading: bool = False


@dataclass(frozen=True)
class Text:
    """A page's clean and canonical text, with offsets back to the raw page."""

    raw: str
    clean: str
    canon: str
    spans: tuple[tuple[int, int], ...]  # the clean text's stretches in the raw page (start, length)
    paragraphs: tuple[Paragraph, ...]

    @cached_property
    def offsets(self) -> tuple[int, ...]:
        """Where each character of the clean text stands in the raw page.

        Made when first read (the parser never reads it): an int made for each character
        of every page was ≈4% of normalising's instructions.
        """
        offsets: list[int] = []
        for start, length in self.spans:
            offsets.extend(range(start, start + length))
        return tuple(offsets)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of the clean text to the raw page."""
        if start >= end or not self.offsets:
            pos = self.offsets[start] if start < len(self.offsets) else len(self.raw)
            return pos, pos
        return self.offsets[start], self.offsets[end - 1] + 1


Run = tuple[int, int, int]  # (start in the text, start in the raw page, length)


class _Line:
    """A line of the page: its text (markup out, alphanumerics folded) and where it came from."""

    # a plain class: made ≈25 times a page, and its solid text and width read in slots, not
    # through cached_property, which takes a lock at every first read (Python 3.11)
    __slots__ = ("_solid", "_width", "heading", "marked", "runs", "text")

    def __init__(self, text: str, runs: list[Run], heading: bool, marked: bool = False) -> None:
        self.text = text
        self.runs = runs
        self.heading = heading
        self.marked = marked  # opened by markdown markup (heading, quote, list item)
        self._solid: str | None = None
        self._width = -1

    @property
    def solid(self) -> str:
        """The line without its spaces: what a column's width is made of."""
        if self._solid is None:
            self._solid = "".join(self.text.split())
        return self._solid

    @property
    def width(self) -> int:
        if self._width < 0:
            self._width = _width(self.solid)
        return self._width


# Whitespace, and the box-drawing frames classified ads are printed in.
_SPACE_CLASS = "\\s\u3000\xa0\u200b\ufeff\u2500-\u257f"
# Sites that convert pages to traditional characters gloss some with their pinyin
# (關(guān)于): layout noise, dropped like spaces. A gloss carries a tone mark or ü.
_TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
_PINYIN_GLOSS = rf"(?<=[\u4e00-\u9fff])\([a-zü]*[{_TONES}][a-zü]*\)"
_SPACES = re.compile(f"[{_SPACE_CLASS}]+|{_PINYIN_GLOSS}")
# The same, for a text without a gloss (no bracket, or no tone mark: both looked for in C):
# the gloss's lookbehind would be tried at every position of the text.
_BARE_SPACES = re.compile(f"[{_SPACE_CLASS}][{_SPACE_CLASS}]*")  # [..]+, looked for in C
_TONE = re.compile(f"[{_TONES}]")
_ODD_SPACES = frozenset(["\u200b", "\ufeff", *map(chr, range(0x2500, 0x2580))])  # not isspace()
_LEADING = re.compile(f"^[{_SPACE_CLASS}]+")
_TRAILING = re.compile(f"[{_SPACE_CLASS}]+$")
_ALNUM_FOLD = str.maketrans(
    {
        c: c - 0xFEE0
        for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))
    }
)
_FULL_ALNUM = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_ASCII_RUN_END = re.compile(r"[0-9A-Za-z]+$")
_ASCII_RUN_START = re.compile(r"^[0-9A-Za-z]+")


def _cut(runs: list[Run], lo: int, hi: int, shift: int = 0) -> list[Run]:
    """The runs of text[lo:hi], starting at ``shift`` in a new text."""
    if len(runs) == 1:  # a line as printed, most lines: no loop to set up
        start, raw, length = runs[0]
        a, b = max(start, lo), min(start + length, hi)
        return [(a - lo + shift, raw + a - start, b - a)] if a < b else []
    out = []
    for start, raw, length in runs:
        a, b = max(start, lo), min(start + length, hi)
        if a < b:
            out.append((a - lo + shift, raw + a - start, b - a))
    return out


_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\U00020000-\U0003fffd]"
)


_NARROW = re.compile(f"[^{_WIDE.pattern[1:]}")


def _width(text: str) -> int:
    """Display width: East Asian wide and full-width characters count two."""
    # counted by the others, fewer in a Chinese text: a list of fewer strings
    return 2 * len(text) - len(_NARROW.findall(text))


def _split_lines(raw: str) -> list[_Line]:
    # one character for one: offsets hold; a page without full-width letters and digits
    # (found in C, in one pass) is not looked through for each of the 62 of them
    folded = _fold(raw, _ALNUM_PAIRS) if _FULL_ALNUM.search(raw) else raw
    lines: list[_Line] = []
    pos = 0
    if _OTHER_BREAK.search(folded) is None:  # most pages break at \n only: split in C
        for line in folded.split("\n"):
            end = pos + len(line)
            lines.append(_read_line(folded, pos, end, line))
            pos = end + 1
        return lines
    for match in [*_NEWLINE.finditer(folded), None]:
        end = match.start() if match else len(folded)
        lines.append(_read_line(folded, pos, end, folded[pos:end]))
        pos = match.end() if match else end
    return lines


_OTHER_BREAK = re.compile("[\r\f\v\x85\u2028\u2029]")  # the breaks of _NEWLINE but \n


_MARKUP_START = frozenset("#>-* \t\u3000")


def _read_line(raw: str, start: int, end: int, line: str) -> _Line:
    """The line ``raw[start:end]`` (``line``), its markup out."""
    if not line or (
        line[0] not in _MARKUP_START and "*" not in line and "_" not in line and "`" not in line
    ):
        return _Line(line, [(0, start, end - start)], False)  # the common case: plain text
    prefix = _MARKDOWN_PREFIX.match(raw, start, end)
    heading = bool(prefix and "#" in prefix.group())
    pos = prefix.end() if prefix else start
    pieces = []
    for emphasis in _EMPHASIS.finditer(raw, pos, end):
        pieces.append((pos, emphasis.start()))
        pos = emphasis.end()
    pieces.append((pos, end))
    runs: list[Run] = []
    length = 0
    for a, b in pieces:
        if a < b:
            runs.append((length, a, b - a))
            length += b - a
    text = "".join(raw[a:b] for a, b in pieces)
    return _Line(text, runs, heading, bool(prefix and prefix.group().strip()))


def _strip(line: _Line) -> _Line:
    text = line.text
    if not text:  # a blank line, between paragraphs: nothing to cut
        return line
    # a character of _SPACE_CLASS at either end, told without a pattern (\s is str.isspace)
    first, last = text[:1], text[-1:]
    spaced = first.isspace() or first in _ODD_SPACES or last.isspace() or last in _ODD_SPACES
    if not spaced:
        return line
    lead = _LEADING.match(line.text)
    trail = _TRAILING.search(line.text)
    lo = lead.end() if lead else 0
    hi = max(lo, trail.start() if trail else len(line.text))
    return _Line(line.text[lo:hi], _cut(line.runs, lo, hi), line.heading, line.marked)


def _blocks(lines: list[_Line]) -> list[list[_Line]]:
    blocks: list[list[_Line]] = [[]]
    for line in map(_strip, lines):
        if line.text:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


@dataclass(frozen=True)
class _Column:
    """How wide a column is, in display width and in characters."""

    width: int
    chars: int


def _is_heading(text: str) -> bool:
    """A line that reads as a notice's heading: short, unpunctuated, ending 通告/声明…"""
    return (
        len(text) <= _LONG_HEADING
        and _HEADING_END.search(text) is not None
        and _HEADING_WORD.search(text) is not None
        and not any(mark in text for mark in "。，,；;！!？?")
    )


def _continues(prev: _Line, nxt: _Line, column: _Column) -> bool:
    """Tell whether ``nxt`` continues the paragraph ``prev`` was wrapped from."""
    if prev.heading or nxt.marked or SECTION_START.match(nxt.text) or nxt.text.startswith("关于"):
        return False
    if prev.text[-1] in _UNFINISHED:  # no paragraph ends on a comma, colon or open bracket
        return True
    if _is_heading(prev.solid):
        return False  # a heading stands on its own line
    if _FIELD_LABEL.match(nxt.solid) and _FIELD_LABEL.match(prev.solid):
        return False  # 声明人：… / 刊登日期：… — a form's fields, one per line
    if _LONE_DATE.fullmatch(nxt.solid):
        return False  # a signature's date stands on its own line
    if _is_heading(nxt.solid) and len(nxt.solid) <= _SHORT_HEADING and "关于" not in prev.solid:
        # a short heading under a masthead, not the end of a wrapped title, unless the line
        # before fills its column and the two read as one heading (…路面修 / 复养护工程…通告)
        return _wrapped_heading(prev, nxt, column)
    last, first = prev.text[-1], nxt.text[0]
    if (last.isascii() and (last.isalnum() or last == "+")) and (
        first.isascii() and (first.isalnum() or first == "+")
    ):
        return True  # a number or stake broken by the wrap: K19 / 1+942
    if last in _SENTENCE_END or column.width > _JOINING_WIDTH:
        return False
    if first in _CONTINUES or (last in "年月" and first.isdigit()):  # 2025年3月 / 1日
        return True
    if not column.width:  # no column to measure against: only a long unfinished line goes on
        return len(prev.solid) >= _LONG_LINE and not _is_heading(prev.solid)
    return prev.width >= _FULL_LINE * column.width or len(prev.solid) >= _FULL_LINE * column.chars


_MASTHEAD = re.compile(r"\d{4}\s*年|星期|第\s*\S{1,3}\s*版|[日晚早]报")


def _wrapped_heading(prev: _Line, nxt: _Line, column: _Column) -> bool:
    full = bool(column.width) and prev.width >= _FULL_LINE * column.width
    return full and _is_heading(prev.solid + nxt.solid) and not _MASTHEAD.search(prev.solid)


def _median(values: Iterable[int]) -> float:
    """The median, as ``statistics.median`` gives it (not imported: it costs a cold start 5 ms)."""
    data = sorted(values)
    if not data:
        raise ValueError("no median of no values")
    middle = len(data) // 2
    return data[middle] if len(data) % 2 else (data[middle - 1] + data[middle]) / 2


def _median_column(lines: list[_Line]) -> _Column:
    if not lines:
        return _Column(0, 0)
    return _Column(
        int(_median(x.width for x in lines)),
        int(_median(len(x.solid) for x in lines)),
    )


def _even(values: list[int]) -> bool:
    """Most values lie close to their median, as a wrapped column's lines do."""
    middle = _median(values)
    close = sum(abs(v - middle) <= _EVEN_BAND * middle for v in values)
    return close >= _EVEN_SHARE * len(values)


def _wrapped_lines(block: list[_Line]) -> list[_Line]:
    """The lines a column wrap filled (all but the last), if the block was wrapped at all.

    A block printed one paragraph per line has lines of every length; a wrapped one has
    most of its lines about as wide as the column.
    """
    lines = block[:-1]
    if len(block) < _MIN_WRAPPED:
        return []
    if _even([x.width for x in lines]) or _even([len(x.solid) for x in lines]):
        return lines
    return []


def _column(wrapped: list[list[_Line]]) -> _Column:
    """The page's typical column: the median width of its wrapped lines (each block's)."""
    return _median_column([line for lines in wrapped for line in lines])


def _paragraphs(block: list[_Line], own: list[_Line], page: _Column) -> list[_Line]:
    """The block's paragraphs; ``own``, its wrapped lines (:func:`_wrapped_lines`)."""
    column = _median_column(own) if own else page
    groups = [[block[0]]]
    for prev, line in itertools.pairwise(block):
        if _continues(prev, line, column) or _open_bracket(groups[-1]):
            groups[-1].append(line)
        else:
            groups.append([line])
    return [_joined(group) for group in groups]


def _open_bracket(lines: list[_Line]) -> bool:
    """A paragraph with a bracket still open goes on: （澧源县 / 城东至杨家 / 溪）."""
    text = "".join(line.text for line in lines)
    opened = text.count("(") + text.count("（")
    return 0 < opened - text.count(")") - text.count("）") <= 2 and len(text) < _LONG_PARAGRAPH


def _joined(lines: list[_Line]) -> _Line:
    """Lines wrapped from one paragraph, put back together."""
    if len(lines) == 1:  # most paragraphs: the line itself (its runs start at 0 and cover it)
        return lines[0]
    runs: list[Run] = []
    length = 0
    for line in lines:
        runs.extend(_cut(line.runs, 0, len(line.text), length))
        length += len(line.text)
    return _Line("".join(line.text for line in lines), runs, lines[0].heading)


def _drop_spaces(para: _Line) -> tuple[str, list[Run]]:
    """Drop whitespace, keeping one space only between two runs of ASCII letters or digits.

    ``K1700 500`` keeps its space (a lost plus sign); letter-spaced ``X 4 1 2`` loses them.
    """
    text = para.text
    glossed = "(" in text and _TONE.search(text) is not None  # a gloss carries a tone mark
    spaces = _SPACES if glossed else _BARE_SPACES
    if spaces.search(text) is None:  # most paragraphs of a Chinese page: kept whole, as they are
        return text, para.runs
    gaps = list(spaces.finditer(text))
    pieces: list[tuple[int, int]] = []  # spans of text kept, in order; (a, a) marks a kept space
    pos = 0
    for gap in gaps:
        if gap.start() > pos:
            if pieces and _keeps_space(
                text[pieces[-1][0] : pieces[-1][1]], text[pos : gap.start()]
            ):
                pieces.append((pos - 1, pos))  # the last character of the gap stands for the space
            pieces.append((pos, gap.start()))
        pos = gap.end()
    if pos < len(text):
        if pieces and _keeps_space(text[pieces[-1][0] : pieces[-1][1]], text[pos:]):
            pieces.append((pos - 1, pos))
        pieces.append((pos, len(text)))
    out: list[str] = []
    runs: list[Run] = []
    length = 0
    for a, b in pieces:
        piece = text[a:b]
        out.append(" " if piece.isspace() else piece)
        runs.extend(_cut(para.runs, a, b, length))
        length += b - a
    return "".join(out), runs


def _keeps_space(before: str, after: str) -> bool:
    left, right = _ASCII_RUN_END.search(before), _ASCII_RUN_START.match(after)
    return bool(left and right and len(left.group()) >= _RUN and len(right.group()) >= _RUN)


def normalize(raw: str) -> Text:
    """Clean a page's text of its layout, keeping offsets back to it."""
    texts: list[str] = []
    spans: list[tuple[int, int]] = []
    paragraphs: list[Paragraph] = []
    length = 0
    blocks = _blocks(_split_lines(raw))
    wrapped = [_wrapped_lines(block) for block in blocks]  # read once: the page's and each block's
    column = _column(wrapped)
    for block, own in zip(blocks, wrapped, strict=True):
        check()  # a CPU budget set around the parse (notices.budget)
        for para in _paragraphs(block, own, column):
            text, runs = _drop_spaces(para)
            if not text:
                continue
            for _, raw_start, run_length in runs:
                spans.append((raw_start, run_length))
            paragraphs.append(Paragraph(length, length + len(text), para.heading))
            texts.append(text + "\n")
            last = sum(spans[-1])  # after the paragraph's last character: its line break
            spans.append((last if last < len(raw) else last - 1, 1))
            length += len(text) + 1
    joined = "".join(texts)
    clean = unicodedata.normalize("NFC", joined)
    if len(clean) != len(joined):  # NFC merged a combining sequence: keep the unmerged text
        clean = joined
    return Text(raw, clean, canonical(clean), tuple(spans), tuple(paragraphs))


def canonical(clean: str) -> str:
    """Return the canonical form of clean text (``Text.canon``): the same length, folded."""
    canon = simplified(_fold(clean, _PUNCT_PAIRS))
    # each pattern opens with a lookbehind, so the engine tries it at every position: a
    # text without the letters it rewrites (found in C) is passed whole
    if "l" in canon or "I" in canon:
        canon = _OCR_ONE.sub("1", canon)
    return _OCR_DAY.sub("日", canon) if "曰" in canon else canon


Folding = tuple[tuple[str, str], ...]


def _folding(table: dict[int, Any]) -> Folding:
    """A ``str.maketrans`` table of one character for one, as (old, new) pairs for :func:`_fold`."""
    pairs = tuple((chr(k), v if isinstance(v, str) else chr(v)) for k, v in table.items())
    if any(len(new) != 1 for _, new in pairs):
        raise ValueError("a folding table maps a character to other than one character")
    if {new for _, new in pairs} & {old for old, _ in pairs}:
        raise ValueError("a folding table maps a character to one it folds in turn")
    return pairs


def _fold(text: str, pairs: Folding) -> str:
    """``text.translate`` of the pairs' table, in a tenth of the time.

    ``str.translate`` looks every character of a Chinese text up in the table as Python
    objects; replacing each character of the table that the text holds (found in C) gives
    the same string, as no character is replaced by one the table replaces in turn.
    """
    for old, new in pairs:
        if old in text:
            text = text.replace(old, new)
    return text


_PUNCT_PAIRS = _folding(_PUNCT_FOLD)
_ALNUM_PAIRS = _folding(_ALNUM_FOLD)
