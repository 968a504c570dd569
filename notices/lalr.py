"""Lark's LALR tables run by a shorter loop: the same reductions, the same Transformer calls.

Lark's own loop costs a Python call per token and per reduction, a ``Token`` per token, and
a ``Tree`` for every reduction of an inlined rule (``_part``, ``_item`` …) that its parent
then takes apart again. This loop reads the island lexer's cached line tokens, keeps an
inlined rule's children as a plain list, hands the parent the same children Lark's
``ChildFilterLALR_NoPlaceholders`` would, and calls the Transformer's own methods. A
Transformer that takes its tokens as its own objects (``token_type``, see
``notices.road_phrases``) gets them directly, and its rule methods unwrapped.

Whatever this loop does not cover (a grammar option it does not mirror, a token the table
has no action for) goes to Lark's own parse, so an error is Lark's own error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import MethodType
from typing import Any

from lark import Token, Transformer
from lark.grammar import Rule, Terminal
from lark.parsers.lalr_analysis import Shift

from notices.budget import check

Children = list[Any]
Lines = Callable[[str], tuple[tuple[str, str, int], ...]]
TokenMaker = Callable[[str, str, int, int], Any]


class Reduction:
    """One rule as the loop reduces it (a plain class: read in the loop, made at a cold start)."""

    __slots__ = ("build", "keep", "origin", "shape", "size")

    def __init__(
        self,
        size: int,  # symbols popped
        origin: str,  # the rule's name, for the goto
        keep: tuple[tuple[int, bool], ...] | None,  # (child, inlined?) kept; None: all, as is
        build: Callable[[Children], Any] | None,  # None: an inlined rule, its children a list
    ) -> None:
        self.size = size
        self.origin = origin
        self.keep = keep
        self.build = build
        self.shape = _shape(size, keep, build)


# The inlined rules the loop reduces in place, without taking children off the stacks:
_PASS = 1  # of one inlined child (_item: _core): the child's list is its value
_WRAP = 2  # of one symbol kept as is (_core: FILLER): a list of it
_JOIN = 3  # of two inlined children (a + list growing by a _part): the first extended
_GENERAL = 0


def _shape(size: int, keep: tuple[tuple[int, bool], ...] | None, build: Any) -> int:
    if build is not None:
        return _GENERAL
    if size == 1 and keep == ((0, True),):
        return _PASS
    if size == 1 and keep is None:
        return _WRAP
    return _JOIN if size == 2 and keep == ((0, True), (1, True)) else _GENERAL


class Unsupported(Exception):
    """The grammar or Transformer uses what this loop does not mirror."""


class Mismatch(Exception):
    """The table has no action for a token: Lark's own parse reports it."""


class Tables:
    """A Lark object's parse table, with each reduction planned once."""

    def __init__(self, lark: Any, transformer: Transformer[Token, Any]) -> None:
        if any(isinstance(key, str) for key in lark._callbacks):  # terminal callbacks
            raise Unsupported("terminal callbacks")
        table = lark.parser.parser.parser.parse_table
        (start,) = lark.options.start
        self.start_state = table.start_states[start]
        self.end_state = table.end_states[start]
        unwrap = getattr(type(transformer), "token_type", None) is not None
        plans = {rule: _plan(rule, transformer, unwrap) for rule in lark.rules}
        self.states = _States(table.states, plans)


class _States:
    """The parse table's states, each read into (shift?, state or plan) on its first use: a
    one-page parse visits a third of them, and a cold start pays for those only.

    ``rows`` is a plain dict, which the loop indexes on the interpreter's specialised path
    (a dict subclass with ``__missing__`` would lose it); it calls :meth:`read` on a miss.
    """

    def __init__(self, table: dict[Any, dict[str, tuple[Any, Any]]], plans: dict[Rule, Any]):
        self.rows: dict[Any, dict[str, tuple[bool, Any]]] = {}
        self._table = table
        self._plans = plans
        self._by_id = {id(rule): plan for rule, plan in plans.items()}  # no Rule.__hash__ call

    def read(self, state: Any) -> dict[str, tuple[bool, Any]]:
        """The state's actions, read in on its first use."""
        if state in self.rows:
            return self.rows[state]
        by_id, plans = self._by_id, self._plans
        actions = {
            _plain(kind): (True, arg)
            if action is Shift
            else (False, by_id.get(id(arg)) or plans[arg])
            for kind, (action, arg) in self._table[state].items()
        }
        self.rows[state] = actions
        return actions


def _plain(name: str) -> str:
    """A symbol's name as a plain interned string: Lark names rules by ``Token``s, whose
    ``__eq__`` is Python code that a dict lookup would call on every goto."""
    return sys.intern(str.__str__(name))


def _plan(rule: Rule, transformer: Transformer[Token, Any], unwrap: bool) -> Reduction:
    options = rule.options
    if options.expand1 or options.empty_indices:
        raise Unsupported(f"rule {rule.origin.name}: ?rule or placeholders")
    keep = tuple(
        (i, not sym.is_term and sym.name.startswith("_"))
        for i, sym in enumerate(rule.expansion)
        if options.keep_all_tokens or not (isinstance(sym, Terminal) and sym.filter_out)
    )
    whole = len(keep) == len(rule.expansion) and not any(inlined for _, inlined in keep)
    name = rule.origin.name
    build = None if name.startswith("_") else _callback(rule, transformer, unwrap)
    if name.startswith("_") and hasattr(transformer, name):
        raise Unsupported(f"rule {name}: an inlined rule with a method")
    return Reduction(len(rule.expansion), _plain(name), None if whole else keep, build)


def _callback(rule: Rule, transformer: Transformer[Token, Any], unwrap: bool) -> Any:
    name = rule.alias or rule.options.template_source or rule.origin.name
    method = getattr(transformer, name, None)
    if method is None:
        default: Any = transformer.__default__
        return lambda children: default(name, children, None)
    if getattr(method, "visit_wrapper", None) is not None:
        raise Unsupported(f"rule {name}: v_args")
    inner = getattr(method, "__wrapped__", None) if unwrap else None
    return MethodType(inner, transformer) if inner is not None else method


def maker(token_type: Callable[..., Any]) -> TokenMaker:
    """A function that makes ``token_type(kind, text, start, end)``, faster where it can.

    A frozen dataclass of exactly those four fields gets them written into a new instance's
    dictionary: the same object as its ``__init__`` makes (equal, hashed, printed alike),
    without four calls of ``object.__setattr__``; the loop makes one per token.
    """
    if not isinstance(token_type, type) or not _copyable(token_type):
        return token_type
    cls = token_type
    new = object.__new__

    def make(kind: str, text: str, start: int, end: int) -> Any:
        token: Any = new(cls)
        attrs = token.__dict__
        attrs["kind"] = kind
        attrs["text"] = text
        attrs["start"] = start
        attrs["end"] = end
        return token

    return make


_TOKEN_FIELDS = ["kind", "text", "start", "end"]


def _copyable(cls: type) -> bool:
    """A frozen dataclass of the token's four fields whose ``__init__`` only sets them."""
    params = getattr(cls, "__dataclass_params__", None)
    fields = list(getattr(cls, "__dataclass_fields__", {}))
    plain = "__slots__" not in vars(cls) and not hasattr(cls, "__post_init__")
    return bool(params is not None and params.frozen and plain and fields == _TOKEN_FIELDS)


def parse(tables: Tables, text: str, lines: Lines, make: TokenMaker) -> Any:
    """Shift and reduce the island lexer's tokens of ``text``, line by line, as Lark's LALR
    parser does; the start rule's value."""
    states = tables.states.rows
    read = tables.states.read  # a state not read into the loop's form yet
    stack = [tables.start_state]
    values: list[Any] = []
    push_state, push_value = stack.append, values.append
    end_state = tables.end_state
    pieces = text.split("\n")
    last = len(pieces) - 1
    offset = 0
    for number, line in enumerate(pieces):
        check()  # a CPU budget set around the parse (notices.budget)
        # each line's tokens, then its line break (none after the last line, but $END)
        tail = (("NL", "\n", len(line)),) if number < last else _FINAL
        for kind, value, start in lines(line) + tail:
            at = offset + start
            token = None if kind is _END else make(kind, value, at, at + len(value))
            while True:
                try:
                    shift, plan = states[stack[-1]][kind]
                except KeyError:
                    shift, plan = _action(read(stack[-1]), kind)
                if shift:
                    if kind is _END:
                        raise Mismatch(kind)
                    push_state(plan)
                    push_value(token)
                    break
                # the reduction, inline: this loop runs three times per token
                shape = plan.shape
                if shape:  # an inlined rule, in place; it never reduces to the start rule
                    if shape == _WRAP:
                        values[-1] = [values[-1]]
                    elif shape == _JOIN:
                        stack.pop()
                        tail = values.pop()
                        if values[-1]:
                            values[-1] += tail  # the list grows in place, as below
                        else:
                            values[-1] = tail
                    # the top state gives way to the rule's goto from the state below it
                    try:
                        stack[-1] = states[stack[-2]][plan.origin][1]
                    except KeyError:
                        stack[-1] = read(stack[-2])[plan.origin][1]
                    continue
                size = plan.size
                if size:
                    children = values[-size:]
                    del stack[-size:]
                    del values[-size:]
                else:
                    children = []
                if plan.keep is not None:
                    # an inlined child's list is its parent's to extend, as in Lark's own
                    # ChildFilterLALR: a sentence grows by a token, not by a copy of itself
                    kept: list[Any] | None = None
                    for i, inlined in plan.keep:
                        if not inlined:
                            if kept is None:
                                kept = [children[i]]
                            else:
                                kept.append(children[i])
                        elif kept:
                            kept += children[i]
                        else:
                            kept = children[i]
                    children = kept if kept is not None else []
                push_value(children if plan.build is None else plan.build(children))
                try:
                    push_state(states[stack[-1]][plan.origin][1])
                except KeyError:
                    push_state(read(stack[-1])[plan.origin][1])
                if kind is _END and stack[-1] == end_state:
                    return values[-1]
        offset += len(line) + 1
    raise Mismatch(_END)  # not reached: $END reduces to the start rule or has no action


def _action(actions: dict[str, tuple[bool, Any]], kind: str) -> tuple[bool, Any]:
    if kind not in actions:
        raise Mismatch(kind)
    return actions[kind]


_END = "$END"
_FINAL = ((_END, "", 0),)
