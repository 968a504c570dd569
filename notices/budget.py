"""A CPU budget for the parser on one thread: past it, the parse stops with OverBudget.

``POST /parse`` runs the whole parser on text anyone may send; its cost grows with the
text in ways no size limit pins down. The budget is cooperative: :func:`cpu_budget` sets a
deadline on this thread's CPU clock (``time.thread_time``) for the block it wraps, and the
parser's loops (lines normalised, paragraphs segmented, notices and entries parsed) call
:func:`check`, which raises :class:`~notices.errors.OverBudget` once it has passed. No
thread is interrupted from outside, so nothing is left half-raised: the cost of a check is
one clock read, and the work between two checks is bounded by a line or a notice.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from notices.errors import OverBudget

_DEADLINE: ContextVar[tuple[float, float] | None] = ContextVar("cpu_deadline", default=None)


@contextmanager
def cpu_budget(seconds: float) -> Iterator[None]:
    """Run the block with at most ``seconds`` of this thread's CPU time, else OverBudget."""
    token = _DEADLINE.set((time.thread_time() + seconds, seconds))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check() -> None:
    """Raise OverBudget if the budget set around this work is spent (no budget: nothing)."""
    budget = _DEADLINE.get()
    if budget is not None and time.thread_time() > budget[0]:
        raise OverBudget(f"the work needs more than {budget[1]:g} s of CPU")
