"""A fetched page → its text: HTML decoded and stripped to the article, links of an e-paper
edition, and the text of page PDFs.

E-paper sites built on Founder (方正) software share one layout, and it is the default here:
an edition opens on a page index (``node_2.htm``) that links every page's index
(``node_N.htm``) and the page's articles (``content_N.htm``); an article keeps its text in
``<founder-content>`` or between ``<!--enpcontent-->`` and ``<!--/enpcontent-->``; pages are
declared GB2312 and written in GBK. Other sites are read with CSS selectors.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTItem, LTTextContainer

from notices.errors import DecodeError
from notices.reading import decode

# Every label GBK goes by (WHATWG's list, Python's aliases): GB18030 is a superset, and
# pages declared GB2312 routinely hold GBK characters such as 镕.
_GB_WORDS = """gb2312 gbk gb18030 gb_2312 gb_2312-80 x-gbk csgb2312 chinese csiso58gb231280
    iso-ir-58 cp936 ms936 windows-936 euc-cn"""
_GB_LABELS = frozenset(_GB_WORDS.split())
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_META_WINDOW = 4096  # a <meta> charset counts only near the top of the page
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode_page(content: bytes, declared: str | None = None) -> str:
    """Decode a page's bytes by the charset it declares, else by what they look like."""
    if content.startswith(_BOMS):
        return decode(content)  # a byte-order mark outranks any label
    for label in (declared, meta_charset(content)):
        text = _decode_as(content, label)
        if text is not None:
            return text
    return decode(content)


def meta_charset(content: bytes) -> str | None:
    """The charset a page declares in ``<meta charset>`` or ``<meta http-equiv>``, as written."""
    found = _META_CHARSET.search(content[:_META_WINDOW])
    return found.group(1).decode("ascii") if found else None


def _decode_as(content: bytes, label: str | None) -> str | None:
    """The content in the labelled charset, or None when the label is unknown or wrong."""
    encoding = _codec(label) if label else None
    if encoding is None:
        return None
    try:
        return content.decode(encoding)
    except UnicodeDecodeError:
        return None


def _codec(label: str) -> str | None:
    name = label.strip().strip("\"'").lower()
    if name in _GB_LABELS:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


# --------------------------------------------------------------------------- HTML → text

# Paragraphs stand apart by a blank line, as in a text file; other blocks break the line.
_PARAGRAPH_WORDS = """p pre h1 h2 h3 h4 h5 h6 table ul ol dl blockquote address figure hr section
    article"""
_PARAGRAPHS = frozenset(_PARAGRAPH_WORDS.split())
_BLOCKS = frozenset(("div", "br", "li", "tr", "td", "th", "dt", "dd", "figcaption")) | _PARAGRAPHS
_NEVER_TEXT = frozenset(
    ("script", "style", "noscript", "template", "head", "title", "iframe", "object", "select")
)
# Navigation, banners and search boxes: left out when no content marker says where to read.
_CHROME = frozenset(("nav", "aside", "header", "footer", "form"))
_SPACE = re.compile(r"[ \t\n\r\f\v\xa0]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_ENP_START, _ENP_END = "<!--enpcontent-->", "<!--/enpcontent-->"


def html_text(html: str, *, content_selector: str | None = None) -> str:
    """Return an article's text from its HTML, without the page chrome.

    A block element breaks the line; paragraphs (``<p>``, headings, tables, lists) and an
    empty line (``<br><br>``) stand apart by a blank line, as in a text file, since the
    segmenter reads blank lines as the gaps between notices. With ``content_selector``
    (CSS) only what it selects is read ("" when it selects nothing); else Founder's content
    markers; else the body without scripts, styles and navigation. Pages nested deeper
    than the parser goes (libxml2 stops at 2048) are read with their nesting flattened.
    """
    root = _parse(html)
    if root is None:
        return ""
    if content_selector is not None:
        return "\n\n".join(_text(element) for element in root.cssselect(content_selector)).strip()
    founder = _founder_content(html, root)
    if founder is not None:
        return _text(founder)
    body = root.find("body")
    return _text(body if body is not None else root, skip=_NEVER_TEXT | _CHROME)


def _parse(html: str) -> lxml.html.HtmlElement | None:
    # lxml refuses str input that declares an encoding, and control characters.
    cleaned = _CONTROL.sub("", _XML_DECLARATION.sub("", html, count=1))
    if not cleaned.strip():
        return None
    try:
        return _document(cleaned)
    except etree.ParserError:  # nothing but comments or whitespace
        return None


def _document(html: str) -> lxml.html.HtmlElement:
    """Parse a page whole: past libxml2's depth limit, again with its nesting flattened."""
    parser = lxml.html.HTMLParser(huge_tree=True)
    root = lxml.html.document_fromstring(html, parser=parser)
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        root = lxml.html.document_fromstring(_flattened(html), parser=parser)
    return root


_TAG = re.compile(r"<(/?)([A-Za-z][\w-]*)[^>]*>")
_UNREAD = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def _flattened(html: str) -> str:
    """The page with every tag gone but its breaks: paragraphs and blocks as ``<br>``."""

    def tag(match: re.Match[str]) -> str:
        name = match[2].lower()
        if name in _PARAGRAPHS:
            return "<br><br>"
        return "<br>" if name in _BLOCKS else ""

    return "<html><body>" + _TAG.sub(tag, _UNREAD.sub("", html)) + "</body></html>"


def _founder_content(html: str, root: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The article element of a Founder e-paper page, if the page is one."""
    for element in root.iter("founder-content"):
        if "".join(element.itertext()).strip():
            return element
    start = html.find(_ENP_START)
    end = html.find(_ENP_END, start + 1)
    if start < 0 or end < 0:
        return None
    fragment = _CONTROL.sub("", html[start + len(_ENP_START) : end])
    document = _document(f"<html><body><div>{fragment}</div></body></html>")
    found: lxml.html.HtmlElement = document.find("body")
    return found


_LINE, _PARAGRAPH, _BR = "\x00line", "\x00paragraph", "\x00br"  # breaks, told from text


def _text(element: lxml.html.HtmlElement, *, skip: frozenset[str] = _NEVER_TEXT) -> str:
    """Render an element's text: blocks break lines, paragraphs stand apart, spaces collapse.

    Breaks of blocks next to each other merge (``</div><div>`` is one line break); a
    ``<br>`` always breaks, so ``<br><br>`` leaves the blank line it shows.
    """
    out: list[str] = []
    trailing: int | None = None  # newlines ending the text so far; None before any text
    for piece in _pieces(element, skip):
        if piece == _BR:
            out.append("\n")
            trailing = (trailing or 0) + 1
        elif piece in (_LINE, _PARAGRAPH):
            wanted = (1 if piece == _LINE else 2) - (trailing or 0)
            if trailing is not None and wanted > 0:
                out.append("\n" * wanted)
                trailing += wanted
        else:
            out.append(piece)
            trailing = 0 if piece.strip() else trailing
    lines = [_SPACE.sub(" ", line).strip(" ") for line in "".join(out).split("\n")]
    kept: list[str] = []
    for line in lines:
        if line.strip() or (kept and kept[-1]):  # one blank line at most, none at the ends
            kept.append(line if line.strip() else "")
    return _column_lines("\n".join(kept).strip("\n"))


def _column_lines(text: str) -> str:
    """A page that prints each line of its column as a ``<p>`` of its own: its lines, not
    its paragraphs, stand apart, so they are put back one under another, as a text file
    holds a column, for the normaliser to join. Told by its paragraphs: nearly all one
    short line, most of them stopping in the middle of a sentence."""
    paragraphs = text.split("\n\n")
    if len(paragraphs) < _COLUMN_LINES:
        return text
    single = [p for p in paragraphs if "\n" not in p and len(p) <= _COLUMN_WIDTH]
    cut = [p for p in single if _WRAPPED_END.match(p[-1:])]
    if len(single) >= 0.8 * len(paragraphs) and len(cut) >= 0.5 * len(single):
        return "\n".join(paragraphs)
    return text


_COLUMN_LINES = 6
_COLUMN_WIDTH = 30
# A line that ends on a character of a word or a number was cut by its column.
_WRAPPED_END = re.compile(r"[\u4e00-\u9fff0-9A-Za-z+]")


def _pieces(root: etree._Element, skip: frozenset[str]) -> Iterator[str]:
    """The text of an element and its children, and its breaks, walked without recursion."""
    stack: list[tuple[etree._Element, bool]] = [(root, False)]  # (element, closing)
    while stack:
        element, closing = stack.pop()
        tag = element.tag.lower() if isinstance(element.tag, str) else None  # None: a comment
        read = tag is not None and tag not in skip and element.get("role") != "navigation"
        if closing or not read:
            if read and tag != "br":
                yield _break(tag)
            if element is not root:
                yield _SPACE.sub(" ", element.tail or "")
            continue
        yield _BR if tag == "br" else _break(tag)
        yield _SPACE.sub(" ", element.text or "")
        stack.append((element, True))
        stack.extend((child, False) for child in reversed(element))


def _break(tag: str | None) -> str:
    if tag in _PARAGRAPHS:
        return _PARAGRAPH
    return _LINE if tag in _BLOCKS else ""


# --------------------------------------------------------------------------- editions

_PAGE_INDEX = re.compile(r"node_[\w-]+\.html?", re.IGNORECASE)
_ARTICLE = re.compile(r"content_[\w-]+\.html?", re.IGNORECASE)
_PAGE_LABEL = re.compile(r"第\s*([A-Za-z]?\d{1,3})\s*版(?:\s*[：:]\s*([^\s：:]+))?")


@dataclass(frozen=True)
class EditionLinks:
    """The links an edition's page index holds: its pages and their articles."""

    pages: tuple[str, ...]  # absolute URLs of the page indexes (node_*.htm), in order
    articles: tuple[str, ...]  # absolute URLs of the articles (content_*.htm), in order


def edition_links(
    html: str,
    base_url: str,
    *,
    page_selector: str | None = None,
    article_selector: str | None = None,
) -> EditionLinks:
    """Find an edition's page and article links: Founder's file names, or CSS selectors.

    URLs come back absolute, deduplicated, in page order, without their fragment; Founder
    article links also lose their query (``content_1.htm?div=-1`` is ``content_1.htm``).
    """
    root = _parse(html)
    if root is None:
        return EditionLinks((), ())
    base = _base_href(root, base_url)
    return EditionLinks(
        pages=_links(root, base, page_selector, _PAGE_INDEX),
        articles=_links(root, base, article_selector, _ARTICLE),
    )


def _base_href(root: lxml.html.HtmlElement, base_url: str) -> str:
    base = root.find(".//base[@href]")
    return urljoin(base_url, base.get("href", "").strip()) if base is not None else base_url


def _links(
    root: lxml.html.HtmlElement, base: str, selector: str | None, founder_name: re.Pattern[str]
) -> tuple[str, ...]:
    named: Iterator[str | None]
    if selector is None:
        urls = (_absolute(base, href, keep_query=False) for href in _hrefs(root.iter("a", "area")))
        named = (url for url in urls if url and founder_name.fullmatch(_file_name(url)))
    else:
        anchors = (a for chosen in root.cssselect(selector) for a in chosen.iter("a", "area"))
        named = (_absolute(base, href, keep_query=True) for href in _hrefs(anchors))
    return tuple(dict.fromkeys(url for url in named if url))


def _hrefs(anchors: Iterable[lxml.html.HtmlElement]) -> Iterator[str]:
    for anchor in anchors:
        href = anchor.get("href")
        if href and href.strip():
            yield href.strip()


def _absolute(base: str, href: str, *, keep_query: bool) -> str | None:
    """The absolute http(s) URL a link points at, or None for mailto:, javascript: and such."""
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in ("http", "https"):
        return None
    query = parts.query if keep_query else ""
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def _file_name(url: str) -> str:
    return urlsplit(url).path.rsplit("/", 1)[-1]


def page_label(html: str) -> str | None:
    """The label a Founder page index shows for its page ("第A03版：综合"), if any.

    Link text is not read: the index links every page of the edition by its label.
    """
    root = _parse(html)
    if root is None:
        return None
    body = root.find("body")
    texts = [_text(body, skip=_NEVER_TEXT | {"a"})] if body is not None else []
    texts.append(root.findtext(".//title") or "")
    for text in texts:
        found = _PAGE_LABEL.search(text)
        if found:
            number, name = found.groups()
            return f"第{number.upper()}版：{name}" if name else f"第{number.upper()}版"
    return None


# --------------------------------------------------------------------------- PDF


def pdf_text(data: bytes) -> str:
    """Return a page PDF's text column by column, each column top to bottom."""
    try:
        pages = [
            [box for box in page if isinstance(box, LTTextContainer)]
            for page in extract_pages(io.BytesIO(data))
        ]
    except Exception as exc:  # pdfminer raises a zoo of types on broken input
        raise DecodeError(f"not a readable PDF: {exc}") from exc
    return "\n".join("".join(box.get_text() for box in _reading_order(page)) for page in pages)


def _reading_order(boxes: list[LTTextContainer[LTItem]]) -> list[LTTextContainer[LTItem]]:
    """Boxes by column, left to right, then top to bottom within each column.

    A box opens a new column when its left edge lies past the middle of the column so far
    (half its narrowest box): an indented paragraph stays in its column, and a headline
    across two columns is read first, with the column it starts in.
    """
    columns: list[list[LTTextContainer[LTItem]]] = []
    for box in sorted(boxes, key=lambda box: box.x0):
        column = columns[-1] if columns else None
        if column and box.x0 < column[0].x0 + min(b.width for b in column) / 2:
            column.append(box)
        else:
            columns.append([box])
    return [box for column in columns for box in sorted(column, key=lambda box: -box.y1)]
