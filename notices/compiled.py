"""Regular expressions compiled once per install: the code sre makes of them, kept on disk.

Compiling the island scanner (every terminal of a grammar in one pattern, with the
guards :mod:`notices.guards` reads off them) runs the ``re`` module's compiler, Python
code, and was the largest part of a cold start (≈30 ms for the road scanner, ≈15 ms for
its name patterns, ≈65 ms more to read and compile the guards). What it produces is a
list of integers, which ``_sre.compile`` turns back into the same pattern object in well
under a millisecond. So the code is kept in the temporary folder beside Lark's cached
tables, under a digest of Python's version, sre's ``MAGIC`` and what the patterns were
made from, the file's own digest first (a file changed since it was written is not read).

Anything unexpected (no file, a file of another user, a file cut short, an interpreter
whose ``_sre`` takes other arguments) costs only the compile, never a wrong pattern:
the patterns are then made and compiled as ``re.compile`` does, and the file written again.

The parser's modules compile ≈120 patterns more when they are imported (``re.compile`` at
module level; ≈160 with the loss parser's), ≈35 ms of a cold start. :func:`seed` puts the
ones an earlier process of the install compiled into ``re``'s own cache before those
modules are imported, so that their ``re.compile`` finds them there; :func:`keep` writes
the file again when a process compiled patterns it does not hold. Each is kept under its
own pattern and flags, which is all the compiled code depends on (with Python's version
and sre's ``MAGIC``, in the file's name, and the state of the parser's modules, so that
each install and checkout keeps its own).

The same holds for the methods :mod:`dataclasses` writes for each class (``__init__``,
``__eq__`` …): it compiles their source with ``exec`` at every import, ≈25 ms of a cold
start for the parser's 39 classes. :func:`seed` gives the ``dataclasses`` module an
``exec`` of its own that runs the code compiled from the same source by an earlier process
(kept like the patterns, beside them), and compiles what it has not seen.
"""

from __future__ import annotations

import _sre  # type: ignore[import-not-found]  # no stubs: the C half of re
import dataclasses
import hashlib
import marshal
import os
import re
import sys
import tempfile
from collections.abc import Callable
from contextlib import suppress
from functools import cache
from pathlib import Path
from re import _compiler, _parser  # type: ignore[attr-defined]
from types import CodeType
from typing import Any

# What _sre.compile takes: pattern, flags, code, groups, groupindex, indexgroup.
Code = tuple[str, int, list[int], int, dict[str, int], tuple[str | None, ...]]

_FORMAT = 1  # raised whenever what a file holds changes
_DIGEST = 32  # a file opens with the SHA-256 of the rest


def code(pattern: str, flags: int = 0) -> Code:
    """What ``re.compile(pattern, flags)`` compiles to, as ``_sre.compile``'s arguments."""
    parsed = _parser.parse(pattern, flags)  # re.error here, as re.compile raises it
    state = parsed.state
    indexgroup: list[str | None] = [None] * state.groups
    for name, index in state.groupdict.items():
        indexgroup[index] = name
    program = [int(op) for op in _compiler._code(parsed, flags)]  # opcodes are int subclasses
    return (
        pattern,
        int(flags | state.flags),  # a RegexFlag is no int to marshal
        program,
        state.groups - 1,
        dict(state.groupdict),
        tuple(indexgroup),
    )


def kept(
    key: str | None, make: Callable[[], dict[str, Code]], folder: Path | None = None
) -> dict[str, re.Pattern[str]]:
    """The patterns ``make`` gives, compiled; read from the install's cache if ``key`` is there.

    ``key`` must name everything ``make``'s patterns are made from; None keeps nothing.
    """
    if key is None:
        return _patterns(make())
    path = _path(key, folder)
    with suppress(Exception):  # any fault in the cache costs the compile, nothing else
        return _patterns(_read(path))
    codes = make()
    patterns = _patterns(codes)
    with suppress(OSError):  # a folder we may not write to: compiled again next time
        _write(path, codes)
    return patterns


def kept_data(
    key: str | None, make: Callable[[], dict[str, Any]], folder: Path | None = None
) -> dict[str, Any]:
    """What ``make`` gives (a dict of what ``marshal`` writes), read from the install's cache
    if ``key`` is there; ``key`` must name everything it is made from, None keeps nothing."""
    if key is None:
        return make()
    path = _path(key, folder)
    with suppress(Exception):  # any fault in the cache costs the making, nothing else
        kept: Any = _read(path)
        return dict(kept)
    data = make()
    with suppress(OSError, ValueError):  # ValueError: a value marshal cannot write
        _write(path, data)
    return data


def _path(key: str, folder: Path | None) -> Path:
    seed = "\0".join((str(_FORMAT), sys.version, str(_sre.MAGIC), key))
    digest = hashlib.sha256(seed.encode("utf-8", "surrogatepass")).hexdigest()
    return (folder or Path(tempfile.gettempdir())) / f".notices_re_{_user()}_{digest}.marshal"


def _user() -> str:
    # as Lark names its cache: one file per user, so none reads a file another wrote
    return str(os.getuid()) if hasattr(os, "getuid") else "user"


def _read(path: Path) -> dict[str, Code]:
    with path.open("rb") as file:
        if hasattr(os, "getuid") and os.fstat(file.fileno()).st_uid != os.getuid():
            raise PermissionError(f"{path} belongs to another user")
        digest, payload = file.read(_DIGEST), file.read()
    if hashlib.sha256(payload).digest() != digest:  # cut short, or changed since written
        raise ValueError(f"{path} is not as it was written")
    codes: Any = marshal.loads(payload)
    if not isinstance(codes, dict):
        raise ValueError(f"{path} holds no patterns")
    return codes


def _write(path: Path, codes: dict[str, Code]) -> None:
    part = path.with_name(f"{path.name}.{os.getpid()}")  # written whole, then renamed in place
    payload = marshal.dumps(codes)
    part.write_bytes(hashlib.sha256(payload).digest() + payload)
    os.replace(part, path)


def _patterns(codes: dict[str, Code]) -> dict[str, re.Pattern[str]]:
    return {label: _sre.compile(*args) for label, args in codes.items()}


# ── re's own cache, seeded ──────────────────────────────────────────────────────────

_SEEDS = "re._cache"  # the key of the file that holds the patterns re's cache is seeded with
_seeded: dict[tuple[str, int], Code] = {}  # what this process's seed read
_seeding = False  # whether this process was seeded already
_kept = False  # whether this process looked for patterns to keep already
_watching: set[tuple[type, str, int]] | None = None  # re's cache when watch() was called
_compiled_here: set[tuple[type, str, int]] = set()  # compiled while watched: the parser's


def seed(folder: Path | None = None) -> int:
    """Once per process: put the patterns kept by :func:`keep` into ``re``'s cache, as
    ``re.compile`` would have left them there, and the methods' code into
    :mod:`dataclasses`' reach; how many patterns. A pattern already in the cache is left
    as it is."""
    global _seeding
    if _seeding:
        return 0
    _seeding = True
    _seed_methods(folder)
    return _seed_patterns(folder)


def _seed_patterns(folder: Path | None) -> int:
    cache = _re_cache()
    if cache is None:
        return 0
    try:
        codes = _read_seeds(_path(_SEEDS + _modules(), folder))
        patterns = {key: _sre.compile(*args) for key, args in codes.items()}
    except Exception:  # any fault in the cache costs the compiles, nothing else
        return 0
    _seeded.update(codes)
    room = max(0, _ROOM - len(cache))
    for (pattern, flags), compiled in list(patterns.items())[:room]:
        cache.setdefault((str, pattern, flags), compiled)
    return min(room, len(patterns))


def watch() -> None:
    """Until :func:`watched`, what ``re`` compiles is the parser's own, to be kept.

    Only what is compiled while the parser's modules are imported and while a process
    parses its first page is kept: whatever else a process compiled (a server's, a test
    run's) would fill the seeds and cost every later cold start.
    """
    global _watching
    cache = _re_cache()
    if not _kept and cache is not None:
        _watching = set(cache)


def watched() -> None:
    """The end of what :func:`watch` began."""
    global _watching
    cache = _re_cache()
    if _watching is not None and cache is not None:
        _compiled_here.update(key for key in list(cache) if key not in _watching)
    _watching = None


def keep(folder: Path | None = None) -> None:
    """Once per process: write the seeds again if the parser compiled patterns they lack
    (:func:`watch`), and the methods' code if dataclasses compiled any."""
    global _kept
    if _kept:
        return
    _kept = True
    new = [
        (pattern, flags)
        for kind, pattern, flags in _compiled_here
        if kind is str and not flags & re.DEBUG and (pattern, flags) not in _seeded
    ]
    if new:
        with suppress(Exception):  # a pattern sre's compiler cannot give us costs its seed only
            codes = dict(_seeded)
            for pattern, flags in sorted(new)[: max(0, _ROOM - len(codes))]:
                codes[(pattern, flags)] = code(pattern, flags)
            _write(_path(_SEEDS + _modules(), folder), codes)  # type: ignore[arg-type]  # (pattern, flags)
            _seeded.update(codes)
    if _methods.fresh:
        with suppress(Exception):
            _write(_path(_METHODS + _modules(), folder), dict(_methods.codes))  # type: ignore[arg-type]
            _methods.fresh = False


@cache
def _modules() -> str:
    """The parser's modules as they stand: their folder, and each one's name, size and time.

    What the modules compile is known only once they have run, so the seeds are kept for
    the modules as they stand: a module changed (an upgrade, another checkout) reads and
    writes seeds of its own, and none of another's.
    """
    folder = Path(__file__).resolve().parent
    try:
        stats = sorted(
            (entry.name, entry.stat().st_size, entry.stat().st_mtime_ns)
            for entry in os.scandir(folder)
            if entry.name.endswith(".py")
        )
    except OSError:
        return f" {folder}"
    return f" {folder} {stats!r}"


# At most half of re's cache (512 patterns in 3.11) seeded: re drops its oldest when full.
_ROOM = getattr(re, "_MAXCACHE", 512) // 2


def _re_cache() -> dict[tuple[type, str, int], re.Pattern[str]] | None:
    cache = getattr(re, "_cache", None)  # re's own: keyed by (type, pattern, flags) since 3.7
    return cache if isinstance(cache, dict) else None


class _Methods:
    """The code of the methods dataclasses wrote, by their source: read, and compiled since."""

    def __init__(self) -> None:
        self.codes: dict[str, CodeType] = {}
        self.fresh = False  # compiled something the file does not hold

    def exec(self, source: Any, globals: Any = None, locals: Any = None, /) -> None:
        """``exec`` as dataclasses calls it, with a source's code compiled once per install."""
        if globals is None:  # exec's own default, the caller's globals (dataclasses passes them)
            globals = sys._getframe(1).f_globals
        if type(source) is str:
            compiled = self.codes.get(source)
            if compiled is None:
                # what exec compiles a string to: dataclasses' module asks for no __future__
                compiled = compile(source, "<string>", "exec", dont_inherit=True)
                # kept for the parser's classes only (dataclasses passes the class's module):
                # what other code a process holds would cost every later cold start
                ours = str(globals.get("__name__", "")).startswith(_KEPT_MODULES)
                if ours and len(self.codes) < _MOST_METHODS:
                    self.codes[source] = compiled
                    self.fresh = True
            source = compiled
        exec(source, globals, locals)


_METHODS = "dataclasses"  # the key of the file that holds the methods' code
_MOST_METHODS = 1024  # sources kept: the parser's classes write ≈240
_KEPT_MODULES = ("notices.",)
_methods = _Methods()


def _seed_methods(folder: Path | None) -> None:
    with suppress(Exception):  # any fault in the file costs the compiles, nothing else
        codes: Any = _read(_path(_METHODS + _modules(), folder))
        if all(type(k) is str and type(v) is CodeType for k, v in codes.items()):
            _methods.codes.update(codes)
    if getattr(dataclasses, "exec", None) is None:  # dataclasses calls exec by its name
        dataclasses.exec = _methods.exec  # type: ignore[attr-defined]


def _read_seeds(path: Path) -> dict[tuple[str, int], Code]:
    codes: Any = _read(path)
    for key, args in codes.items():
        if not (
            isinstance(key, tuple)
            and len(key) == 2
            and isinstance(key[0], str)
            and type(key[1]) is int
            and isinstance(args, tuple)
            and args[0] == key[0]
            and args[1] & key[1] == key[1]
        ):
            raise ValueError(f"{path} holds no seeds")
    return dict(codes)
