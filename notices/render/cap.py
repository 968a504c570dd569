"""CAP 1.2 alerts for road closures, and an Atom index of them in the CAP-feed style.

One ``<alert>`` per closure. Its identifier joins the record id and a version
(``urn:notices:rc_…:3`` where the store counts revisions, else a digest of the record's
content), so a corrected or extended notice goes out under a new identifier as an
``Update`` whose ``<references>`` name the earlier message, and a cancelled one as a
``Cancel``. Sent is the edition date of the printing that made the revision (or a staff
edit's time); effective is never after expires.

Urgency, severity and certainty are read from the closure type and the window, at the
moment the message is sent (:func:`assess`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from lxml import etree

from notices.model import RoadClosure
from notices.render.times import expires, local, onset, stamp
from notices.render.titles import headline, route_label, stretches
from notices.render.view import FeedInfo, Item, fingerprint, public, xml_safe

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_TYPE = "application/cap+xml"
GEOCODE_NAME = "GB/T 2260"  # administrative division codes: 210500 is 本溪市
MsgType = Literal["Alert", "Update", "Cancel"]
_SOON = timedelta(hours=24)
_NOT_IN_SENDER = frozenset(" ,<&")


@dataclass(frozen=True)
class Assessment:
    """The three CAP judgements of an alert."""

    urgency: str
    severity: str
    certainty: str


def assess(record: RoadClosure, now: datetime) -> Assessment:
    """Judge urgency, severity and certainty of a closure as of ``now`` (the message's sent).

    - severity: a full closure (全幅封闭) → Moderate: traffic must take another road;
      half, partial closure or traffic control → Minor: the road stays passable.
    - urgency: the window has ended → Past; it has begun (and not ended) → Immediate;
      it begins within 24 hours → Expected; later → Future; no window → Unknown.
    - certainty: begun or ended → Observed; announced for later by the road authority →
      Likely; no window → Unknown.
    """
    severity = "Moderate" if record.closure == "full" else "Minor"
    if record.window is None:
        return Assessment("Unknown", severity, "Unknown")
    now = local(now)
    begins, ends = onset(record.window), expires(record.window)
    if ends is not None and ends <= now:
        return Assessment("Past", severity, "Observed")
    if begins <= now:
        return Assessment("Immediate", severity, "Observed")
    return Assessment("Expected" if begins - now <= _SOON else "Future", severity, "Likely")


def event(record: RoadClosure) -> str:
    """Return the CAP event: 交通管制 for traffic control, else 道路封闭."""
    return "交通管制" if record.closure == "control" else "道路封闭"


def identifier(record: RoadClosure, revision: int | None = None) -> str:
    """Return a message identifier: the record id and its revision (or content digest)."""
    version = str(revision) if revision is not None else fingerprint(record)[:12]
    return f"urn:notices:{record.id}:{version}"


def reference(sender: str, identifier: str, sent: datetime) -> str:
    """Return how a later message refers to this one: ``sender,identifier,sent``."""
    return f"{sender},{identifier},{stamp(sent)}"


def area_desc(record: RoadClosure) -> str:
    """Return the area in words: the region, then each closed stretch (else the roads)."""
    where = stretches(record) or "、".join(route_label(r) for r in record.routes)
    return " ".join(p for p in (record.region, where) if p) or headline(record)


def cap_message(
    record: RoadClosure,
    *,
    sender: str,
    sent: datetime,
    region_code: str | None,
    references: Sequence[str] = (),
    msg_type: MsgType = "Alert",
    revision: int | None = None,
) -> bytes:
    """Return one CAP 1.2 ``<alert>`` for a road closure."""
    if _NOT_IN_SENDER & set(sender):
        raise ValueError(f"CAP sender must not hold spaces, commas, < or &: {sender!r}")
    if msg_type != "Alert" and not references:
        raise ValueError(f"a CAP {msg_type} must reference the earlier message")
    shown = public(record)
    assert isinstance(shown, RoadClosure)
    alert = etree.Element(_cap("alert"), nsmap={None: CAP_NS})  # type: ignore[dict-item]
    _add(alert, "identifier", identifier(record, revision))
    _add(alert, "sender", sender)
    _add(alert, "sent", stamp(sent))
    _add(alert, "status", "Actual")
    _add(alert, "msgType", msg_type)
    _add(alert, "scope", "Public")
    _add(alert, "references", " ".join(references) or None)
    _info(alert, shown, sent, region_code or shown.region_code)
    return etree.tostring(alert, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def item_message(
    item: Item, *, sender: str, references: Sequence[str] = (), region_code: str | None = None
) -> bytes:
    """Return the CAP message of a stored closure as :func:`cap_index` lists it.

    Sent is the date the record took its present content (the edition that printed it);
    a message with references is an Update, or a Cancel once the closure is cancelled.
    """
    record = item.record
    if not isinstance(record, RoadClosure):
        raise TypeError(f"CAP alerts are for road closures, not {record.kind}")
    return cap_message(
        record,
        sender=sender,
        sent=item.updated_at,
        region_code=region_code,
        references=references,
        msg_type=msg_type(item, bool(references)),
        revision=item.revision,
    )


def msg_type(item: Item, refers: bool = True) -> MsgType:
    """Return an item's message type: Alert first, then Update, Cancel once cancelled."""
    if not refers or (item.revision or 1) < 2:
        return "Alert"
    # a closure merged into another is withdrawn: its messages go on under the other's id
    return "Cancel" if item.status in ("cancelled", "superseded") else "Update"


def _info(alert: etree._Element, record: RoadClosure, sent: datetime, code: str | None) -> None:
    judged = assess(record, sent)
    info = _node(alert, "info")
    _add(info, "language", "zh-CN")
    _add(info, "category", "Transport")
    _add(info, "event", event(record))
    _add(info, "responseType", "Avoid" if record.closure == "full" else "Monitor")
    _add(info, "urgency", judged.urgency)
    _add(info, "severity", judged.severity)
    _add(info, "certainty", judged.certainty)
    _add(info, "effective", stamp(effective(record, sent)))
    _add(info, "onset", stamp(onset(record.window)) if record.window else None)
    _add(info, "expires", _expires(record))
    _add(info, "senderName", "、".join(record.issuers) or None)
    _add(info, "headline", headline(record))
    _add(info, "description", record.text)
    _add(info, "instruction", record.detour.text if record.detour else None)
    _add(info, "web", record.source.url)
    area = _node(info, "area")
    _add(area, "areaDesc", area_desc(record))
    if code:
        geocode = _node(area, "geocode")
        _add(geocode, "valueName", GEOCODE_NAME)
        _add(geocode, "value", code)


def effective(record: RoadClosure, sent: datetime) -> datetime:
    """Return when the message takes effect: when sent, but never after the closure expires."""
    end = expires(record.window) if record.window else None
    return sent if end is None else min(sent, end)


def _expires(record: RoadClosure) -> str | None:
    end = expires(record.window) if record.window else None
    return stamp(end) if end else None


def cap_index(feed: FeedInfo, messages: Sequence[tuple[Item, str]]) -> bytes:
    """Return an Atom feed listing CAP messages (item, message URL) with ``cap:`` summaries.

    Each entry describes the message :func:`item_message` makes: sent when the record took
    its present content, an Update from the store's second revision on.
    """
    namespaces = {None: ATOM_NS, "cap": CAP_NS}
    root = etree.Element(_atom("feed"), nsmap=namespaces)  # type: ignore[arg-type]
    _add_atom(root, "id", feed.id)
    _add_atom(root, "title", feed.title)
    _add_atom(root, "subtitle", feed.description)
    _add_atom(root, "updated", stamp(feed.updated))
    etree.SubElement(root, _atom("link"), rel="self", href=xml_safe(feed.self_url))
    etree.SubElement(root, _atom("link"), rel="alternate", href=xml_safe(feed.link))
    _add_atom(_node(root, "author", ATOM_NS), "name", feed.author)
    _add_atom(root, "generator", "notices")
    for item, url in messages:
        if isinstance(item.record, RoadClosure):
            _index_entry(root, item, url)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _index_entry(root: etree._Element, item: Item, url: str) -> None:
    record = public(item.record)
    assert isinstance(record, RoadClosure) and isinstance(item.record, RoadClosure)
    sent = item.updated_at
    judged = assess(record, sent)
    entry = _node(root, "entry", ATOM_NS)
    _add_atom(entry, "id", identifier(item.record, item.revision))
    _add_atom(entry, "title", headline(record))
    _add_atom(entry, "updated", stamp(sent))
    _add_atom(entry, "published", stamp(item.published_at))
    etree.SubElement(entry, _atom("link"), rel="alternate", type=CAP_TYPE, href=xml_safe(url))
    _add_atom(entry, "summary", area_desc(record))
    _add(entry, "event", event(record))
    _add(entry, "effective", stamp(effective(record, sent)))
    _add(entry, "expires", _expires(record))
    _add(entry, "status", "Actual")
    _add(entry, "msgType", msg_type(item))
    _add(entry, "category", "Transport")
    _add(entry, "urgency", judged.urgency)
    _add(entry, "severity", judged.severity)
    _add(entry, "certainty", judged.certainty)
    _add(entry, "areaDesc", area_desc(record))
    if record.region_code:
        geocode = _node(entry, "geocode")
        _add(geocode, "valueName", GEOCODE_NAME)
        _add(geocode, "value", record.region_code)


def _cap(tag: str) -> str:
    return f"{{{CAP_NS}}}{tag}"


def _atom(tag: str) -> str:
    return f"{{{ATOM_NS}}}{tag}"


def _add(parent: etree._Element, tag: str, text: str | None) -> None:
    """Append a CAP element with its text; an optional one whose text is None is left out."""
    if text is not None:
        etree.SubElement(parent, _cap(tag)).text = xml_safe(text)


def _add_atom(parent: etree._Element, tag: str, text: str) -> None:
    etree.SubElement(parent, _atom(tag)).text = xml_safe(text)


def _node(parent: etree._Element, tag: str, namespace: str = CAP_NS) -> etree._Element:
    return etree.SubElement(parent, f"{{{namespace}}}{tag}")
