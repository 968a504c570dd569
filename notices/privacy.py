"""Personal data: a private person's resident ID number is masked in every public output.

Masking keeps what lets a reader recognise the number (the six-digit region code and the
last four characters) and hides the birth date and sequence. Lookups by a full number
match a keyed digest, so the number itself need not be stored where it is not needed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac

from notices.identifiers import resident_id_valid
from notices.model import Identifier, LossDeclaration, Record

_KEPT_HEAD, _KEPT_TAIL = 6, 4


def mask_resident_id(number: str) -> str:
    """Mask a resident ID number: 210503197108283020 → 210503********3020."""
    if len(number) <= _KEPT_HEAD + _KEPT_TAIL:
        return "*" * len(number)
    hidden = len(number) - _KEPT_HEAD - _KEPT_TAIL
    return number[:_KEPT_HEAD] + "*" * hidden + number[-_KEPT_TAIL:]


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
