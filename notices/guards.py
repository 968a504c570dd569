"""Lookahead guards for the island scanner, read off each terminal's own pattern.

A name terminal (``PLACE``: up to ten name characters, then 桥, 村, 口 …) opens with a run
of almost any character, so the scanner tries it, with its lookarounds and backtracking,
at every position of every line. Its guard is a necessary condition of a match, written
as plain character classes: ``(?=[^…]{1,10}?[桥村口…])``, the run's characters then a
character the suffix can begin with. Where the guard fails the terminal cannot match, so
the scanner passes over the position at the cost of a few class tests; where it holds,
the terminal is tried as before. Tokens are the same by construction: a guard only ever
drops alternatives that could not match.

The condition is derived from the pattern as Python's regular-expression parser reads it.
Every element of the pattern stands for the characters it may consume (a class) and how
many (a width); lookarounds consume none and are left out, which only weakens the guard.
A terminal gets a guard only if one of its alternatives opens with such a run (a negated
class), each has a part with a known first character, and every part of its pattern is
one this module knows; any other terminal is scanned as is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from re import _constants as sre
from re import _parser as sre_parse
from typing import Any

_UNBOUNDED = sre.MAXREPEAT
_CATEGORIES = {
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
}
_ZERO_WIDTH = (sre.ASSERT, sre.ASSERT_NOT, sre.AT)
_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


class Unknown(Exception):
    """A part of a pattern this module does not read: the terminal gets no guard."""


@dataclass(frozen=True)
class Chars:
    """A set of characters: the items of a class, or all but them (``negated``)."""

    negated: bool
    items: frozenset[tuple[Any, ...]]  # ("lit", code) | ("range", lo, hi) | ("cat", category)

    def __or__(self, other: Chars) -> Chars:
        if not self.negated and not other.negated:
            return Chars(False, self.items | other.items)
        if self.negated and other.negated:  # all but what both leave out
            return Chars(True, self.items & other.items)
        left, right = (self, other) if self.negated else (other, self)
        codes = {i[1] for i in right.items if i[0] == "lit"}
        wider = [i for i in right.items if i[0] != "lit"]
        return Chars(
            True,
            frozenset(i for i in left.items if not _overlaps(i, codes, wider)),
        )

    def regex(self) -> str:
        """The set as a regular-expression class."""
        body = "".join(_item_regex(i) for i in sorted(self.items, key=repr))
        if self.negated:
            return f"[^{body}]" if body else r"[\s\S]"
        return f"[{body}]"


NOTHING = Chars(False, frozenset())
ANYTHING = Chars(True, frozenset())


@dataclass(frozen=True)
class Shape:
    """What a part of a pattern may consume: its characters, its first, how many."""

    chars: Chars
    first: Chars | None  # None: it may consume nothing
    low: int
    high: int


def _overlaps(item: tuple[Any, ...], codes: set[int], wider: list[tuple[Any, ...]]) -> bool:
    """Whether ``item`` may share a character with the characters ``codes`` or the ranges
    and categories ``wider`` (when unsure: yes)."""
    found = item[1] in codes if item[0] == "lit" else any(_holds(item, c) for c in codes)
    return found or any(_meets(item, p) or _meets(p, item) for p in wider)


def _meets(item: tuple[Any, ...], other: tuple[Any, ...]) -> bool:
    if other[0] == "lit":
        return _holds(item, other[1])
    if item[0] == "range" and other[0] == "range":
        return bool(item[1] <= other[2] and other[1] <= item[2])
    return bool(item[0] != "lit")  # a category beside a range or a category: unsure


def _holds(item: tuple[Any, ...], code: int) -> bool:
    if item[0] == "lit":
        return bool(item[1] == code)
    if item[0] == "range":
        return bool(item[1] <= code <= item[2])
    return re.fullmatch(_CATEGORIES[item[1]], chr(code)) is not None  # a category


def _item_regex(item: tuple[Any, ...]) -> str:
    if item[0] == "lit":
        return _escape(item[1])
    if item[0] == "range":
        return f"{_escape(item[1])}-{_escape(item[2])}"
    return _CATEGORIES[item[1]]


def _escape(code: int) -> str:
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _class(items: list[tuple[Any, Any]]) -> Chars:
    negated = bool(items) and items[0][0] is sre.NEGATE
    found: set[tuple[Any, ...]] = set()
    for op, av in items[1:] if negated else items:
        if op is sre.LITERAL:
            found.add(("lit", av))
        elif op is sre.RANGE:
            found.add(("range", av[0], av[1]))
        elif op is sre.CATEGORY and av in _CATEGORIES:
            found.add(("cat", av))
        else:
            raise Unknown(str(op))
    return Chars(negated, frozenset(found))


def _shape(op: Any, av: Any) -> Shape | None:
    """The shape of one element; None for one that consumes nothing (a lookaround)."""
    if op in _ZERO_WIDTH:
        return None
    if op is sre.LITERAL:
        one = Chars(False, frozenset({("lit", av)}))
        return Shape(one, one, 1, 1)
    if op is sre.NOT_LITERAL:
        one = Chars(True, frozenset({("lit", av)}))
        return Shape(one, one, 1, 1)
    if op is sre.ANY:
        return Shape(ANYTHING, ANYTHING, 1, 1)
    if op is sre.IN:
        one = _class(av)
        return Shape(one, one, 1, 1)
    if op in _REPEATS:
        low, high, sub = av
        inner = _sequence(list(sub))
        top = _UNBOUNDED if high >= _UNBOUNDED else min(_UNBOUNDED, high * inner.high)
        return Shape(inner.chars, inner.first if low else None, low * inner.low, top)
    if op is sre.SUBPATTERN:
        _, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            raise Unknown("inline flags")
        return _sequence(list(sub))
    if op is sre.ATOMIC_GROUP:
        return _sequence(list(av))
    if op is sre.BRANCH:
        return _branch([_sequence(list(alt)) for alt in av[1]])
    raise Unknown(str(op))


def _branch(shapes: list[Shape]) -> Shape:
    chars: Chars = NOTHING
    first: Chars | None = NOTHING
    for shape in shapes:
        chars = chars | shape.chars
        first = first | shape.first if shape.first is not None and first is not None else None
    return Shape(chars, first, min(s.low for s in shapes), max(s.high for s in shapes))


def _sequence(elements: list[tuple[Any, Any]]) -> Shape:
    chars, first, low, high = NOTHING, NOTHING, 0, 0
    opened = False  # a part that always consumes has been seen: the first character is known
    for op, av in elements:
        shape = _shape(op, av)
        if shape is None:
            continue
        chars = chars | shape.chars
        if not opened:
            first = first | shape.first if shape.first is not None else first | shape.chars
            opened = shape.low > 0 and shape.first is not None
        low, high = low + shape.low, min(_UNBOUNDED, high + shape.high)
    return Shape(chars, first if opened else None, low, high)


def _alternatives(elements: list[tuple[Any, Any]]) -> list[list[tuple[Any, Any]]]:
    """The pattern's top-level alternatives, out of the groups around them."""
    while len(elements) == 1 and elements[0][0] is sre.SUBPATTERN:
        _, add_flags, del_flags, sub = elements[0][1]
        if add_flags or del_flags:
            raise Unknown("inline flags")
        elements = list(sub)
    if len(elements) == 1 and elements[0][0] is sre.BRANCH:
        return [alt for sub in elements[0][1][1] for alt in _alternatives(list(sub))]
    return [elements]


def _condition(elements: list[tuple[Any, Any]]) -> tuple[str, bool, Chars, int] | None:
    """The guard of one alternative: the runs before its first selective part (a known
    first character), then that character; whether a run of almost any character came
    first; the characters the guard ends with, and how far from the start that one may
    be. None when no part is selective."""
    runs: list[Shape] = []
    broad = False
    shapes = [s for s in (_shape(op, av) for op, av in elements) if s is not None and s.high]
    for at, shape in enumerate(shapes):
        if shape.low > 0 and shape.first is not None and not shape.first.negated:
            text, stop, reach = _through(runs, shape.first, shapes[at:])
            return text, broad, stop, reach
        broad = broad or shape.chars.negated
        runs.append(shape)
    return None


def _through(runs: list[Shape], first: Chars, rest: list[Shape]) -> tuple[str, Chars, int]:
    """The runs, then the selective part's first character; or, for an alternative that
    opens with its selective part, when a second follows (号 after the digits of 三号便道,
    环 after the 东 of 东二环), the first as a run of its own characters, the parts
    between, and the second's first character: a digit alone passes no guard then. (After
    runs, the guard stays as it was: its last run is then counted in one loop.) With the
    characters it ends with, and how far from the start that one may be."""
    if runs:
        return _runs(runs, first), first, _reach(runs)
    for at, shape in enumerate(rest[1:], 1):
        if shape.low > 0 and shape.first is not None and not shape.first.negated:
            return _runs([*runs, *rest[:at]], shape.first), shape.first, _reach(rest[:at])
    return _runs(runs, first), first, 0


def _reach(runs: list[Shape]) -> int:
    return int(min(_UNBOUNDED, sum(run.high for run in runs)))


def _runs(runs: list[Shape], first: Chars) -> str:
    if not runs:
        return first.regex()
    head = ""
    if runs[0].low:
        # the run's first character on its own: the engine tests a condition that opens
        # with a class before it enters it, and enters one that opens with a repeat
        opening = runs[0]
        head = opening.chars.regex()
        high = opening.high if opening.high >= _UNBOUNDED else opening.high - 1
        rest = Shape(opening.chars, opening.first, opening.low - 1, high)
        runs = [rest, *runs[1:]] if high else runs[1:]
        if not runs:
            return head + first.regex()
    return head + "".join(_lazy(run) for run in runs[:-1]) + _up_to(runs[-1], first)


def _lazy(run: Shape) -> str:
    if run.low == run.high == 1:
        return run.chars.regex()
    top = "" if run.high >= _UNBOUNDED else str(run.high)
    return f"{run.chars.regex()}{{{run.low},{top}}}?"


def _up_to(run: Shape, first: Chars) -> str:
    """The last run of a guard, then the character that ends it: ``[N]{lo,hi}?[S]``.

    Whether that matches is whether, after ``lo`` characters of ``N``, the first ``S``
    comes within ``hi`` through characters of ``N``: ``[N]{lo}[N∖S]{0,hi-lo}+[S]``, which
    the engine counts in one loop where the lazy form tries ``[S]`` after each character
    (a guard is tried at every position). Written so for ``N`` negated, as name runs are.
    """
    if not run.chars.negated or first.negated:
        return _lazy(run) + first.regex()
    rest = Chars(True, run.chars.items | first.items)  # N without S
    more = "" if run.high >= _UNBOUNDED else str(run.high - run.low)
    head = f"{run.chars.regex()}{{{run.low}}}" if run.low else ""
    return f"{head}{rest.regex()}{{0,{more}}}+{first.regex()}"


def guard(pattern: str, broad: bool = True) -> str:
    """A lookahead every match of ``pattern`` satisfies, or "" when none is worth having:
    a guard for a terminal one of whose alternatives opens with a run of almost anything
    (with ``broad`` false, for any terminal whose parts give one)."""
    try:
        return _guard(list(sre_parse.parse(pattern)), broad)
    except (Unknown, re.error, TypeError, ValueError, KeyError):
        return ""


def _guard(parsed: list[tuple[Any, Any]], broad: bool = True) -> str:
    """The guard of a parsed pattern (see :func:`guard`); with ``broad`` false, also for a
    terminal none of whose alternatives opens with a run of almost anything (a stake's
    digits, then its K within three characters)."""
    conditions = [_condition(alt) for alt in _alternatives(parsed)]
    known = [c for c in conditions if c is not None]
    if not known or len(known) < len(conditions) or (broad and not any(c[1] for c in known)):
        return ""
    stop, reach = NOTHING, 0
    for _, _, ends, far in known:
        stop, reach = stop | ends, max(reach, far)
    return f"(?:{_rare(stop, reach)}(?={'|'.join(c[0] for c in known)}))"


def _rare(stop: Chars, reach: int) -> str:
    """A first look for the few characters a guard ends with (a junction's 与, the 至/到 of
    a road named by its ends): whether one comes within ``reach``, counted through the
    characters that are not one of them, a loop the engine runs over a character or two
    in a few instructions each, where the guard's own runs test a class of hundreds. It
    holds wherever the guard does (the guard's last character is one of them, at most
    ``reach`` on), and fails at most positions, those characters being rare; "" for a
    guard that ends in many."""
    if stop.negated or len(stop.items) > _RARE or any(item[0] != "lit" for item in stop.items):
        return ""
    top = "" if reach >= _UNBOUNDED else str(reach)
    return f"(?={Chars(True, stop.items).regex()}{{0,{top}}}+{stop.regex()})"


_RARE = 4  # characters a guard may end in for a first look for them


def opening(pattern: str) -> Chars | None:
    """The characters every match of ``pattern`` opens with, when they are few and known."""
    try:
        return _opening(list(sre_parse.parse(pattern)))
    except (Unknown, re.error, TypeError, ValueError, KeyError):
        return None


def _opening(parsed: list[tuple[Any, Any]]) -> Chars | None:
    first = _sequence(parsed).first
    if first is None or first.negated or not all(_narrow(item) for item in first.items):
        return None
    return first


def _narrow(item: tuple[Any, ...]) -> bool:
    """An item of a class few characters pass: a character, a short range, a digit."""
    if item[0] == "range":
        return bool(item[2] - item[1] < _NARROW)
    return item[0] == "lit" or item[1] is sre.CATEGORY_DIGIT


_NARROW = 256


def guarded(patterns: dict[str, str]) -> str:
    """The island scanner's alternatives (name → pattern, in order), with their guards.

    A name terminal gets its own guard (:func:`guard`); each run of consecutive terminals
    that open with few characters is tried only at a character one of them opens with, and
    each of them only at a character it opens with (:func:`_dispatched`), so a position
    none opens at passes them all at once; one that opens with a lookaround, a group or a
    repeat is then tried only where its guard holds, when its parts give one. The order of
    the alternatives is kept, and with it which terminal wins at a position.
    """
    parts: list[str] = []
    run: list[tuple[Chars, str, bool]] = []

    def close_run() -> None:
        if len(run) > 1:
            opens = NOTHING
            for first, _, _ in run:
                opens = opens | first
            inner = "|".join(_dispatched(f, alternative, plain) for f, alternative, plain in run)
            parts.append(_dispatched(opens, f"(?:{inner})", plain=False))
        else:
            parts.extend(_dispatched(f, alternative, plain) for f, alternative, plain in run)
        run.clear()

    for name, pattern in patterns.items():
        alternative = f"(?:{pattern})(?P<{name}>)"
        try:
            parsed = list(sre_parse.parse(pattern))  # read once, for its opening or its guard
            first = _opening(parsed)
            lookahead = "" if first else _guard(parsed)
            plain = _plain_head(parsed)
        except Exception:  # a pattern this module reads wrongly only loses its guard
            first, lookahead, plain = None, "", False
        if first is None:
            close_run()
            parts.append(lookahead + alternative)
        else:
            if not plain:  # tried after its first character: its guard first, if it has one
                alternative = _guard(parsed, broad=False) + alternative
            run.append((first, alternative, plain))
    close_run()
    return "|".join(parts)


def _dispatched(first: Chars, alternative: str, plain: bool) -> str:
    r"""``alternative`` tried only where the next character is one of ``first`` (the
    characters every match of it opens with).

    The engine passes over an alternative that opens with a character or a class by testing
    that one character, but enters one that opens with a lookaround, a group or a repeat
    at every position. So the class is matched first and the alternative read from the
    same position, inside a lookbehind of that one character: ``[F](?<=(?=A)[\s\S])``.
    The match then ends after that character; the token ends where the terminal's empty
    group does (``match.end(kind)``), as it does in every alternative of the scanner. One
    that already opens with its own character or class (``plain``) stays as it is.
    """
    if plain:
        return alternative
    return f"{first.regex()}(?<=(?={alternative})[\\s\\S])"


def _plain_head(parsed: list[tuple[Any, Any]]) -> bool:
    """Whether a pattern opens with a character or a class, which the engine tests before
    it enters the alternative (not with a group, a repeat, a branch or a lookaround)."""
    return bool(parsed) and parsed[0][0] in (sre.LITERAL, sre.IN)
