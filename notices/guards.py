"""A cheap lookahead in front of a terminal: a character every match of it must hold.

The island scanner tries every terminal at every position of a line. A name terminal
(``PLACE: _NAME_CHAR~1..8 (桥|村|站|…)``) can start at almost any Chinese character, and
trying it means reading up to eight characters and backing off through them, testing
every suffix at each. Yet it can only match where one of its suffixes' first characters
stands one to eight characters on: ``(?=[\\s\\S][^桥村站…]{0,7}+[桥村站…])`` says so in one
pass of a character class, and fails at once almost everywhere else.

The guard is read off the terminal's own pattern (by Python's regular-expression parser),
so it follows the grammar as it changes; it is a condition every match meets, so adding it
never changes what the scanner finds (``tests/test_lexing.py`` compares the tokens). Where
the pattern holds no such character, or cannot be read, the guard is empty.
"""

from __future__ import annotations

import re
from importlib import import_module
from typing import Any

_sre = import_module("re._parser")  # the parser ``re.compile`` itself uses (no public API)
_C = import_module("re._constants")

_SELECTIVE = 48  # more characters than this let most positions through: no guard pays
_REACH = 16  # looking further ahead at every position costs more than the guard saves
_WIDEST_RANGE = 64  # a character range wider than this is not listed
_UNBOUNDED = 1 << 16
_ZERO_WIDTH = frozenset(("AT", "ASSERT", "ASSERT_NOT"))

Span = tuple[int, int, frozenset[str]]  # (least, most) characters before one of these


def guard(pattern: str, flags: int) -> str:
    """Return a lookahead that every match of ``pattern`` passes, or "" if none helps."""
    if flags & re.IGNORECASE:
        return ""
    try:
        tree = _sre.parse(pattern, flags)
        if tree.state.flags & re.IGNORECASE:
            return ""
        items = _flat(list(tree.data))
        if not _starts_anywhere(items, tree.state):
            return ""
        span = _required(items, tree.state)
    except Exception:  # a pattern this reading does not know: no guard, the same tokens
        return ""
    if span is None or not 0 < span[1] <= _REACH:  # none, at the start, or too far to look
        return ""
    least, most, chars = span
    wanted = "".join(re.escape(c) for c in sorted(chars))
    skip = f"{{0,{most - least}}}+"
    lead = f"[\\s\\S]{{{least}}}" if least else ""
    return f"(?={lead}[^{wanted}]{skip}[{wanted}])"


def _flat(items: list[Any]) -> list[Any]:
    """The sequence with its groups opened (a group without flags only bounds a part)."""
    out: list[Any] = []
    for op, av in items:
        if str(op) == "SUBPATTERN" and not av[1] and not av[2]:
            out.extend(_flat(list(av[3].data)))
        else:
            out.append((op, av))
    return out


def _starts_anywhere(items: list[Any], state: Any) -> bool:
    """Tell whether the engine must try the pattern at most positions: it opens with no
    assertion (a lookbehind fails faster than a guard) and with no short list of characters."""
    if not items or str(items[0][0]) in _ZERO_WIDTH:
        return False
    first = _first(items, state)
    return first is None or len(first) > _SELECTIVE


def _required(items: list[Any], state: Any) -> Span | None:
    """The character set that must stand at some offset in a sequence, if there is one."""
    if len(items) == 1 and _name(items[0]) == "BRANCH":
        spans = [_required(_flat(list(alt.data)), state) for alt in items[0][1][1]]
        if any(s is None for s in spans):
            return None
        found = [s for s in spans if s is not None]
        chars = frozenset().union(*(s[2] for s in found))
        if len(chars) > _SELECTIVE:
            return None
        return min(s[0] for s in found), max(s[1] for s in found), chars
    least = most = 0
    best: Span | None = None
    for item in items:
        low, high = _sre.SubPattern(state, [item]).getwidth()
        first = _first([item], state) if low else None
        if first is not None and len(first) <= _SELECTIVE:
            best = (least, most, first)  # the last such item: a name's suffix
        least, most = least + low, min(most + high, _UNBOUNDED)
    return best


def _first(items: list[Any], state: Any) -> frozenset[str] | None:
    """The characters a match of a sequence can start with (None: too many, or unknown)."""
    for op, av in items:
        name = str(op)
        if name in _ZERO_WIDTH:
            continue
        if _sre.SubPattern(state, [(op, av)]).getwidth()[0] == 0:
            return None  # it may be empty: what follows could start the match
        return _first_of(name, av, state)
    return None


def _first_of(name: str, av: Any, state: Any) -> frozenset[str] | None:
    if name == "LITERAL":
        return frozenset(chr(av))
    if name == "IN":
        return _members(av)
    if name == "SUBPATTERN":
        add_flags = av[1]
        return None if add_flags & re.IGNORECASE else _first(list(av[3].data), state)
    if name == "BRANCH":
        sets = [_first(list(alt.data), state) for alt in av[1]]
        known = [s for s in sets if s is not None]
        return frozenset().union(*known) if len(known) == len(sets) else None
    if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
        return _first(list(av[2].data), state) if av[0] else None
    if name == "ATOMIC_GROUP":
        return _first(list(av.data), state)
    return None


def _members(items: list[Any]) -> frozenset[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if str(op) == "LITERAL":
            chars.add(chr(av))
        elif str(op) == "RANGE" and av[1] - av[0] <= _WIDEST_RANGE:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        else:  # NEGATE, a category (\d, \s), a wide range
            return None
    return frozenset(chars)


def _name(item: Any) -> str:
    return str(item[0])


assert _C.MAXREPEAT >= _UNBOUNDED  # widths past this are read as unbounded
