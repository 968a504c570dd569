"""One view of a record for every feed: what an item says, decided once for all formats.

RSS, Atom and JSON Feed differ only in where they put these values. The view works on
the record as the public sees it (:func:`public`): resident ID numbers masked, also where
the notice text prints them, and every string stripped of characters XML cannot carry.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from notices.model import Identifier, LossDeclaration, Record, RoadClosure
from notices.privacy import is_personal, mask_resident_id, mask_text, masked
from notices.render.times import local
from notices.render.titles import (
    CLOSURE_WORDS,
    headline,
    route_label,
    stretches,
    window_phrase,
)
from notices.serialize import to_dict

KIND_WORDS = {"road_closure": "道路封闭", "loss_declaration": "遗失声明"}

# Outside XML 1.0's Char production, plus DEL and the C1 controls XML allows but readers choke on.
_NOT_XML = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_T = TypeVar("_T")


@dataclass(frozen=True)
class FeedInfo:
    """What a feed says about itself."""

    title: str
    link: str  # the page the feed stands for
    self_url: str  # where the feed itself is served
    id: str
    description: str
    updated: datetime
    author: str = "notices"  # Atom wants an author for a feed whose entries name none
    language: str = "zh-CN"


@dataclass(frozen=True)
class Item:
    """A stored record as a feed shows it, with when it was seen and where it lives."""

    record: Record
    source_url: str | None  # public URL of the page the notice was printed on
    first_seen: datetime
    last_seen: datetime
    link: str  # the item's own page (or API URL)
    changed: datetime | None = None  # when the record last changed; None: first_seen
    revision: int | None = None  # the store's revision count, where it keeps one
    published: datetime | None = None  # the first printing's edition day; None: first_seen
    updated: datetime | None = None  # its last change as shown (edition days); None: changed
    status: str = "active"  # active, cancelled (superseded ones are never shown)

    @property
    def changed_at(self) -> datetime:
        """Return when the record took its present content."""
        return self.changed or self.first_seen

    @property
    def published_at(self) -> datetime:
        """Return the date shown as first published: the first printing's edition."""
        return self.published or self.first_seen

    @property
    def updated_at(self) -> datetime:
        """Return the date shown as last changed: the revising edition's, or a staff edit's."""
        return max(self.updated or self.changed_at, self.published_at)


@dataclass(frozen=True)
class Rendered:
    """A response body and its media type."""

    body: bytes
    content_type: str


Renderer = Callable[[FeedInfo, Sequence[Item]], Rendered]


@dataclass(frozen=True)
class Category:
    """A category: its term, the scheme it belongs to, and a label for people."""

    term: str
    scheme: str
    label: str


@dataclass(frozen=True)
class ItemView:
    """Everything an item says, format-neutral."""

    id: str
    urn: str
    title: str
    text: str
    summary_html: str
    content_html: str
    categories: tuple[Category, ...]
    link: str
    source_url: str | None
    published: datetime
    updated: datetime
    notice: dict[str, Any]


def item_view(item: Item) -> ItemView:
    """Return what an item says, from its public record."""
    record = public(item.record)
    rows = summary_rows(record)
    public_url = None if is_private_url(item.source_url) else item.source_url
    source_url = xml_safe(public_url) if public_url else None
    return ItemView(
        id=record.id,
        urn=f"urn:notices:{record.id}",
        title=headline(record),
        text=record.text,
        summary_html=_definition_list(rows),
        content_html=_definition_list(rows) + _paragraphs(record.text) + _source_link(source_url),
        categories=categories(record),
        link=xml_safe(item.link),
        source_url=source_url,
        published=local(item.published_at),
        updated=local(item.updated_at),
        notice=to_dict(record),
    )


def xml_safe(text: str) -> str:
    """Remove control characters (keeping tab, line feed, carriage return) and non-characters."""
    return _NOT_XML.sub("", text)


def public(record: Record) -> Record:
    """Return a record as public outputs show it: ID numbers masked, text XML-safe.

    :func:`notices.privacy.masked` masks the ``identifiers``; the same numbers are also
    printed in the text, in check messages, even inside other numbers (a disability
    certificate number is the holder's ID number and two digits), so every string of the
    record is swept, for the record's personal numbers and for anything shaped like a
    resident ID number whose check character holds.
    """
    personal = {i.value for i in _identifiers(record) if is_personal(i)}

    def shown(text: str) -> str:
        for number in personal:
            text = text.replace(number, mask_resident_id(number))
        return mask_text(xml_safe(text))

    shown_record = _mapped(masked(record), shown)
    if is_private_url(shown_record.source.url):
        source = dataclasses.replace(shown_record.source, url=None)
        shown_record = dataclasses.replace(shown_record, source=source)
    return shown_record


def is_private_url(url: str | None) -> bool:
    """Tell whether a URL names a file of the server (a directory source), not a public page."""
    return url is not None and not url.lower().startswith(("http://", "https://"))


def _identifiers(record: Record) -> tuple[Identifier, ...]:
    return record.identifiers if isinstance(record, LossDeclaration) else ()


def _mapped(value: _T, change: Callable[[str], str]) -> _T:
    """Apply ``change`` to every string in a record, however deep."""
    if isinstance(value, str):
        return change(value)  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(_mapped(v, change) for v in value)  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _mapped(getattr(value, f.name), change) for f in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    return value


def summary_rows(record: Record) -> list[tuple[str, str]]:
    """Return the structured fields worth showing, as (label, value) rows."""
    if isinstance(record, LossDeclaration):
        numbers = [f"{i.type} {i.value}" if i.type else i.value for i in record.identifiers]
        rows = [("声明人", record.holder), ("遗失", "、".join(record.documents))]
        rows += [("证号", "；".join(numbers)), ("声明作废", "是" if record.declared_void else "否")]
    else:
        rows = [("路线", "、".join(route_label(r) for r in record.routes))]
        rows += [("路段", stretches(record)), ("封闭", CLOSURE_WORDS[record.closure])]
        rows += [("时间", window_phrase(record.window, years=True) if record.window else "")]
        rows += [("绕行", record.detour.text if record.detour else "")]
    rows += [("发布", "、".join(record.issuers))]
    return [(label, value) for label, value in rows if value]


def fingerprint(record: Record) -> str:
    """Return a digest of what a record says; where it was read (``source``) is left out."""
    meaning = {k: v for k, v in to_dict(record).items() if k != "source"}
    canonical = json.dumps(meaning, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def categories(record: Record) -> tuple[Category, ...]:
    """Return an item's categories: its kind, its region, its roads."""
    found = [Category(record.kind, "urn:notices:kind", KIND_WORDS[record.kind])]
    if record.region:
        found.append(Category(record.region, "urn:notices:region", record.region))
    if isinstance(record, RoadClosure):
        found += [Category(r.key, "urn:notices:route", route_label(r)) for r in record.routes]
    return tuple(found)


def _definition_list(rows: Sequence[tuple[str, str]]) -> str:
    cells = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)
    return f"<dl>{cells}</dl>"


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())


def _source_link(url: str | None) -> str:
    return f'<p><a href="{html.escape(url)}">原文</a></p>' if url else ""
