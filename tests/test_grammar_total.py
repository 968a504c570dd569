"""The island grammars read any sequence of their own tokens: a notice whose words fall in
an order we never wrote must give a record with warnings, never a grammar error that loses it."""

from __future__ import annotations

import random

import pytest
from lark.exceptions import LarkError

from notices.grammars import load
from notices.loss_phrases import LossTransformer
from notices.normalize import canonical
from notices.road_phrases import RoadTransformer

ROAD_WORDS = (
    "2025年5月6日 5月6日 6日 上午 下午8时 8:00 起 至 止 完工 ， 。 （ ） ( ) 、 ： G312线 S203 丹霍线 "
    "K12+300 K13+050 全封闭 半幅 封闭 禁止一切车辆通行 绕行 因 施工 每日 7时至19时 次日 星期一 (星期五) "
    "约2公里 共计10天 青石村 大桥 至完工 另行通知 即日起 交通管制 路口 由东向西 左幅 3. 一、 【 】 "
    "至2025年6月1日止 全长1.5公里 G1212沈吉高速 国道G331 县道 X157 玛红线 (正月十五) 至活动结束 "
    "凌晨 早 晚上7:00 特此通告 某县交通运输局"
)
LOSS_WORDS = (
    "遗失 声明作废 作废 。 ， 、 ： （ ） 本人 本公司 张三 青山市红星商贸有限公司 营业执照 正副本 公章 一枚 "
    "统一社会信用代码 91370100MA3C5XXX1X 身份证号 370102198001011234 编号 证号 2025年5月1日 及 和 ▲ "
    "【遗失】 即日起失效 核准号 J4510001234501 辽(2021) 号"
)


@pytest.mark.parametrize(
    ("grammar", "transformer", "words"),
    [("road", RoadTransformer, ROAD_WORDS), ("loss", LossTransformer, LOSS_WORDS)],
)
def test_any_order_of_words_parses(grammar: str, transformer: type, words: str) -> None:
    parser = load(grammar, transformer)
    chance = random.Random(20261201)
    failures = []
    for _ in range(3000):
        picked = (chance.choice(words.split(" ")) for _ in range(chance.randint(1, 14)))
        text = canonical("".join(picked))
        try:
            parser.parse(text)
        except LarkError as exc:
            failures.append((text, type(exc).__name__))
    assert failures[:5] == []
