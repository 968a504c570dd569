"""A Founder-style e-paper edition, GBK-encoded, for the ingestion tests and benchmark.

Layout of one edition (as 方正 e-paper sites publish them)::

    /html/2025-07/08/node_2.htm      the edition index: links to every page, and page one's articles
    /html/2025-07/08/node_3.htm      page two's index: links to its articles
    /html/2025-07/08/content_11.htm  an article: <founder-content> … </founder-content>

Pages are ``bytes`` in GBK with a ``<meta charset="gb2312">`` declaration (GB2312 as
declared, GBK as really sent — as the sites do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

ENCODING = "gbk"


@dataclass
class Edition:
    """An edition: its day, its pages' labels, and each page's articles (title, text)."""

    day: date
    pages: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)

    @property
    def folder(self) -> str:
        return f"/html/{self.day:%Y-%m/%d}"

    def files(self) -> dict[str, bytes]:
        """Every file of the edition by path."""
        out: dict[str, bytes] = {}
        number = 10
        page_links = []
        page_articles: list[list[tuple[str, str]]] = []
        for n, (label, articles) in enumerate(self.pages, start=2):
            page_links.append((f"node_{n}.htm", label))
            links = []
            for title, text in articles:
                number += 1
                out[f"{self.folder}/content_{number}.htm"] = _article(title, text)
                links.append((f"content_{number}.htm", title))
            page_articles.append(links)
        for n, ((_, label), links) in enumerate(
            zip(page_links, page_articles, strict=True), start=2
        ):
            out[f"{self.folder}/node_{n}.htm"] = _node(label, page_links, links)
        return out


def _html(title: str, body: str) -> bytes:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        f"<title>{title}</title></head><body>{body}</body></html>"
    )
    return page.encode(ENCODING, errors="strict")


def _node(label: str, pages: list[tuple[str, str]], articles: list[tuple[str, str]]) -> bytes:
    page_list = "".join(f'<li><a href="{href}">{name}</a></li>' for href, name in pages)
    article_list = "".join(f'<li><a href="{href}">{title}</a></li>' for href, title in articles)
    body = (
        f'<div class="pagename">{label}</div><ul id="pagelist">{page_list}</ul>'
        f'<ul class="titlelist">{article_list}</ul>'
    )
    return _html(label, body)


def _article(title: str, text: str) -> bytes:
    paragraphs = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
    body = (
        f'<div class="nav"><a href="node_2.htm">返回版面</a></div><h1>{title}</h1>'
        f"<founder-content>{paragraphs}</founder-content>"
        '<div class="footer">版权所有 演示日报社</div>'
    )
    return _html(title, body)
