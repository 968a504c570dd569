"""Stable record ids: the same notice printed again gets the same id.

An id hashes what a notice says, not how it is laid out: the canonical text with every
space, line break and punctuation mark removed and letters lower-cased, so another
column width, another edition or half-width punctuation give the same id.
"""

from __future__ import annotations

import hashlib
import re

_WORDS = re.compile(r"[0-9a-z\u3400-\u9fff〇]+")
_PREFIX = {"road_closure": "rc", "loss_declaration": "ld"}


def notice_id(kind: str, *parts: str) -> str:
    """Return the id of a notice of ``kind`` whose words are ``parts``."""
    # the runs of words joined: the text with the rest taken out, in two thirds of a sub's time
    words = "|".join("".join(_WORDS.findall(p.lower())) for p in parts)
    digest = hashlib.sha256(f"{kind}|{words}".encode()).hexdigest()
    return f"{_PREFIX.get(kind, 'nt')}_{digest[:20]}"
