"""RSS 2.0, Atom and JSON Feed 1.1: three layouts of the same item views.

Each item links to its own page (RSS ``link``, Atom ``rel="alternate"``, JSON Feed
``url``) and to the page the notice was printed on (Atom ``rel="via"``, JSON Feed
``external_url``, and a 原文 link in the HTML content of both XML formats).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from feedgen.entry import FeedEntry
from feedgen.ext.base import BaseEntryExtension
from feedgen.feed import FeedGenerator
from lxml import etree

from notices.render.times import local, stamp
from notices.render.view import FeedInfo, Item, ItemView, Rendered, item_view, xml_safe

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def rss(feed: FeedInfo, items: Sequence[Item]) -> Rendered:
    """Render items as RSS 2.0."""
    body = _generator(feed, items, atom=False).rss_str(pretty=True)
    return Rendered(body, "application/rss+xml; charset=utf-8")


def atom(feed: FeedInfo, items: Sequence[Item]) -> Rendered:
    """Render items as Atom."""
    body = _generator(feed, items, atom=True).atom_str(pretty=True)
    return Rendered(body, "application/atom+xml; charset=utf-8")


def json_feed(feed: FeedInfo, items: Sequence[Item]) -> Rendered:
    """Render items as JSON Feed 1.1, each with the structured record as ``_notice``."""
    document = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": feed.link,
        "feed_url": feed.self_url,
        "description": feed.description,
        "language": feed.language,
        "items": [_json_item(item_view(item)) for item in items],
    }
    body = json.dumps(document, ensure_ascii=False).encode()  # no indent: the C encoder
    return Rendered(body, "application/feed+json; charset=utf-8")


def _json_item(view: ItemView) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": view.id,
        "url": view.link,
        "external_url": view.source_url,
        "title": view.title,
        "content_text": view.text,
        "date_published": stamp(view.published),
        "date_modified": stamp(view.updated),
        "tags": [c.term for c in view.categories],
        "_notice": view.notice,
    }
    return {key: value for key, value in item.items() if value is not None}


def _generator(feed: FeedInfo, items: Sequence[Item], *, atom: bool) -> FeedGenerator:
    generator = FeedGenerator()
    generator.id(xml_safe(feed.id))
    generator.title(xml_safe(feed.title))
    generator.description(xml_safe(feed.description))
    generator.link(href=xml_safe(feed.self_url), rel="self")
    generator.link(href=xml_safe(feed.link), rel="alternate")  # RSS takes the last link
    generator.language(feed.language)
    generator.author(name=xml_safe(feed.author))
    generator.updated(local(feed.updated))
    generator.lastBuildDate(local(feed.updated))  # feedgen would stamp the clock otherwise
    generator.generator("notices")
    for item in items:
        _fill(generator.add_entry(order="append"), item_view(item), atom=atom)
    return generator


def _fill(entry: FeedEntry, view: ItemView, *, atom: bool) -> None:
    if atom:
        entry.id(view.urn)
        entry.register_extension("links", _AtomLinks, atom=True, rss=False)
        entry.links.set(("alternate", view.link), ("via", view.source_url))
    else:
        entry.guid(view.id, permalink=False)
        entry.link(href=view.link)
    entry.title(view.title)
    entry.content(view.content_html, type="html")
    entry.summary(view.summary_html, type="html")
    entry.published(view.published)
    entry.updated(view.updated)
    for category in view.categories:
        entry.category(term=category.term, scheme=category.scheme, label=category.label)


class _AtomLinks(BaseEntryExtension):  # type: ignore[misc]
    """Entry links with their ``rel``: feedgen 1.0 drops rel and type on entry links."""

    def __init__(self) -> None:
        self.links: tuple[tuple[str, str | None], ...] = ()

    def set(self, *links: tuple[str, str | None]) -> None:
        self.links = links

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        for rel, href in self.links:
            if href:
                etree.SubElement(entry, "link", rel=rel, href=href)
        return entry
