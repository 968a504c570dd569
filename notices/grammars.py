"""Load the .lark grammars (package data) once, with the island lexer they are written for.

The island lexer scans with one regular expression made of the grammar's own terminals
(in the grammar's priority order) and emits the text between two matches as a single
``FILLER`` token, so ordinary prose costs one token per run, not one per character.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from lark import Lark, Token
from lark.lexer import Lexer, LexerState

from notices.errors import GrammarLoadError

FILLER = "FILLER"


class IslandLexer(Lexer):
    """Tokens for the grammar's terminals; the text between them as FILLER."""

    __future_interface__ = 2

    def __init__(self, conf: Any) -> None:
        terminals = [t for t in conf.terminals if t.name != FILLER and t.name not in conf.ignore]
        terminals.sort(key=lambda t: (-t.priority, -t.pattern.max_width, t.name))
        self._names = [t.name for t in terminals]
        alternatives = "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terminals)
        self._scanner = re.compile(alternatives, conf.g_regex_flags)

    def lex(self, lexer_state: LexerState, parser_state: Any) -> Iterator[Token]:
        """Yield the tokens of the whole text."""
        text: str = lexer_state.text.text
        pos = 0
        search = self._scanner.search
        while pos < len(text):
            match = search(text, pos)
            start = match.start() if match else len(text)
            if start > pos:
                yield _token(FILLER, text[pos:start], pos)
            if match is None:
                return
            if match.end() == start:  # an empty match: step over one character as filler
                yield _token(FILLER, text[start], start)
                pos = start + 1
                continue
            kind = match.lastgroup or FILLER
            yield _token(kind, match.group(), start)
            pos = match.end()


def _token(kind: str, value: str, start: int) -> Token:
    return Token(kind, value, start_pos=start, end_pos=start + len(value))


@cache
def load(name: str) -> Lark:
    """Return the LALR parser for ``grammar/<name>.lark``, built once per process."""
    try:
        return Lark.open_from_package(
            "notices.grammar",
            f"{name}.lark",
            ("",),
            parser="lalr",
            lexer=IslandLexer,
            propagate_positions=False,
            maybe_placeholders=False,
            cache=False,
        )
    except Exception as exc:  # a broken grammar is a packaging error, never a user error
        raise GrammarLoadError(f"cannot load grammar {name}.lark: {exc}") from exc


class _Text:
    """The slice of lexer state the island lexer reads."""

    def __init__(self, text: str) -> None:
        self.text = text


class _State:
    def __init__(self, text: str) -> None:
        self.text = _Text(text)


@cache
def _lexer(name: str) -> IslandLexer:
    return IslandLexer(load(name).lexer_conf)


def island_tokens(name: str, text: str) -> Iterator[Token]:
    """Lex ``text`` with a grammar's terminals, without parsing (for segmentation)."""
    return _lexer(name).lex(_State(text), None)  # type: ignore[arg-type]
