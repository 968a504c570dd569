"""Load the .lark grammars (package data) once, with the island lexer they are written for.

The island lexer scans with one regular expression made of the grammar's own terminals
(in the grammar's priority order) and emits the text between two matches as a single
``FILLER`` token, so ordinary prose costs one token per run, not one per character.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator
from functools import cache, lru_cache
from importlib import import_module, resources
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer
from lark.lexer import Lexer, LexerState

from notices import lalr
from notices.budget import check
from notices.compiled import Code, code, kept
from notices.errors import GrammarLoadError

FILLER = "FILLER"


class IslandLexer(Lexer):
    """Tokens for the grammar's terminals; the text between them as FILLER."""

    __future_interface__ = 2

    def __init__(self, conf: Any) -> None:
        terminals = [t for t in conf.terminals if t.name != FILLER and t.name not in conf.ignore]
        terminals.sort(key=lambda t: (-t.priority, -t.pattern.max_width, t.name))
        self._names = [t.name for t in terminals]
        # Each terminal's name is an empty group after its pattern, not a group around it: an
        # alternative that opens with a literal or a character class is then skipped in C at
        # the positions it cannot start at (a third of the scan), and lastgroup still names it.
        self._patterns = {t.name: t.pattern.to_regexp() for t in terminals}
        self._flags = conf.g_regex_flags
        compiled = kept(self._key(), self._codes)
        self._scanner = compiled[_SCANNER]
        self._named = {kind: compiled[kind] for kind in _BOUNDED if kind in compiled}

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        """Yield the tokens of the whole text, line by line (no terminal spans a line break)."""
        text: str = lexer_state.text.text
        offset = 0
        for line in text.split("\n"):
            check()  # a CPU budget set around the parse (notices.budget)
            for kind, value, start in self.line_tokens(line):
                yield _token(kind, value, offset + start)
            offset += len(line) + 1
            if offset <= len(text):
                yield _token("NL", "\n", offset - 1)

    def scanner(self, guarded: bool = False) -> re.Pattern[str]:
        """The island scanner; ``guarded``, with the lookaheads of :mod:`notices.guards`,
        which pass over a position no terminal can match at sooner (the same tokens)."""
        return re.compile(self._scanner_pattern(guarded), self._flags)

    def _scanner_pattern(self, guarded: bool) -> str:
        if guarded and not self._flags:  # under IGNORECASE a class means more than it says
            from notices.guards import guarded as with_guards  # read once per install

            return with_guards(self._patterns)
        return "|".join(f"(?:{pattern})(?P<{name}>)" for name, pattern in self._patterns.items())

    def _key(self) -> str | None:
        """What the compiled patterns are made from: the terminals, and the guards' reading
        (None, and no cache, if the guards' source cannot be read)."""
        try:
            guards = "" if self._flags else _guards_digest()
        except OSError:
            return None
        return repr((sorted(_BOUNDED), list(self._patterns.items()), self._flags, guards))

    def _codes(self) -> dict[str, Code]:
        """The scanner (with its guards where they compile) and the name patterns, as code."""
        codes = {
            kind: code(pattern, self._flags)
            for kind, pattern in self._patterns.items()
            if kind in _BOUNDED
        }
        try:
            codes[_SCANNER] = code(self._scanner_pattern(guarded=True), self._flags)
        except re.error:  # a guard written wrongly costs speed, never a parse
            codes[_SCANNER] = code(self._scanner_pattern(guarded=False), self._flags)
        return codes

    @lru_cache(maxsize=8192)  # noqa: B019 — one lexer per grammar, kept for the process
    def line_tokens(self, line: str) -> tuple[tuple[str, str, int], ...]:
        """The tokens of one line as (kind, text, start), cached: pages repeat their lines."""
        return self.scan(line, self._scanner)

    def scan(self, line: str, scanner: re.Pattern[str]) -> tuple[tuple[str, str, int], ...]:
        """The tokens of one line under ``scanner`` (one of :meth:`scanner`'s), uncached."""
        out: list[tuple[str, str, int]] = []
        pos = 0
        search = scanner.search
        named = self._named  # only names are cut at a bounding word (_bounded)
        while pos < len(line):
            if len(out) & 1023 == 1023:
                check()
            match = search(line, pos)
            start = match.start() if match else len(line)
            if start > pos:
                out.append((FILLER, line[pos:start], pos))
            if match is None:
                break
            group = match.lastgroup or FILLER
            # a token ends where its terminal's empty group does: a guarded alternative's
            # match may end after its first character only (notices.guards._dispatched)
            end = match.end(group) if match.lastgroup else match.end()
            if end == start:  # an empty match: step over one character as filler
                out.append((FILLER, line[start], start))
                pos = start + 1
                continue
            kind = _ALIASES.get(group, group)
            value = line[start:end]
            if kind in named and group not in _WHOLE:
                out.extend(self._bounded(kind, value, start, line))
            else:
                out.append((kind, value, start))
            pos = end
        return tuple(out)

    def _bounded(self, kind: str, value: str, start: int, line: str) -> list[tuple[str, str, int]]:
        """A name that holds a bounding word starts after it (提前选择文化路 → 文化路).

        The word may begin before the name: the match starts inside it when its first
        character cannot stand in a name (此次北三环 → 北三环, not 次北三环).
        """
        if kind not in self._named or (kind == "PLACE" and "与" in value):
            return [(kind, value, start)]  # a junction (甲路与Y026乡道平交口) is one place
        pair = self._pair(kind, value, start) or self._joined(kind, value, start, line)
        if pair:
            return pair
        out = self._unbounded(kind, value, start, line)
        out[-1:] = self._glued(*out[-1]) or out[-1:]
        return out

    def _unbounded(
        self, kind: str, value: str, start: int, line: str
    ) -> list[tuple[str, str, int]]:
        """The name with the prose before it cut off at a bounding word."""
        words = [
            m
            for m in _bounds().finditer(
                line, max(0, start - _LONGEST_BOUND), start + len(value) - 1
            )
            if m.end() > start and not (m.start() == start and m.group() in _NAME_OPENERS)
        ]
        if not words:
            return [(kind, value, start)]
        cut = max(m.end() for m in words) - start
        if self._named[kind].fullmatch(value, cut):
            return [(FILLER, value[:cut], start), (kind, value[cut:], start + cut)]
        if words[0].start() <= start:  # the name began with or inside a word of prose (届时甘麦 …)
            return [(FILLER, value, start)]
        return [(kind, value, start)]

    def _pair(self, kind: str, value: str, start: int) -> list[tuple[str, str, int]]:
        """Two names joined by 和 are two (荆林桥和固村桥), when each side is a name."""
        named = self._named[kind]
        for at in (i for i, c in enumerate(value) if c == "和" and 0 < i < len(value) - 1):
            # the first may be a place the name runs on from (戊河桥和己山路)
            first_kind = next(
                (k for k in (kind, "PLACE") if self._named[k].fullmatch(value, 0, at)), None
            )
            if first_kind and named.fullmatch(value, at + 1):
                first, second = value[:at], value[at + 1 :]
                return [
                    (first_kind, first, start),
                    (FILLER, "和", start + at),
                    (kind, second, start + at + 1),
                ]
        return []

    def _glued(self, kind: str, value: str, start: int) -> list[tuple[str, str, int]]:
        """Two streets printed one after the other are two (海尔路香港东路路口: a junction;
        中心大街东山街至…: a road and where its stretch starts), each a name of its own."""
        if kind != "ROUTE_NAME":
            return []
        named = self._named[kind]
        for at in range(_SHORTEST_GLUED, len(value) - _SHORTEST_GLUED + 1):
            second = value[at:]
            if value[at - 1] not in _GLUED_ENDS or second.startswith(_NOT_SECOND):
                continue
            if named.fullmatch(value, 0, at) and named.fullmatch(value, at):
                return [(kind, value[:at], start), (kind, second, start + at)]
        return []

    def _joined(self, kind: str, value: str, start: int, line: str) -> list[tuple[str, str, int]]:
        """A name right after another road, opening with 和, is the second of two
        (连坝路和控导连接线): the 和 joins them."""
        after_road = start > 0 and line[start - 1] in _ROAD_ENDS
        if value.startswith("和") and after_road and self._named[kind].fullmatch(value, 1):
            return [(FILLER, "和", start), (kind, value[1:], start + 1)]
        return []


# The guards (notices.guards) let the scanner pass over the positions no terminal can match
# at sooner: the road scan takes less than half the time. Reading them off the patterns and
# compiling the scanner costs ≈65 ms, once per install: the compiled code is kept on disk
# (notices.compiled), so every later process scans with them from its first line.
_SCANNER = "scanner"
_ROAD_ENDS = frozenset("路街道线桥巷")
_GLUED_ENDS = frozenset("路街")  # where a street glued to the next ends (甲路乙街)
_SHORTEST_GLUED = 3  # characters of each of two glued streets
# What a second street never opens with: 甲路步行街 and 甲路辅路 are one street, 甲街道 a
# subdistrict, 甲路快速路 one road
_NOT_SECOND = ("步行", "辅路", "主路", "支路", "道", "快速")
# Bounding words that also open road names: at a name's start they are its own (建设大街).
_NAME_OPENERS = frozenset(("建设",))
_LONGEST_BOUND = 4  # characters a bounding word may reach back before a name
_BOUNDED = frozenset(("ROUTE_NAME", "ROUTE_ENDS", "PLACE"))
# Terminals the grammar reads as another: a junction is a place.
# Names read whole, whatever bounding word they open with (国道1号 in Taiwan)
_WHOLE = frozenset(("TW_ROUTE",))
_ALIASES = {
    "JUNCTION": "PLACE",
    "CODE_NAME": "ROUTE_NAME",
    "TW_ROUTE": "ROUTE_NAME",
    "DOC_TITLE": FILLER,
}


def _guards_digest() -> str:
    """A digest of the guards module's source, which decides the guarded scanner's pattern."""
    return hashlib.sha256(Path(__file__).with_name("guards.py").read_bytes()).hexdigest()


@cache
def _bounds() -> re.Pattern[str]:
    """The words of ``grammar/name_bounds.txt`` as one pattern."""
    text = resources.files("notices.grammar").joinpath("name_bounds.txt").read_text("utf-8")
    words = [w for w in (line.strip() for line in text.splitlines()) if w and w[0] != "#"]
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))


def _token(kind: str, value: str, start: int, end: int | None = None) -> Token:
    return Token(kind, value, start_pos=start, end_pos=start + len(value) if end is None else end)


class IslandLark(Lark):
    """Lark whose parse of a whole text runs :mod:`notices.lalr`'s loop over the island
    lexer's cached lines: the Transformer's results Lark's own loop gives, in less time."""

    _tables: lalr.Tables | bool | None = False  # False: not planned yet; None: unsupported
    _make: lalr.TokenMaker = _token  # the token each of the loop's tokens is made as

    def parse(self, text: Any, start: str | None = None, on_error: Any = None) -> Any:
        """Parse ``text`` as Lark does; a plain whole-text parse takes the shorter loop."""
        tables = self._planned()
        lexer = self.parser.lexer
        if tables is None or start or on_error or not isinstance(text, str):
            return super().parse(text, start, on_error)
        if not isinstance(lexer, IslandLexer):
            return super().parse(text, start, on_error)
        try:
            return lalr.parse(tables, text, lexer.line_tokens, self._make)
        except lalr.Mismatch:  # no action for a token: Lark's own parse raises its own error
            return super().parse(text)

    def _planned(self) -> lalr.Tables | None:
        if self._tables is False:
            with _PLANNING:  # ingestion parses in threads: one plans, the others wait for it
                if self._tables is False:
                    self._plan()
        return self._tables if isinstance(self._tables, lalr.Tables) else None

    def _plan(self) -> None:
        transformer = self.options.transformer
        # the token maker first: a thread that finds the tables planned uses it at once
        self._make = lalr.maker(getattr(type(transformer), "token_type", None) or _token)
        try:
            self._tables = lalr.Tables(self, transformer) if transformer else None
        except lalr.Unsupported:
            self._tables = None


_PLANNING = threading.Lock()


@cache
def load(name: str, transformer: type[Transformer[Token, Any]] | None = None) -> Lark:
    """Return the LALR parser for ``grammar/<name>.lark``, built once per process.

    With a ``transformer``, it is applied while parsing (no parse tree is built).
    """
    try:
        return IslandLark.open_from_package(
            "notices.grammar",
            f"{name}.lark",
            ("",),
            parser="lalr",
            lexer=IslandLexer,
            transformer=transformer() if transformer else None,
            propagate_positions=False,
            maybe_placeholders=False,
            cache=True,  # LALR tables kept in the temp folder by grammar hash: a fast cold start
        )
    except Exception as exc:  # a broken grammar is a packaging error, never a user error
        raise GrammarLoadError(f"cannot load grammar {name}.lark: {exc}") from exc


# The Transformer each grammar is parsed with. The segmenter lexes with the lexer of that
# same Lark object, so a line is lexed once for both (its tokens are cached by line), and a
# grammar costs one Lark object, not one for its parser and one for its lexer.
_TRANSFORMERS = {
    "road": ("notices.road_phrases", "RoadTransformer"),
    "loss": ("notices.loss_phrases", "LossTransformer"),
}


@cache
def _lexer(name: str) -> IslandLexer:
    module, attribute = _TRANSFORMERS[name]
    lexer = load(name, getattr(import_module(module), attribute)).parser.lexer
    if not isinstance(lexer, IslandLexer):
        raise GrammarLoadError(f"grammar {name}.lark is not read by the island lexer")
    return lexer


def island_line(name: str, line: str) -> tuple[tuple[str, str, int], ...]:
    """The tokens of one line under a grammar's terminals, as (kind, text, start)."""
    return _lexer(name).line_tokens(line)


def island_kinds(name: str, line: str) -> tuple[str, ...]:
    """The token kinds of one line under a grammar's terminals (for segmentation)."""
    return tuple(kind for kind, _, _ in island_line(name, line))
