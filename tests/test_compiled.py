"""Patterns compiled once per install (notices.compiled): the same patterns as re.compile's,
read back from the cache, and compiled again whenever the cache cannot be trusted."""

from __future__ import annotations

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
