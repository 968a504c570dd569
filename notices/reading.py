"""Bytes of a page → text: UTF-8, UTF-16 (with or without BOM) or GB18030, else an error."""

from __future__ import annotations

import codecs

from notices.errors import DecodeError

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL_SHARE = 0.05  # more C0 control characters than this is not text


def decode(data: bytes) -> str:
    """Decode a page, trying the encodings Chinese newspapers' text comes in."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(data.decode(encoding, errors="strict"))
    for encoding in _guesses(data):
        try:
            return _checked(data.decode(encoding, errors="strict"))
        except (UnicodeDecodeError, DecodeError):
            continue
    raise DecodeError("not text in UTF-8, UTF-16 or GB18030")


def _guesses(data: bytes) -> list[str]:
    sample = data[:4096]
    if sample and sample.count(0) > len(sample) // 4:  # UTF-16 without a BOM: every other byte NUL
        odd_nuls = sample[1::2].count(0)
        return ["utf-16-le" if odd_nuls > sample[0::2].count(0) else "utf-16-be"]
    return ["utf-8", "gb18030"]


def _checked(text: str) -> str:
    controls = sum(1 for c in text if c < " " and c not in "\t\n\r\f\v")
    if text and controls > _CONTROL_SHARE * len(text):
        raise DecodeError("binary data, not text")
    return text
