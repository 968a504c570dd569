"""Ways a newspaper lays out the same notice: strategies for the layout property tests."""

from __future__ import annotations

from hypothesis import strategies as st

HALF_WIDTH = str.maketrans(
    {"（": "(", "）": ")", "：": ":", "，": ",", "；": ";", "！": "!", "？": "?"}
)
FULL_WIDTH_DIGITS = str.maketrans({str(d): chr(0xFF10 + d) for d in range(10)})


def paragraphs(page: str) -> list[str]:
    """The non-empty lines of a page, one per paragraph."""
    return [line.strip() for line in page.splitlines() if line.strip()]


def wrap(paras: list[str], width: int) -> str:
    """Wrap every paragraph at ``width`` characters, breaking anywhere, blank lines between.

    Markdown headings stay whole: markdown has no wrapped headings.
    """
    out = []
    for para in paras:
        if para.startswith("#"):
            out.append(para)
            continue
        out.append("\n".join(para[i : i + width] for i in range(0, len(para), width)))
    return "\n\n".join(out) + "\n"


def _alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def stray_spaces(text: str, positions: list[int]) -> str:
    """Insert spaces the way PDF extraction does (never between two ASCII letters or digits)."""
    chars = list(text)
    for pos in sorted({p % max(len(chars), 1) for p in positions}, reverse=True):
        if 0 < pos < len(chars) and not (_alnum(chars[pos - 1]) and _alnum(chars[pos])):
            chars.insert(pos, " ")
    return "".join(chars)


@st.composite
def layouts(draw: st.DrawFn, notice: str, article: list[str]) -> str:
    """One layout of ``notice``: wrapped, spaced, re-punctuated, headed, or set in an article."""
    paras = paragraphs(notice)
    if draw(st.booleans()):
        paras = [p.translate(HALF_WIDTH) for p in paras]
    if draw(st.booleans()):
        paras[0] = "## " + paras[0]
    before = draw(st.integers(0, min(3, len(article))))
    after = draw(st.integers(0, min(3, len(article) - before)))
    paras = article[:before] + paras + article[before : before + after]
    if draw(st.booleans()):
        text = wrap(paras, draw(st.integers(6, 60)))
    else:
        text = "\n\n".join(paras) + "\n"
    if draw(st.booleans()):
        text = stray_spaces(text, draw(st.lists(st.integers(0, 10**6), max_size=40)))
    return text
