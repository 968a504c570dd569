"""How a page is lexed: once per line, by one Lark object per grammar, with the same tokens.

What makes parsing fast is checked here as behaviour, never as timing: the segmenter and
the grammar share one lexer (and so its line cache), a page of closures never loads the
loss grammar, and the island scanner's faster forms (names after their patterns, guards
before the name terminals) give the tokens the plain one gives.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
from functools import cache
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from notices import normalize
from notices.grammars import FILLER, IslandLexer, _lexer, load
from notices.guards import guard, guarded, opening
from notices.loss_phrases import LossTransformer
from notices.parse import parse_page
from notices.road_phrases import RoadTransformer

CORPUS = Path(__file__).resolve().parent / "corpus"
ROAD_PAGE = next(iter(sorted((CORPUS / "road").glob("001_*.txt"))))
LOSS_PAGE = next(iter(sorted((CORPUS / "loss").glob("001_*.txt"))))


def test_the_segmenter_lexes_with_the_parsers_own_lexer() -> None:
    assert _lexer("road") is load("road", RoadTransformer).parser.lexer
    assert _lexer("loss") is load("loss", LossTransformer).parser.lexer


def test_a_page_loads_one_lark_object_per_grammar() -> None:
    parse_page(ROAD_PAGE.read_text("utf-8"))
    parse_page(LOSS_PAGE.read_text("utf-8"))
    assert load.cache_info().currsize <= 2


def test_each_line_is_lexed_once_for_segmenter_and_grammar() -> None:
    page = ROAD_PAGE.read_text("utf-8")
    IslandLexer.line_tokens.cache_clear()
    parse_page(page)
    lexed = IslandLexer.line_tokens.cache_info().misses
    lines = set(normalize.normalize(page).canon.split("\n"))
    assert parse_page(page)  # again: every line is a cache hit
    assert IslandLexer.line_tokens.cache_info().misses == lexed
    assert lexed <= len(lines)  # no line lexed twice, by two lexers


def test_parse_alone_imports_neither_the_loss_parser_nor_statistics() -> None:
    code = (
        "import sys; from notices.cli import main; sys.argv = ['notices', 'parse', sys.argv[1]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted({'notices.loss', 'statistics'} & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROAD_PAGE)], capture_output=True, text=True, check=True
    )
    assert '"kind": "road_closure"' in out.stdout  # the page was parsed
    assert out.stdout.strip().splitlines()[-1] == "[]"


def _plain_scanner(name: str) -> re.Pattern[str]:
    """The island scanner as first written: each terminal's pattern inside its named group."""
    lexer = _lexer(name)
    conf = load(name, RoadTransformer if name == "road" else LossTransformer).lexer_conf
    terminals = [t for t in conf.terminals if t.name != FILLER and t.name not in conf.ignore]
    terminals.sort(key=lambda t: (-t.priority, -t.pattern.max_width, t.name))
    plain = "|".join(f"(?P<{t.name}>{t.pattern.to_regexp()})" for t in terminals)
    assert plain != lexer._scanner.pattern
    return re.compile(plain, conf.g_regex_flags)


def _tokens(name: str, line: str, scanner: re.Pattern[str] | None = None) -> object:
    """The tokens of a line, under the lexer's own scanner or under ``scanner``."""
    lexer = _lexer(name)
    return lexer.scan(line, scanner or lexer._scanner)


_CORPUS_LINES = sorted(
    {
        line
        for folder in ("road", "loss", "holdout", "holdout2")
        for page in sorted((CORPUS / folder).rglob("*.txt"))
        for line in normalize.normalize(page.read_text("utf-8")).canon.split("\n")
    }
)


def test_the_island_scanner_reads_every_corpus_line_as_the_plain_one_does() -> None:
    for name in ("road", "loss"):
        plain = _plain_scanner(name)
        for line in _CORPUS_LINES:
            assert _tokens(name, line) == _tokens(name, line, plain), line


_ALPHABET = "".join(sorted(set("".join(_CORPUS_LINES))))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=80))
def test_the_island_scanner_reads_any_text_as_the_plain_one_does(line: str) -> None:
    for name in ("road", "loss"):
        assert _tokens(name, line) == _tokens(name, line, _plain_scanner(name))


@given(st.lists(st.integers(0, 2000), min_size=1, max_size=40))
def test_the_median_is_the_statistics_modules(values: list[int]) -> None:
    assert normalize._median(values) == statistics.median(values)


@cache
def _scanners(name: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The island scanner without guards and with them."""
    lexer = _lexer(name)
    plain, guarded = lexer.scanner(), lexer.scanner(guarded=True)
    assert guarded.pattern.count("(?=") > plain.pattern.count("(?=")  # guards were added
    return plain, guarded


def test_the_guarded_scanner_reads_every_corpus_line_as_the_unguarded_one() -> None:
    for name in ("road", "loss"):
        plain, guarded = _scanners(name)
        for line in _CORPUS_LINES:
            assert _tokens(name, line, guarded) == _tokens(name, line, plain), line


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=80))
def test_the_guarded_scanner_reads_any_text_as_the_unguarded_one(line: str) -> None:
    for name in ("road", "loss"):
        plain, guarded = _scanners(name)
        assert _tokens(name, line, guarded) == _tokens(name, line, plain)


def test_every_match_of_a_terminal_satisfies_its_guard_and_opens_as_said() -> None:
    for name in ("road", "loss"):
        for terminal, source in _lexer(name)._patterns.items():
            first = opening(source)
            made = (guard(source), guard(source, broad=False), first and first.regex())
            checks = [re.compile(c) for c in made if c]
            pattern = re.compile(source)
            for line in _CORPUS_LINES:
                for at in range(len(line)):
                    if pattern.match(line, at):
                        assert all(c.match(line, at) for c in checks), (terminal, line[at:])


def test_a_guard_holds_only_where_its_terminal_may_match() -> None:
    lookahead = re.compile(guard(r"[^的,]{1,4}(?:桥|村)"))
    assert lookahead.match("甲乙桥") and lookahead.match("甲村")
    assert not lookahead.match("甲乙丙丁戊桥")  # the suffix too far on
    assert not lookahead.match("甲的桥")  # a character no name holds before it
    assert guard(r"(a)\1") == "" and guard(r"桥|村") == ""  # a backreference; no run to skip
    opens = opening(r"(?<!不)(?:封闭|断交)|\d+米")
    assert opens is not None and re.fullmatch(opens.regex(), "封")
    assert not re.fullmatch(opens.regex(), "交")
    assert opening(r"[^a]b") is None and opening(r"[\u4e00-\u9fff]线") is None  # too many


def test_a_guard_ending_in_a_rare_character_first_looks_for_it() -> None:
    junction = guard(r"[^的,与]{2,12}?与[^的,与]{2,12}?路口")
    assert junction.startswith("(?:(?=[^\\u4e0e]{0,12}+[\\u4e0e])")  # the first look
    lookahead = re.compile(junction)
    assert lookahead.match("甲乙路与丙丁路路口") and lookahead.match("甲乙丙丁戊己庚辛壬癸子丑与")
    assert not lookahead.match("甲乙丙丁戊己庚辛壬癸子丑寅与")  # 与 too far on
    assert not lookahead.match("甲的路与丙路路口")  # a character no name holds before it
    assert "{0," not in guard(r"[^的,]{1,4}(?:桥|村|口|站|镇)")[:12]  # many: no first look


def test_a_terminal_opening_with_a_lookaround_is_tried_after_its_first_character() -> None:
    scanner = re.compile(
        guarded({"CLOSE": r"(?<!不)封闭", "NUMBER": r"\d+", "NAME": r"[^,]{1,4}路"})
    )
    # the run's characters, then each terminal's own, each before a lookbehind of it
    assert scanner.pattern.startswith("[\\d\\u5c01](?<=(?=(?:[\\u5c01](?<=(?=")
    found = scanner.search("不封闭,已封闭12甲路")
    assert found is not None and found.lastgroup == "CLOSE"
    assert (found.start(), found.end(), found.end("CLOSE")) == (5, 6, 7)  # ends at its group


def test_a_lexer_scans_with_the_guards_from_its_first_line() -> None:
    for name in ("road", "loss"):
        lexer = _lexer(name)
        assert lexer._scanner == lexer.scanner(guarded=True)  # the same pattern, the same code


def test_a_cold_start_reads_the_compiled_scanner_without_the_guards_module() -> None:
    _lexer("road")  # this process has compiled the road scanner and kept its code
    code = (
        "import sys; from notices.grammars import _lexer; lexer = _lexer('road')\n"
        "print('notices.guards' in sys.modules, lexer.line_tokens('自2025年7月1日起封闭G1212沈吉高速'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    imported, tokens = out.stdout.strip().split(" ", 1)
    assert imported == "False"
    assert tokens == repr(
        _lexer("road").scan("自2025年7月1日起封闭G1212沈吉高速", _lexer("road").scanner())
    )
