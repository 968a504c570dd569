"""Feeds: RSS 2.0, Atom and JSON Feed over one query; CAP 1.2 alerts; iCalendar.

The format is chosen by the URL's extension from the renderer registry
(:data:`notices.render.RENDERERS`), so a new format is one function there. Every response
carries an ``ETag`` and ``Last-Modified`` derived from the store's version and answers
``304 Not Modified`` to a client that has it; rendered bodies are kept per version, so a
feed is rendered once per change, not once per request. ``Cache-Control: max-age`` follows
the shortest ingest schedule: nothing new can appear sooner.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Blueprint, Response, abort, current_app, request

from notices.errors import ConfigError
from notices.model import RoadClosure
from notices.render import RENDERERS, FeedInfo, Item
from notices.render.cap import cap_index, item_message, reference
from notices.render.cap import identifier as cap_identifier
from notices.render.ical import calendar
from notices.serialize import from_dict
from notices.store import SHANGHAI as CHINA
from notices.store import NoticeQuery
from service.answers import Answers, kept, version
from service.db import configured_sources, get_store
from service.params import ParameterError, notice_query
from service.replay import mark

bp = Blueprint("feeds", __name__)

FEEDS = {
    "road-closures": ("road_closure", "道路封闭通告"),
    "loss-declarations": ("loss_declaration", "遗失声明"),
    "all": (None, "公告"),
}
_NOTICE_ID = re.compile(r"[a-z]{2}_[0-9a-f]{20}")  # anything else is unknown, unasked
_CACHE_SIZE = 256
_CACHE_BYTES = 64 * 1024 * 1024  # a worker keeps this much of rendered feeds at most
_MIN_AGE, _MAX_AGE = 60, 3600


Renderer = Callable[[], tuple[bytes, str]]  # → (body, content type)




def _parse_time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def item(row: dict[str, Any]) -> Item:
    """A stored notice as the renderers take it."""
    base = current_app.config["BASE_URL"].rstrip("/")
    first = _parse_time(row.get("first_seen")) or datetime.now(UTC)
    return Item(
        record=from_dict(row),
        source_url=(row.get("source") or {}).get("url"),
        first_seen=first,
        last_seen=_parse_time(row.get("last_seen")) or first,
        link=f"{base}/api/v1/notices/{row['id']}",
        changed=_parse_time(row.get("changed_at")),
        revision=row.get("revision"),
        published=_edition_day(row.get("published_on")),
        updated=_parse_time(row.get("updated_at")),
        status=row.get("status") or "active",
    )


def _edition_day(value: Any) -> datetime | None:
    """An edition's date as the moment it came out: 00:00 that day, Asia/Shanghai."""
    if not isinstance(value, str):
        return None
    return datetime.combine(date.fromisoformat(value), datetime.min.time(), CHINA)


def _max_age() -> int:
    """Seconds a client may keep a feed: the shortest ingest schedule, read once per app."""
    cached: int | None = current_app.extensions.get("notices.max_age")
    if cached is None:
        try:
            seconds = min((s.schedule.seconds for s in configured_sources()), default=_MAX_AGE)
        except ConfigError:
            seconds = _MIN_AGE
        cached = int(max(_MIN_AGE, min(_MAX_AGE, seconds)))
        current_app.extensions["notices.max_age"] = cached
    return cached


def conditional(kind: str | None, render: Renderer) -> Response:
    """Answer with the rendered body, or 304 when the client's copy is current.

    The 304 is told before anything else is done: ``render`` reads the query string (a bad
    one is a 400 it raises), but a client holds an ETag of this URL only if it was answered.
    """
    count, latest = version(kind)
    mark(kind, (count, latest))  # the same URL and headers get this answer until it moves
    stamp = (latest or datetime(1970, 1, 1, tzinfo=UTC)).astimezone(UTC).replace(microsecond=0)
    named = f"{request.full_path}|{count}|{stamp.isoformat()}"
    tag = hashlib.sha256(named.encode()).hexdigest()[:32]
    response = Response(status=200)
    response.set_etag(tag)
    response.last_modified = stamp
    response.cache_control.public = True
    response.cache_control.max_age = _max_age()
    since = request.if_modified_since
    if request.if_none_match.contains(tag) or (
        not request.if_none_match and since is not None and since >= stamp
    ):
        response.status_code = 304
        return response
    # Rendered bodies by (URL, ETag): a feed is rendered once per change of the store.
    bodies: Answers[tuple[bytes, str]] = kept("feeds", _CACHE_BYTES, _CACHE_SIZE,
                                              lambda b: len(b[0]))  # fmt: skip
    body, content_type = bodies.get((request.full_path, tag), render)
    response.set_data(body)
    response.content_type = content_type
    return response


def _feed_info(title: str, updated: datetime) -> FeedInfo:
    base = current_app.config["BASE_URL"].rstrip("/")
    return FeedInfo(
        title=title,
        link=f"{base}/",
        self_url=f"{base}{request.full_path.rstrip('?')}",
        id=f"urn:notices:feed:{request.path}",
        description=f"{title}：从报纸版面读出的公告",
        updated=updated,
    )


def _query(kind: str | None, default_limit: int = 50) -> NoticeQuery:
    """The request's filters; a bad one is a 400 problem naming it."""
    try:
        return notice_query(request.args, kind=kind, default_limit=default_limit)
    except ParameterError as exc:
        abort(400, description=str(exc))


def _items(query: NoticeQuery) -> list[Item]:
    return [item(row) for row in get_store().query(query)]


@bp.get("/feeds/<any('road-closures', 'loss-declarations', 'all'):name>.<any(rss, atom, json):fmt>")
def feed(name: str, fmt: str) -> Response:
    """A feed of notices, filtered by the query string, as RSS, Atom or JSON Feed."""
    kind, title = FEEDS[name]

    def render() -> tuple[bytes, str]:
        items = _items(_query(kind))
        updated = max((i.updated_at for i in items), default=datetime.now(UTC))
        rendered = RENDERERS[fmt](_feed_info(title, updated), items)
        return rendered.body, rendered.content_type

    return conditional(kind, render)


@bp.get("/feeds/road-closures.ics")
def ics() -> Response:
    """Road closures as an iCalendar: events, daily hours as a daily recurrence."""
    def render() -> tuple[bytes, str]:
        items = _items(_query("road_closure", default_limit=200))
        updated = max((i.updated_at for i in items), default=datetime(1970, 1, 1, tzinfo=UTC))
        body = calendar(items, now=updated, refresh=timedelta(seconds=_max_age()))
        return body, "text/calendar; charset=utf-8"

    return conditional("road_closure", render)


def _references(entry: Item, revisions: list[dict[str, Any]]) -> tuple[str, ...]:
    """An Update or Cancel refers to the message of the revision before: sender,identifier,sent."""
    earlier = [r for r in revisions if r["revision"] == (entry.revision or 1) - 1]
    if not earlier:
        return ()
    assert isinstance(entry.record, RoadClosure)
    before = earlier[0]
    sent = max(datetime.fromisoformat(before["updated_at"]), entry.published_at)
    message = cap_identifier(entry.record, before["revision"])
    return (reference(current_app.config["SENDER"], message, sent),)


@bp.get("/cap/<notice_id>.xml")
def cap(notice_id: str) -> Response:
    """One road closure as a CAP 1.2 alert (an Update when the notice has changed)."""
    row = get_store().notice(notice_id) if _NOTICE_ID.fullmatch(notice_id) else None
    if row is None or row.get("kind") != "road_closure":
        abort(404, description=f"no road closure {notice_id!r}")

    def render() -> tuple[bytes, str]:
        entry = item(row)
        references = _references(entry, row.get("revisions") or [])
        body = item_message(entry, sender=current_app.config["SENDER"], references=references)
        return body, "application/cap+xml; charset=utf-8"

    return conditional("road_closure", render)


@bp.get("/cap/index.atom")
def cap_feed() -> Response:
    """The CAP alerts of the road closures, as an Atom index in the CAP-feed style."""
    base = current_app.config["BASE_URL"].rstrip("/")

    def render() -> tuple[bytes, str]:
        items = _items(_query("road_closure"))
        updated = max((i.updated_at for i in items), default=datetime.now(UTC))
        messages = [(i, f"{base}/cap/{i.record.id}.xml") for i in items]
        body = cap_index(_feed_info("道路封闭预警", updated), messages)
        return body, "application/atom+xml; charset=utf-8"

    return conditional("road_closure", render)
