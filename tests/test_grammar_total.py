"""The island grammars read any sequence of their own tokens: a notice whose words fall in
an order we never wrote must give a record with warnings, never a grammar error that loses it."""

from __future__ import annotations

import itertools
import random

import pytest
from lark.exceptions import LarkError

from notices.grammars import load
from notices.loss_phrases import LossTransformer
from notices.normalize import canonical
from notices.road_phrases import RoadTransformer

# One printed word for each kind of token the road grammar reads.
ROAD_WORDS = (
    "G312|国道312线|丹霍线|县道|严桥至九梓公路|K12+300|至|青石村|甲路与乙路交叉口|2025年5月6日|5月6日|6日|"
    "8时|上午8时|次日|次年|(星期五)|(正月十五)|(|)|,|:|、|。|\n|全封闭|半幅|匝道|封闭|禁止通行|交通管制|绕行|"
    "完工|至活动结束|起|止|即日起|每日|全长2公里|共10天|因|某县交通运输局|3|的情况|《公路法》|由东向西|"
    "(不含路口)|(K1+200)|全路段|上午"
)
# The words whose order builds phrases: stretches, places, brackets, windows.
ROAD_STRUCTURE = (
    "G312|丹霍线|K12+300|至|青石村|5月6日|8时|(|)|,|全封闭|的情况|(不含路口)|(K1+200)|起|止"
)
LOSS_WORDS = (
    "遗失|声明作废|作废|。|，|、|：|（|）|本人|本公司|张三|青山市红星商贸有限公司|营业执照|正副本|公章|一枚|"
    "统一社会信用代码|91370100MA3C5XXX1X|身份证号|370102198001011234|编号|证号|2025年5月1日|及|和|▲|"
    "【遗失】|即日起失效|核准号|J4510001234501|辽(2021)|号"
)


def _unread(grammar: str, transformer: type, texts: list[str]) -> list[str]:
    parser = load(grammar, transformer)
    failures = []
    for text in texts:
        try:
            parser.parse(canonical(text))
        except LarkError:
            failures.append(text)
    return failures


def _sequences(words: str, length: int) -> list[str]:
    return ["".join(c) for c in itertools.product(words.split("|"), repeat=length)]


def _random(words: str, count: int, seed: int = 20261201) -> list[str]:
    chance, vocabulary = random.Random(seed), words.split("|")
    return [
        "".join(chance.choice(vocabulary) for _ in range(chance.randint(4, 14)))
        for _ in range(count)
    ]


def test_every_pair_of_road_words_and_every_phrase_of_three_parses() -> None:
    texts = _sequences(ROAD_WORDS, 1) + _sequences(ROAD_WORDS, 2) + _sequences(ROAD_STRUCTURE, 3)
    assert _unread("road", RoadTransformer, texts)[:5] == []


@pytest.mark.parametrize(
    ("grammar", "transformer", "words"),
    [("road", RoadTransformer, ROAD_WORDS), ("loss", LossTransformer, LOSS_WORDS)],
)
def test_long_random_sequences_parse(grammar: str, transformer: type, words: str) -> None:
    assert _unread(grammar, transformer, _random(words, 3000))[:5] == []


def test_every_pair_of_loss_words_parses() -> None:
    texts = _sequences(LOSS_WORDS, 1) + _sequences(LOSS_WORDS, 2)
    assert _unread("loss", LossTransformer, texts)[:5] == []
