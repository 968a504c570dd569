"""Load the .lark grammars (package data) once, with the island lexer they are written for.

The island lexer scans with one regular expression made of the grammar's own terminals
(in the grammar's priority order) and emits the text between two matches as a single
``FILLER`` token, so ordinary prose costs one token per run, not one per character.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import suppress
from functools import cache, lru_cache
from importlib import import_module, resources
from typing import Any

from lark import Lark, Token, Transformer
from lark.lexer import Lexer, LexerState

from notices import lalr
from notices.budget import check
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
        self._scanner = self.scanner()
        self._lexed = 0  # lines lexed: past _GUARDED_AFTER, the scanner with guards takes over
        self._named = {
            _ALIASES.get(t.name, t.name): re.compile(t.pattern.to_regexp(), conf.g_regex_flags)
            for t in terminals
            if t.name in _BOUNDED
        }

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
        if guarded and not self._flags:  # under IGNORECASE a class means more than it says
            from notices.guards import guarded as with_guards  # not needed at a cold start

            return re.compile(with_guards(self._patterns), self._flags)
        alternatives = "|".join(
            f"(?:{pattern})(?P<{name}>)" for name, pattern in self._patterns.items()
        )
        return re.compile(alternatives, self._flags)

    @lru_cache(maxsize=8192)  # noqa: B019 — one lexer per grammar, kept for the process
    def line_tokens(self, line: str) -> tuple[tuple[str, str, int], ...]:
        """The tokens of one line as (kind, text, start), cached: pages repeat their lines."""
        self._lexed += 1
        if self._lexed == _GUARDED_AFTER:
            self._take_guards()
        return self.scan(line, self._scanner)

    def _take_guards(self) -> None:
        """Scan with the guards from now on; a scanner they would not compile into is kept."""
        with suppress(re.error):  # a guard written wrongly costs speed, never a parse
            self._scanner = self.scanner(guarded=True)

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
            if match.end() == start:  # an empty match: step over one character as filler
                out.append((FILLER, line[start], start))
                pos = start + 1
                continue
            group = match.lastgroup or FILLER
            kind = _ALIASES.get(group, group)
            if kind in named:
                out.extend(self._bounded(kind, match.group(), start, line))
            else:
                out.append((kind, match.group(), start))
            pos = match.end()
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

    def _joined(self, kind: str, value: str, start: int, line: str) -> list[tuple[str, str, int]]:
        """A name right after another road, opening with 和, is the second of two
        (连坝路和控导连接线): the 和 joins them."""
        after_road = start > 0 and line[start - 1] in _ROAD_ENDS
        if value.startswith("和") and after_road and self._named[kind].fullmatch(value, 1):
            return [(FILLER, "和", start), (kind, value[1:], start + 1)]
        return []


# The guards (notices.guards) let the scanner pass over the positions no terminal can match
# at sooner: the road scan takes less than half the time. Reading them off the patterns and
# compiling the scanner again costs ≈40 ms, which the scan wins back in about a thousand
# lines; a one-page ``notices parse`` never gets there, a process that ingests soon does.
_GUARDED_AFTER = 1000
_ROAD_ENDS = frozenset("路街道线桥巷")
# Bounding words that also open road names: at a name's start they are its own (建设大街).
_NAME_OPENERS = frozenset(("建设",))
_LONGEST_BOUND = 4  # characters a bounding word may reach back before a name
_BOUNDED = frozenset(("ROUTE_NAME", "ROUTE_ENDS", "PLACE"))
# Terminals the grammar reads as another: a junction is a place.
_ALIASES = {"JUNCTION": "PLACE", "CODE_NAME": "ROUTE_NAME", "DOC_TITLE": FILLER}


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

    def parse(self, text: Any, start: str | None = None, on_error: Any = None) -> Any:
        """Parse ``text`` as Lark does; a plain whole-text parse takes the shorter loop."""
        tables = self._planned()
        lexer = self.parser.lexer
        if tables is None or start or on_error or not isinstance(text, str):
            return super().parse(text, start, on_error)
        if not isinstance(lexer, IslandLexer):
            return super().parse(text, start, on_error)
        make = getattr(type(self.options.transformer), "token_type", None) or _token
        try:
            return lalr.run(tables, lalr.tokens(text, lexer.line_tokens, make))
        except lalr.Mismatch:  # no action for a token: Lark's own parse raises its own error
            return super().parse(text)

    def _planned(self) -> lalr.Tables | None:
        if self._tables is False:
            transformer = self.options.transformer
            try:
                self._tables = lalr.Tables(self, transformer) if transformer else None
            except lalr.Unsupported:
                self._tables = None
        return self._tables if isinstance(self._tables, lalr.Tables) else None


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
