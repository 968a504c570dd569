"""Renderers: records → feed bodies, chosen by the URL's extension.

Every renderer is a pure function ``(FeedInfo, items) -> Rendered``: no request, no
database, no clock. Adding a format is one function and one line in :data:`RENDERERS`.
CAP alerts (:mod:`notices.render.cap`) and iCalendar (:mod:`notices.render.ical`) take
their own arguments and live beside them.
"""

from __future__ import annotations

from notices.render.feeds import atom, json_feed, rss
from notices.render.titles import headline
from notices.render.view import FeedInfo, Item, Rendered, Renderer, item_view, public

RENDERERS: dict[str, Renderer] = {
    "rss": rss,
    "atom": atom,
    "json": json_feed,
}

__all__ = [
    "RENDERERS",
    "FeedInfo",
    "Item",
    "Rendered",
    "Renderer",
    "headline",
    "item_view",
    "public",
]
