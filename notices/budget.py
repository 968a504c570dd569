"""A CPU budget for a block of code on one thread: past it, the code is interrupted.

``POST /parse`` runs the whole parser on text anyone may send; its cost grows with the
text in ways no size limit pins down. A watcher thread reads the CPU clock of the thread
doing the work (``pthread_getcpuclockid``) and, once the budget is spent, raises an
exception in it (``PyThreadState_SetAsyncExc``, CPython's way to interrupt a thread),
which the block turns into :class:`~notices.errors.OverBudget`. The interrupt is a
``BaseException`` so that no ``except Exception`` in the parser can swallow it; one that
lands where CPython cannot raise it (a weakref callback, a ``__del__``: it is printed as
"Exception ignored") is lost, so the watcher raises it again until the block is left.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from notices.errors import OverBudget

_POLL = 0.02  # seconds between two looks at the clock


class _Interrupted(BaseException):
    """Raised in the working thread when its budget is spent."""


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    """Schedule ``exception`` in a thread (None: cancel one scheduled and not yet raised)."""
    error = ctypes.py_object(exception) if exception is not None else None
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), error)


@contextmanager
def cpu_budget(seconds: float) -> Iterator[None]:
    """Run the block with at most ``seconds`` of this thread's CPU time, else OverBudget."""
    thread_id = threading.get_ident()
    clock = time.pthread_getcpuclockid(thread_id)
    deadline = time.clock_gettime(clock) + seconds
    lock, done = threading.Lock(), threading.Event()
    fired, active = [False], [True]

    def watch() -> None:
        while not done.wait(_POLL):
            if time.clock_gettime(clock) >= deadline:
                # Again and again: one that lands in a weakref callback or __del__ is lost.
                with lock:
                    if active[0]:
                        fired[0] = True
                        _raise_in(thread_id, _Interrupted)

    threading.Thread(target=watch, name="cpu budget", daemon=True).start()
    try:
        yield
    except _Interrupted:
        raise OverBudget(f"the work needs more than {seconds:g} s of CPU") from None
    finally:
        _disarm(lock, active, fired, thread_id)
        done.set()


def _disarm(lock: threading.Lock, active: list[bool], fired: list[bool], thread_id: int) -> None:
    """Stop the watcher firing, and cancel an interrupt it fired that has not landed yet."""
    while True:
        try:
            with lock:
                active[0] = False
                if fired[0]:
                    _raise_in(thread_id, None)
            return
        except _Interrupted:  # it landed here, after the block's work was done: let it go
            continue
