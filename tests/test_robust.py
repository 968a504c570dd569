"""Nothing crashes or hangs: any text, any bytes, huge and hostile pages."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notices.errors import DecodeError
from notices.parse import parse_page
from notices.reading import decode

HANG = 120  # seconds: far beyond any sane parse; only a hang gets here


@contextmanager
def no_hang(seconds: int = HANG) -> Iterator[None]:
    """Fail (rather than wait forever) if the block runs away."""

    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds}s: a hang")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


NOTICE_WORDS = st.sampled_from(
    [
        "封路通告",
        "遗失声明",
        "K189+400",
        "至",
        "2025年7月8日",
        "全幅封闭",
        "绕行",
        "(",
        ")",
        "，",
        "。",
        "\n",
        "▲",
        "丹霍线",
        "G1212",
        "每日7时至19时",
        "至工程完工",
        "公司",
        "遗失营业执照副本",
        "声明作废",
        " ",
        "K",
        "+",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_text_gives_records_or_nothing(text: str) -> None:
    assert isinstance(parse_page(text), list)


@settings(max_examples=200, deadline=None)
@given(st.lists(NOTICE_WORDS, max_size=80).map("".join))
def test_notice_shaped_noise_never_crashes(text: str) -> None:
    for record in parse_page(text):
        assert record.text  # the raw notice is always kept


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_decode_or_fail_clearly(data: bytes) -> None:
    try:
        text = decode(data)
    except DecodeError as exc:
        assert str(exc)
    else:
        assert isinstance(parse_page(text), list)


@pytest.mark.parametrize(
    "page",
    [
        pytest.param(
            "封路通告\n" + "K" * 10_000 + "\n2025年7月8日至7月9日全幅封闭\n", id="10000-K"
        ),
        pytest.param("遗失声明\n" + "▲" * 5_000, id="5000-bullets"),
        pytest.param(
            "封路通告\n因丹霍线" + "(" * 5_000 + "K1+000" + ")" * 5_000 + "2025年7月8日至9日封闭\n",
            id="deep-brackets",
        ),
        pytest.param("封路通告\n" + "K1+000至" * 20_000, id="stake-chain"),
        pytest.param(("今天天气很好，记者获悉。" * 400 + "\n") * 250, id="1MB-no-notice"),
        pytest.param(
            (
                "封路通告\n因S217线K1+000至K2+000段施工，2025年7月8日至7月9日全幅封闭。\n"
                + "记者获悉。" * 1_000
                + "\n"
            )
            * 60,
            id="1MB-many-notices",
        ),
    ],
)
def test_hostile_pages_give_an_answer(page: str) -> None:
    with no_hang():
        records = parse_page(page)
    for record in records:
        assert record.text


def test_deep_brackets_are_read_through() -> None:
    page = (
        "封路通告\n因丹霍线"
        + "(" * 5_000
        + "K1+000"
        + ")" * 5_000
        + "2025年7月8日至2025年7月9日全幅封闭\n"
    )
    (record,) = parse_page(page)
    assert record.routes[0].name == "丹霍线"
    assert record.window is not None and record.window.end is not None
