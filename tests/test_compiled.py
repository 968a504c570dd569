"""Patterns compiled once per install (notices.compiled): the same patterns as re.compile's,
read back from the cache, and compiled again whenever the cache cannot be trusted."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from notices import compiled
from notices.compiled import Code, code, kept

PATTERNS = {
    "scanner": (r"(?:K\d+\+\d+)(?P<STAKE>)|(?:[^\s,。]{1,10}?路)(?P<ROUTE_NAME>)", 0),
    "date": (r"(\d{4})年(\d{1,2})月(?P<day>\d{1,2})日", re.IGNORECASE),
}
LINE = "甲乙路K189+400至K190+000,2025年7月8日"


def _maker(calls: list[int]) -> Callable[[], dict[str, Code]]:
    def make() -> dict[str, Code]:
        calls.append(1)
        return {label: code(pattern, flags) for label, (pattern, flags) in PATTERNS.items()}

    return make


def _same_as_re(patterns: dict[str, re.Pattern[str]]) -> None:
    for label, (pattern, flags) in PATTERNS.items():
        expected = re.compile(pattern, flags)
        assert patterns[label] == expected  # equal patterns: the same flags and code
        assert patterns[label].groupindex == expected.groupindex
        found = [(m.span(), m.lastgroup, m.groups()) for m in patterns[label].finditer(LINE)]
        assert found == [(m.span(), m.lastgroup, m.groups()) for m in expected.finditer(LINE)]


def test_patterns_are_compiled_once_then_read_back_the_same(tmp_path: Path) -> None:
    calls: list[int] = []
    _same_as_re(kept("k", _maker(calls), tmp_path))
    _same_as_re(kept("k", _maker(calls), tmp_path))
    assert calls == [1]  # the second process of an install compiles nothing
    assert len(list(tmp_path.iterdir())) == 1


def test_another_key_compiles_again(tmp_path: Path) -> None:
    calls: list[int] = []
    kept("one", _maker(calls), tmp_path)
    kept("two", _maker(calls), tmp_path)
    assert calls == [1, 1]


def test_a_damaged_cache_costs_the_compile_never_a_wrong_pattern(tmp_path: Path) -> None:
    calls: list[int] = []
    kept("k", _maker(calls), tmp_path)
    (cached,) = tmp_path.iterdir()
    whole = cached.read_bytes()
    for damaged in (whole[: len(whole) // 2], b"", b"\x00" * 64, whole.replace(b"K", b"J")):
        cached.write_bytes(damaged)
        _same_as_re(kept("k", _maker(calls), tmp_path))
    assert len(calls) >= 4  # a cut, empty or garbled file was compiled again
    assert cached.read_bytes() == whole  # and written again whole


def test_no_key_keeps_nothing(tmp_path: Path) -> None:
    calls: list[int] = []
    _same_as_re(kept(None, _maker(calls), tmp_path))
    assert calls == [1] and not list(tmp_path.iterdir())


def test_a_folder_that_cannot_be_written_still_gives_the_patterns(tmp_path: Path) -> None:
    calls: list[int] = []
    missing = tmp_path / "no such folder"
    _same_as_re(kept("k", _maker(calls), missing))
    assert not missing.exists()


def test_a_cache_another_user_wrote_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(compiled, "_user", lambda: "someone")  # the file's name, kept
    kept("k", _maker(calls), tmp_path)
    (cached,) = tmp_path.iterdir()
    monkeypatch.setattr(os, "getuid", lambda: cached.stat().st_uid + 1)
    _same_as_re(kept("k", _maker(calls), tmp_path))
    assert calls == [1, 1]


# ── re's own cache, seeded from the patterns an earlier process compiled ────────────────

SEEDED = r"(?:甲乙|丙丁)[路街](?P<n>\d{1,3})号?"  # compiled by no other module


@pytest.fixture()
def fresh(monkeypatch: pytest.MonkeyPatch) -> dict[tuple[type, str, int], re.Pattern[str]]:
    """A process of its own: re's cache empty, nothing seeded or kept yet."""
    cache: dict[tuple[type, str, int], re.Pattern[str]] = {}
    monkeypatch.setattr(re, "_cache", cache)
    monkeypatch.setattr(compiled, "_seeded", {})
    monkeypatch.setattr(compiled, "_seeding", False)
    monkeypatch.setattr(compiled, "_kept", False)
    monkeypatch.setattr(compiled, "_watching", None)
    monkeypatch.setattr(compiled, "_compiled_here", set())
    monkeypatch.setattr(compiled, "_methods", compiled._Methods())
    return cache


def _parsers(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``pattern`` compiled as the parser's modules compile theirs: watched."""
    compiled.watch()
    try:
        return re.compile(pattern, flags)
    finally:
        compiled.watched()


def test_patterns_a_process_compiled_are_in_the_next_ones_cache(
    tmp_path: Path, fresh: dict[tuple[type, str, int], re.Pattern[str]]
) -> None:
    assert compiled.seed(tmp_path) == 0  # the first process of an install: nothing kept yet
    first = _parsers(SEEDED, re.IGNORECASE)
    compiled.keep(tmp_path)
    assert len(list(tmp_path.iterdir())) == 1
    fresh.clear()  # the next process
    compiled._seeded.clear()
    compiled._seeding = False
    assert compiled.seed(tmp_path) >= 1
    seeded = fresh[(str, SEEDED, int(re.IGNORECASE))]
    assert re.compile(SEEDED, re.IGNORECASE) is seeded  # re.compile finds it, compiles nothing
    assert seeded == first and seeded.groupindex == first.groupindex
    line = "甲乙路12号、丙丁街7"
    assert [m.groups() for m in seeded.finditer(line)] == [("12",), ("7",)]


def test_keep_writes_once_per_process_and_only_what_is_new(
    tmp_path: Path, fresh: dict[tuple[type, str, int], re.Pattern[str]]
) -> None:
    _parsers(SEEDED)
    compiled.keep(tmp_path)
    (kept_file,) = tmp_path.iterdir()
    written = kept_file.stat().st_mtime_ns
    _parsers(SEEDED + "乙")
    compiled.keep(tmp_path)  # the same process again: nothing looked for, nothing written
    assert kept_file.stat().st_mtime_ns == written
    compiled._kept = False  # a later process that compiled what was kept, and one more
    _parsers(SEEDED + "甲")
    compiled.keep(tmp_path)
    fresh.clear()
    compiled._seeded.clear()
    compiled._seeding = False
    assert compiled.seed(tmp_path) >= 2  # the union of both processes' patterns
    assert {(str, SEEDED, 0), (str, SEEDED + "甲", 0)} <= set(fresh)


def test_a_damaged_seed_file_seeds_nothing(
    tmp_path: Path, fresh: dict[tuple[type, str, int], re.Pattern[str]]
) -> None:
    _parsers(SEEDED)
    compiled.keep(tmp_path)
    (kept_file,) = tmp_path.iterdir()
    whole = kept_file.read_bytes()
    for damaged in (whole[: len(whole) // 2], b"", whole.replace("甲乙".encode(), "乙甲".encode())):
        kept_file.write_bytes(damaged)
        fresh.clear()
        compiled._seeding = False
        assert compiled.seed(tmp_path) == 0 and not fresh
    assert re.compile(SEEDED).pattern == SEEDED  # compiled as ever


def _point() -> type:
    @dataclasses.dataclass(frozen=True)
    class Point:
        x: int
        y: int = 2
        tags: tuple[str, ...] = dataclasses.field(default=(), compare=False)

    return Point


@pytest.fixture()
def ours(monkeypatch: pytest.MonkeyPatch) -> None:
    """This module's classes counted as the parser's, whose methods' code is kept."""
    monkeypatch.setattr(compiled, "_KEPT_MODULES", ("notices.", __name__))


def _process(monkeypatch: pytest.MonkeyPatch) -> compiled._Methods:
    """A process's own dataclass methods, installed as :func:`compiled.seed` installs them."""
    methods = compiled._Methods()
    monkeypatch.setattr(compiled, "_methods", methods)
    monkeypatch.setattr(dataclasses, "exec", methods.exec, raising=False)
    return methods


def _behaves(point: type) -> None:
    a, b = point(1), point(1, 2, ("other",))
    assert a == b and hash(a) == hash(b) and a != point(2)
    assert repr(a).endswith("Point(x=1, y=2, tags=())")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.x = 3  # type: ignore[attr-defined]


def test_dataclass_methods_are_compiled_once_per_install_then_read_back(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fresh: dict[tuple[type, str, int], re.Pattern[str]],
    ours: None,
) -> None:
    first = _process(monkeypatch)
    _behaves(_point())
    assert first.fresh and first.codes  # compiled, to be kept
    compiled.keep(tmp_path)
    assert not first.fresh
    later = _process(monkeypatch)  # the next process, its own dataclasses reading the file
    compiled._seed_methods(tmp_path)
    assert later.codes.keys() == first.codes.keys()
    _behaves(_point())
    assert not later.fresh  # every method's code was read, none compiled


def test_a_damaged_methods_file_costs_the_compiles(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fresh: dict[tuple[type, str, int], re.Pattern[str]],
    ours: None,
) -> None:
    _process(monkeypatch)
    _point()
    compiled.keep(tmp_path)
    for kept_file in tmp_path.iterdir():
        kept_file.write_bytes(kept_file.read_bytes()[:-7])
    later = _process(monkeypatch)
    compiled._seed_methods(tmp_path)
    assert not later.codes
    _behaves(_point())
    assert later.fresh  # compiled again, as dataclasses does


def test_only_the_parsers_classes_methods_are_kept(
    monkeypatch: pytest.MonkeyPatch, fresh: dict[tuple[type, str, int], re.Pattern[str]]
) -> None:
    methods = _process(monkeypatch)
    _behaves(_point())  # a class of another module: made as ever, its methods not kept
    assert not methods.codes and not methods.fresh


def test_seeds_are_kept_for_the_modules_as_they_stand(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fresh: dict[tuple[type, str, int], re.Pattern[str]],
) -> None:
    _parsers(SEEDED)
    compiled.keep(tmp_path)
    fresh.clear()
    compiled._seeded.clear()
    compiled._seeding = False
    monkeypatch.setattr(compiled, "_modules", lambda: " a module changed since")
    assert compiled.seed(tmp_path) == 0 and not fresh  # another checkout's or version's seeds


def test_what_the_parser_did_not_compile_is_not_kept(
    tmp_path: Path, fresh: dict[tuple[type, str, int], re.Pattern[str]]
) -> None:
    re.compile(SEEDED + "乙")  # a server's or a test run's pattern, compiled unwatched
    _parsers(SEEDED)
    re.compile(SEEDED + "丙")
    compiled.keep(tmp_path)
    fresh.clear()
    compiled._seeded.clear()
    compiled._seeding = False
    assert compiled.seed(tmp_path) == 1 and set(fresh) == {(str, SEEDED, 0)}
