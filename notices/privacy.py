"""Personal data: a private person's resident ID number is masked in every public output.

The mask shows the six-digit region code and the last two characters, nothing more:
the birth date and most of the sequence stay hidden, so some 430,000 numbers (births
1900–2029) fit one masked number and a rate-limited lookup cannot walk them. Numbers are
masked wherever they are printed, in every form papers print them: run together, spaced
or hyphenated (``110105 19491231 002X``), in full-width digits, and the old 15-digit
numbers. Lookups by a full number match a keyed digest, so the number itself need not be
searched.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import re
from datetime import date

from notices.identifiers import resident_id_valid
from notices.model import Identifier, LossDeclaration, Record

KEPT_HEAD, KEPT_TAIL = 6, 2
MASK = "*"
_DIGIT = "0-9\uff10-\uff19"
_CHECK = "Xx\uff38\uff58"
# A group of digits, perhaps ending in the check character X; groups joined by a space or a
# dash (at most two of them) may together print one number.
_GROUP = rf"[{_DIGIT}]+(?:[{_CHECK}][{_DIGIT}]{{0,2}}(?![{_DIGIT}]))?"
_SEPARATOR = "[ \t\u00a0\u3000\\-\u2010-\u2015\uff0d]{1,2}"
_RUN = re.compile(rf"(?<![{_DIGIT}]){_GROUP}(?:{_SEPARATOR}{_GROUP})*")
_GROUPS = re.compile(_GROUP)
_WIDE = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")
_SHAPES = (18, 15)  # today's numbers, and the 15-digit ones issued before 1999
_DISABILITY_TAIL = 2  # a disability certificate number is the ID number and two digits


def mask_resident_id(number: str) -> str:
    """Mask a resident ID number: 210503197108283020 → 210503**********20."""
    if len(number) <= KEPT_HEAD + KEPT_TAIL:
        return MASK * len(number)
    hidden = len(number) - KEPT_HEAD - KEPT_TAIL
    return number[:KEPT_HEAD] + MASK * hidden + number[-KEPT_TAIL:]


def mask_text(text: str) -> str:
    """Mask every resident ID number printed in ``text``, keeping how it was printed."""
    return _RUN.sub(_mask_run, text)


def _mask_run(run: re.Match[str]) -> str:
    """Mask the numbers among a run of digit groups: one group, or groups spaced apart."""
    text = run[0]
    groups = [(m.start(), m.end()) for m in _GROUPS.finditer(text)]
    chars = list(text)
    first = 0
    while first < len(groups):
        last = _number_end(text, groups, first)
        if last is None:
            first += 1
            continue
        _hide(chars, groups[first][0], groups[last][1])
        first = last + 1
    return "".join(chars)


def _number_end(text: str, groups: list[tuple[int, int]], first: int) -> int | None:
    """The last group of a resident ID number that starts at group ``first``, if one does."""
    digits = ""
    for last in range(first, len(groups)):
        digits += _folded(text[groups[last][0] : groups[last][1]])
        if len(digits) > _SHAPES[0] + _DISABILITY_TAIL:
            return None
        if len(digits) in _SHAPES and looks_like_person(digits):
            return last
        if first == last and len(digits) > _SHAPES[0] and looks_like_person(digits[:18]):
            return last  # one group: an ID number and the digits a certificate adds
    return None


def _hide(chars: list[str], start: int, end: int) -> None:
    """Replace the characters of one number with the mask, but the first six and last two."""
    positions = [i for i in range(start, end) if _folded(chars[i]).isalnum()]
    length = 15 if len(positions) == 15 else 18  # past 18: a certificate's own digits
    for n, i in enumerate(positions[:length]):
        if KEPT_HEAD <= n < length - KEPT_TAIL:
            chars[i] = MASK


def _folded(text: str) -> str:
    return text.translate(_WIDE).upper()


def looks_like_person(number: str) -> bool:
    """Tell whether 15 or 18 characters are shaped as a resident ID number with a birth date.

    The check character is not required: a failed check is often an OCR slip, and the
    number is personal all the same.
    """
    number = _folded(number)
    if len(number) == 18 and number[:17].isdigit() and (number[17].isdigit() or number[17] == "X"):
        return number[0] != "0" and _is_date(number[6:14])
    if len(number) == 15 and number.isdigit():
        return number[0] != "0" and _is_date("19" + number[6:12])
    return False


def _is_date(digits: str) -> bool:
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2100


def is_personal(identifier: Identifier) -> bool:
    """Tell whether an identifier is, or holds, a person's resident ID number.

    Labelled as one (身份证号), shaped as one, or one with two digits after it (a disability
    certificate number is the holder's ID number and two digits), when its check holds.
    """
    if identifier.type is not None and "身份" in identifier.type:
        return True
    value = identifier.value
    head, tail = value[:18], value[18:]
    return (tail == "" or (len(tail) <= 2 and tail.isdigit())) and resident_id_valid(head)


def masked(record: Record) -> Record:
    """Return the record as public outputs show it: resident ID numbers masked."""
    if not isinstance(record, LossDeclaration):
        return record
    identifiers = tuple(
        dataclasses.replace(i, value=mask_resident_id(i.value)) if is_personal(i) else i
        for i in record.identifiers
    )
    return dataclasses.replace(record, identifiers=identifiers)


def identifier_digest(value: str, key: bytes) -> str:
    """A keyed digest of an identifier, for exact-match lookup without keeping it in the clear."""
    normalized = "".join(value.split()).upper()
    return hmac.new(key, normalized.encode(), hashlib.sha256).hexdigest()
