"""Check characters (GB 32100-2015, GB 11643-1999) and personal-data masking."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notices.identifiers import (
    USCC_ALPHABET,
    resident_id_check_char,
    resident_id_valid,
    uscc_check_char,
    uscc_valid,
)
from notices.model import Identifier, LossDeclaration, Source
from notices.privacy import identifier_digest, is_personal, mask_resident_id, masked

# The worked example of GB 32100-2015, and codes whose check characters the corpus author
# computed with an implementation of their own: organisation types 1 (government bodies),
# 5 (social organisations), 8, 9 (enterprises) and N (village committees, co-operatives).
VALID_USCC = [
    "91350100M000100Y43",
    "12210500464107317K",
    "54652323MEA18630XX",
    "81210500MC0471293W",
    "91210502MA0Y1J6W8X",
    "N1652324MF1D0B738C",
]
INVALID_USCC = ["52210503MJ0A7758G1", "91210500MA0U7K0N3A", "N2652801MF0F6A21XP"]
# GB 11643-1999's example, and corpus numbers ending in X and in digits
VALID_IDS = ["11010519491231002X", "12010419910225508X", "45010219900708102X", "330225199606042148"]
INVALID_IDS = ["120105196203112813", "210504199001031510"]


@pytest.mark.parametrize("code", VALID_USCC)
def test_valid_credit_codes(code: str) -> None:
    assert uscc_check_char(code[:17]) == code[17]
    assert uscc_valid(code)


@pytest.mark.parametrize("code", VALID_USCC)
def test_a_slipped_character_fails(code: str) -> None:
    slipped = code[:5] + USCC_ALPHABET[(USCC_ALPHABET.index(code[5]) + 1) % 31] + code[6:]
    assert not uscc_valid(slipped)
    assert not uscc_valid(code[:17])  # too short
    assert not uscc_valid(code[:17] + "I")  # not in the alphabet


@pytest.mark.parametrize("code", INVALID_USCC)
def test_invalid_credit_codes(code: str) -> None:
    assert not uscc_valid(code)


@pytest.mark.parametrize("number", INVALID_IDS)
def test_invalid_id_numbers(number: str) -> None:
    assert not resident_id_valid(number)


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_id_numbers_including_x(number: str) -> None:
    assert resident_id_valid(number)
    assert resident_id_valid(number.lower())
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert not resident_id_valid(wrong)


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17))
def test_every_code_has_exactly_one_check_character(first17: str) -> None:
    valid = [c for c in USCC_ALPHABET if uscc_valid(first17 + c)]
    assert valid == [uscc_check_char(first17)]


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_every_id_number_has_exactly_one_check_character(first17: str) -> None:
    valid = [c for c in "0123456789X" if resident_id_valid(first17 + c)]
    assert valid == [resident_id_check_char(first17)]


def test_masking_keeps_region_and_last_digits() -> None:
    assert mask_resident_id("21050319690203301X") == "210503**********1X"


def test_masked_record_hides_person_ids_only() -> None:
    record = LossDeclaration(
        id="ld_x",
        title=None,
        text="",
        issued_on=None,
        issuers=(),
        source=Source(),
        holder="李长海",
        holder_type="person",
        documents=("身份证",),
        identifiers=(
            Identifier("身份证号", "210503196902033016", True),
            Identifier("统一社会信用代码", "91210503MA0XK31P6X", True),
        ),
        declared_void=True,
    )
    shown = masked(record)
    assert isinstance(shown, LossDeclaration)
    assert shown.identifiers[0].value == "210503**********16"
    assert shown.identifiers[1].value == "91210503MA0XK31P6X"
    assert is_personal(record.identifiers[0]) and not is_personal(record.identifiers[1])


def test_digest_matches_the_full_number_without_storing_it() -> None:
    key = b"server-secret"
    stored = identifier_digest("210503196902033016", key)
    assert identifier_digest("2105 0319 6902 033016", key) == stored
    assert identifier_digest("210503196902033017", key) != stored
    assert "210503196902033016" not in stored
