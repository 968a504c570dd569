"""Traditional characters → simplified, one character for one, for the grammars' eyes only.

Forum mirrors and Hong Kong or Taiwan reposts print mainland notices in traditional
characters (國道, 鄉, 擇). The canonical text the grammars read folds them to simplified so
that one lexicon serves both; the clean text keeps what was printed. The table is OpenCC's
character list (the ``opencc-python-reimplemented`` package ships it as data), limited to
characters outside GB 2312: those never occur in simplified text, so folding them cannot
turn one simplified word into another (乾 stays 乾, 於 becomes 于).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

# Characters that are frequent in traditional notices and never occur in simplified ones:
# a page without any of them is read as it is, and the table is never loaded.
_TRADITIONAL_HINT = re.compile(
    r"[為時間車縣區國對於與這號們會線鎮鄉橋條將過請範圍關遺聲廢證書報發現]"
)


@cache
def _table() -> dict[int, str]:
    path = resources.files("opencc").joinpath("dictionary/TSCharacters.txt")
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        traditional, _, simplified = line.partition("\t")
        simplified = simplified.split(" ")[0]
        one_for_one = len(traditional) == 1 and len(simplified) == 1
        if one_for_one and traditional != simplified and not _in_gb2312(traditional):
            table[ord(traditional)] = simplified
    return table


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def simplified(text: str) -> str:
    """Fold traditional characters to simplified, keeping the length."""
    return text if _TRADITIONAL_HINT.search(text) is None else fold(text)


def fold(text: str) -> str:
    """Fold every traditional character to simplified, without looking for a hint first
    (a road's name may hold none of the frequent ones)."""
    return text.translate(_table())
