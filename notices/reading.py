"""Bytes of a page → text: UTF-8, GB18030 or UTF-16 (with or without BOM), else an error.

Without a BOM every candidate that decodes is scored by how much of it looks like
Chinese newspaper text (CJK ideographs, their punctuation, printable ASCII); the most
plausible wins. Bytes that read as text in none of them are a :class:`DecodeError`.
"""

from __future__ import annotations

import codecs

from notices.errors import DecodeError

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CANDIDATES = ("utf-8", "gb18030", "utf-16-le", "utf-16-be")
_PLAUSIBLE = 0.85  # share of characters that must look like text
_SAMPLE = 20_000


def _plausible(ch: str) -> bool:
    code = ord(ch)
    return (
        (0x20 <= code < 0x7F)
        or ch in "\t\n\r\f"
        or 0x4E00 <= code <= 0x9FFF
        or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF
        or 0x2000 <= code <= 0x206F
        or 0x3400 <= code <= 0x4DBF
        or ch in "\u00b7\u00a0\u2116\u25b2\u25a0\u25cf"
    )


def _score(text: str) -> float:
    sample = text[:_SAMPLE]
    return sum(map(_plausible, sample)) / len(sample) if sample else 1.0


def decode(data: bytes) -> str:
    """Decode a page, trying the encodings Chinese newspapers' text comes in."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise DecodeError(f"broken {encoding} text: {exc.reason}") from exc
    best, best_score = None, 0.0
    for encoding in _CANDIDATES:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _score(text)
        if score > best_score:
            best, best_score = text, score
        if score >= 0.99:
            break
    if best is None or best_score < _PLAUSIBLE:
        raise DecodeError("not text in UTF-8, GB18030 or UTF-16")
    return best
