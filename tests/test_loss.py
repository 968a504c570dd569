"""Loss declarations: page 000's three entries, variants, bad input."""

from __future__ import annotations

from datetime import date

import pytest

from notices.model import Identifier, LossDeclaration
from notices.parse import parse_page


def _losses(text: str, published: date | None = None) -> list[LossDeclaration]:
    return [r for r in parse_page(text, published_on=published) if isinstance(r, LossDeclaration)]


def test_page_000_gives_exactly_its_three_declarations(notice_page: str) -> None:
    first, second, third = _losses(notice_page)
    assert (first.holder, first.holder_type, first.documents, first.declared_void) == (
        "凌源宁昌林业有限公司",
        "organization",
        ("营业执照副本",),
        True,
    )
    assert first.identifiers == (Identifier("工商注册号", "企独朝总字第000103号", None),)
    assert (second.holder, second.documents) == ("凌源日新氨纶制品有限公司", ("营业执照正本",))
    assert second.identifiers == (Identifier("工商注册号", "企合朝总字第000101号", None),)
    assert (third.holder, third.holder_type, third.documents) == ("陆德平", "person", ("残疾人证",))
    assert third.identifiers == (Identifier("证号", "辽军A023409", None),)
    assert third.declared_void
    assert len({first.id, second.id, third.id}) == 3
    assert {d.title for d in (first, second, third)} == {"遗失声明"}


def test_several_items_and_both_copies_and_quantities() -> None:
    text = "遗失声明\n▲本溪某某商贸有限公司遗失公章、财务专用章、法人章各一枚，营业执照正副本，声明作废。\n"
    (entry,) = _losses(text)
    assert entry.documents == ("公章", "财务专用章", "法人章", "营业执照正本", "营业执照副本")
    text = "遗失声明\n▲本溪某某商贸有限公司遗失营业执照正副本，发票3份，声明作废。\n"
    (entry,) = _losses(text)
    assert entry.documents[:2] == ("营业执照正本", "营业执照副本")


def test_check_characters_are_verified_and_failures_kept() -> None:
    text = (
        "遗失声明\n▲甲乙丙有限公司遗失营业执照副本，统一社会信用代码：91210502MA0Y1J6W8X，声明作废。"
        "▲丁戊己有限公司遗失公章一枚，统一社会信用代码：91210502MA0Y1J6W8Y，声明作废。\n"
    )
    good, bad = _losses(text)
    assert good.identifiers[0].valid is True
    assert bad.identifiers[0].valid is False  # an OCR slip: kept, flagged
    assert any(c.code == "uscc_check" and not c.ok for c in bad.checks)
    assert any("uscc_check" in w for w in bad.warnings)


def test_run_together_entries_without_bullets_and_wrapped_identifiers() -> None:
    text = (
        "遗失启事\n李长海遗失身份证，身份证号：21050319690203\n3016，声明作废。王芳(女)遗失出生医学证明，"
        "编号：Q210456789，声明作废。\n"
    )
    first, second = _losses(text)
    assert first.identifiers == (Identifier("身份证号", "210503196902033016", True),)
    assert (second.holder, second.holder_type) == ("王芳", "person")


def test_self_named_entry_takes_the_signature() -> None:
    text = (
        "遗失声明\n本公司不慎遗失合同专用章一枚（编号：6501020123456），现声明作废。\n特此声明。\n"
        "天池市丝路通达商贸有限公司\n二〇二五年八月四日\n"
    )
    (entry,) = _losses(text)
    assert entry.holder == "天池市丝路通达商贸有限公司"
    assert entry.issued_on == date(2025, 8, 4)
    assert entry.documents == ("合同专用章",)


def test_not_declared_void_without_zuofei() -> None:
    (entry,) = _losses(
        "挂失声明\n●张桂芝遗失不动产权证书，证号：辽（2021）本溪市不动产权第0027319号，特此声明。\n"
    )
    assert entry.declared_void is False
    assert entry.identifiers[0].value == "辽（2021）本溪市不动产权第0027319号"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("遗失声明\n▲遗失营业执照副本，声明作废。\n", id="no-holder"),
        pytest.param("遗失声明\n▲本溪某某有限公司遗失", id="truncated"),
        pytest.param("遗失声明\n" + "▲" * 5_000 + "\n", id="5000-bullets"),
        pytest.param("遗失声明\n" + "▲某某公司遗失公章，" * 3_000 + "\n", id="3000-run-on"),
    ],
)
def test_bad_blocks_give_warnings_not_crashes(text: str) -> None:
    for entry in _losses(text):
        assert entry.text
        if not entry.holder or not entry.documents:
            assert entry.warnings
