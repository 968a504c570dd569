"""Identifiers with a check character: unified social credit codes and resident ID numbers.

- 统一社会信用代码, GB 32100-2015: 18 characters from a 31-character alphabet (no I, O, S,
  V, Z); the last is a check character over the first 17 (weights 3^i mod 31).
- 公民身份号码, GB 11643-1999: 17 digits and a check character (ISO 7064 MOD 11-2; X for 10).

A failed check is a finding, never a reason to drop an identifier: it is often an OCR slip.
"""

from __future__ import annotations

import re

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE = re.compile(rf"[{USCC_ALPHABET}]{{18}}")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"\d{17}[\dX]")


def uscc_check_char(first17: str) -> str:
    """The check character of a unified social credit code's first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_valid(code: str) -> bool:
    """Tell whether a unified social credit code is well formed and its check character holds."""
    code = code.upper()
    return bool(_USCC_SHAPE.fullmatch(code)) and uscc_check_char(code[:17]) == code[17]


def resident_id_check_char(first17: str) -> str:
    """The check character of a resident ID number's first 17 digits."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id_valid(number: str) -> bool:
    """Tell whether an 18-character resident ID number's check character holds."""
    number = number.upper()
    return bool(_ID_SHAPE.fullmatch(number)) and resident_id_check_char(number[:17]) == number[17]


def looks_like_uscc(value: str) -> bool:
    """18 characters of the credit-code alphabet, not all digits (those are ID numbers)."""
    value = value.upper()
    return (
        bool(_USCC_SHAPE.fullmatch(value))
        and not value.isdigit()
        and not _ID_SHAPE.fullmatch(value)
    )


def looks_like_resident_id(value: str) -> bool:
    """17 digits and a digit or X."""
    return bool(_ID_SHAPE.fullmatch(value.upper()))
