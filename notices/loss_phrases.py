"""Parse tree of ``loss.lark`` → phrases: identifiers with their values, brackets, words.

Like :mod:`notices.road_phrases`, the Transformer only maps; it is applied by Lark while
parsing. :mod:`notices.loss` decides who lost what.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lark import Token, Transformer

from notices.road_phrases import Tok, _tokens_as_toks


@dataclass(frozen=True)
class Value:
    """One printed identifier value."""

    start: int
    end: int


@dataclass(frozen=True)
class IdPhrase:
    """A label (统一社会信用代码, 证号 …) and the values printed after it."""

    label: Tok
    values: tuple[Value, ...]
    start: int
    end: int


@dataclass(frozen=True)
class Bracket:
    """Bracketed words: a remark after a name, or identifiers."""

    items: tuple[Any, ...]
    start: int
    end: int


@_tokens_as_toks
class LossTransformer(Transformer[Token, list[Any]]):
    """Map a ``loss.lark`` tree to a flat list of phrases and tokens."""

    def start(self, children: list[Any]) -> list[Any]:
        return children

    def value(self, children: list[Tok]) -> Value:
        return Value(children[0].start, children[-1].end)

    def identifier(self, children: list[Any]) -> IdPhrase:
        values = tuple(c for c in children if isinstance(c, Value))
        end = values[-1].end if values else children[0].end
        return IdPhrase(children[0], values, children[0].start, end)

    def paren(self, children: list[Any]) -> Bracket:
        inner = tuple(
            c for c in children if not (isinstance(c, Tok) and c.kind in ("LPAR", "RPAR"))
        )
        ends = [c.end for c in children if hasattr(c, "end")]
        return Bracket(inner, children[0].start, max(ends))
