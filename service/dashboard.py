"""The dashboard at ``/``: closures now and this week, loss declarations, sources, notices.

Server-rendered from the same store and filters as the API and the feeds (``route``,
``region``, ``publication`` in the query string, so a view can be shared), every record
the public one (:func:`notices.render.view.public`: resident ID numbers masked). Templates
are Jinja with autoescape on; the pages work without JavaScript, and a Content Security
Policy lets only our own script and style run, so that an escaping slip would still run
nothing. Errors on these pages are pages, not problem documents.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from werkzeug.exceptions import BadRequest, HTTPException, NotFound

from notices.errors import ConfigError
from notices.identifiers import looks_like_resident_id
from notices.privacy import mask_resident_id
from notices.render.lines import (
    Closure,
    Declaration,
    closure_line,
    declaration_line,
    fields,
    web_url,
)
from notices.render.marks import MARKS, marked_runs
from notices.render.timeline import days_around, timeline
from notices.render.times import local
from notices.render.titles import headline
from notices.render.view import public
from notices.serialize import from_dict
from notices.sources import Source
from notices.store import Facets, NoticeQuery, Run, Store
from service.db import configured_sources, get_store
from service.params import ParameterError, parse_date
from service.problems import Problem

bp = Blueprint("dashboard", __name__)

FILTERS = {"region": "地区", "route": "道路", "publication": "报纸"}
Filters = dict[str, Any]  # the FILTERS the query string sets, by name: as URL arguments
WEEK = 7
SHOWN = 50  # closures listed at most
ON_TIMELINE = 30  # closures drawn at most
RECENT = 10  # closures shown when none is near
LATEST_LOSSES = 10
FOUND_LOSSES = 50
RUNS_SHOWN = 3
MAX_SPAN = 40  # days the timeline may reach from the day shown
_MAX_TEXT = 200
_CONTROL = re.compile("[\x00-\x1f\x7f]")
_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    """Serve the dashboard, its templates compiled now: a first visitor should not wait ~60 ms."""
    app.register_blueprint(bp)
    for name in app.jinja_env.list_templates(filter_func=lambda n: n.startswith("dashboard/")):
        app.jinja_env.get_template(name)


# ── what the sources section shows ─────────────────────────────────────────────────


@dataclass(frozen=True)
class SourceState:
    """A source, its last runs, and when it last gave a page."""

    name: str
    publication: str | None
    region: str | None
    schedule: str
    last_page: datetime | None
    stale: bool
    runs: list[Run]
    configured: bool


# ── reading the request ────────────────────────────────────────────────────────────


def _text(name: str) -> str | None:
    value = request.args.get(name) or None
    if value is not None and (len(value) > _MAX_TEXT or _CONTROL.search(value)):
        raise BadRequest(f"{name}：不能超过{_MAX_TEXT}个字符，也不能含控制字符")
    return value


def _filters() -> Filters:
    """The filters the query string holds, by name."""
    return {name: value for name in FILTERS if (value := _text(name)) is not None}


def _today() -> date:
    """The day the view is for: ``at`` (a date) or today in Asia/Shanghai."""
    value = _text("at")
    if value is None:
        return local(datetime.now(UTC)).date()
    try:
        day = parse_date("at", value)
    except ParameterError as exc:
        raise BadRequest(f"at：{value!r} 不是 2025-07-08 这样的日期") from exc
    if not date.min + timedelta(days=MAX_SPAN) < day < date.max - timedelta(days=MAX_SPAN):
        raise BadRequest("at：日期超出范围")  # the timeline reaches a month either side
    return day


# ── records as lines ───────────────────────────────────────────────────────────────


def _public(row: dict[str, Any]) -> Any:
    return public(from_dict(row))


def _closure(row: dict[str, Any], today: date) -> Closure:
    return closure_line(_public(row), today)


def _declaration(row: dict[str, Any]) -> Declaration:
    return declaration_line(_public(row), datetime.fromisoformat(row["first_seen"]))


# ── the first view ─────────────────────────────────────────────────────────────────


@bp.get("/")
def index() -> str:
    """Show closures now and this week, the latest loss declarations and the sources."""
    today, filters = _today(), _filters()
    store = get_store()
    near = _near(store, filters, today)
    closures = near or _recent(store, filters, today)
    drawn = [c.record for c in closures[:ON_TIMELINE]]
    first, count = (today - timedelta(days=1), WEEK + 2) if near else days_around(drawn, today)
    return render_template(
        "dashboard/index.html",
        today=today,
        filters=filters,
        near=near,
        closures=closures,
        timeline=timeline(drawn, first, count, today),
        facets=_facets(store),
        feeds=_feed_links(filters),
        losses=_losses(store, filters),
        sources=_sources(store),
    )


def _query(filters: Filters, **fields: Any) -> NoticeQuery:
    chosen = {name: filters.get(name) for name in FILTERS}
    return NoticeQuery(route=chosen["route"], region=chosen["region"],
                       publication=chosen["publication"], **fields)  # fmt: skip


def _near(store: Store, filters: Filters, today: date) -> list[Closure]:
    """The closures in force today or starting within a week: in force first, then by start."""
    query = _query(filters, kind="road_closure", active_on=today,
                   active_until=today + timedelta(days=WEEK), limit=SHOWN)  # fmt: skip
    closures = [_closure(row, today) for row in store.query(query)]
    return sorted(closures, key=lambda c: (not c.in_force, _start(c), c.record.id))


def _recent(store: Store, filters: Filters, today: date) -> list[Closure]:
    """The closures seen last, latest window first: what to show when none is near."""
    query = _query(filters, kind="road_closure", limit=RECENT)
    closures = [_closure(row, today) for row in store.query(query)]
    return sorted(closures, key=lambda c: (_start(c), c.record.id), reverse=True)


def _start(closure: Closure) -> date:
    return closure.record.window.start if closure.record.window else date.min


def _facets(store: Store) -> Facets:
    """The filter values of road closures, counted again only when the store has changed."""
    version = store.version("road_closure")  # one row read; the counts scan every closure
    cached: tuple[Any, Facets] | None = current_app.extensions.get("notices.facets")
    if cached is None or cached[0] != version:
        cached = (version, store.facets("road_closure"))
        current_app.extensions["notices.facets"] = cached
    return cached[1]


def _feed_links(filters: Filters) -> list[tuple[str, str]]:
    """The feeds of the same view: RSS, Atom, JSON Feed, iCalendar."""
    links = [
        (label, url_for("feeds.feed", name="road-closures", fmt=fmt, **filters))
        for label, fmt in (("RSS", "rss"), ("Atom", "atom"), ("JSON Feed", "json"))
    ]
    return [*links, ("iCalendar", url_for("feeds.ics", **filters))]


def _losses(store: Store, filters: Filters) -> list[Declaration]:
    """The latest loss declarations of the region and publication chosen (roads don't apply)."""
    kept = {k: v for k, v in filters.items() if k != "route"}
    rows = store.query(_query(kept, kind="loss_declaration", limit=LATEST_LOSSES))
    return [_declaration(row) for row in rows]


def _sources(store: Store) -> tuple[list[SourceState], str | None]:
    """Each configured source (and any other that gave pages), or why the file is unreadable."""
    error = None
    try:
        configured = configured_sources()
    except ConfigError as exc:
        current_app.logger.error("sources file: %s", exc)
        configured, error = [], "来源配置文件无法读取"
    last_pages = store.last_pages()
    now = datetime.now(UTC)
    states = [_source_state(s, store, last_pages.get(s.name), now) for s in configured]
    named = {s.name for s in configured}
    states += [
        SourceState(name, None, None, "手动", seen, False, store.runs(name, RUNS_SHOWN), False)
        for name, seen in sorted(last_pages.items())
        if name not in named
    ]
    return states, error


def _source_state(
    source: Source, store: Store, last: datetime | None, now: datetime
) -> SourceState:
    schedule = source.schedule
    every = schedule.cron or f"每{_duration(schedule.seconds)}"
    stale = last is None or (now - last).total_seconds() > 2 * max(schedule.seconds, 24 * 3600)
    runs = store.runs(source.name, RUNS_SHOWN)
    return SourceState(source.name, source.publication, source.region, every, last, stale,
                       runs, True)  # fmt: skip


def _duration(seconds: float) -> str:
    """A span in words: 45秒, 30分钟, 6小时, 3天."""
    for unit, size in (("天", 86400), ("小时", 3600), ("分钟", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}秒"


# ── the lookup ─────────────────────────────────────────────────────────────────────


@bp.get("/lookup")
def lookup() -> str:
    """Find loss declarations by holder name, or by a full identifier (exact match)."""
    asked = (_text("q") or "").strip()
    found: list[Declaration] = []
    shown = asked
    if asked:
        found = _looked_up(get_store(), asked)
        compact = "".join(asked.split()).upper()
        if looks_like_resident_id(compact):
            shown = mask_resident_id(compact)
    return render_template("dashboard/lookup.html", asked=shown, found=found, searched=bool(asked))


def _looked_up(store: Store, asked: str) -> list[Declaration]:
    """Declarations naming this exact identifier, then those whose holder's name holds it."""
    key = str(current_app.config["IDENTIFIER_KEY"]).encode()
    rows = store.find_identifier("".join(asked.split()).upper(), key)
    named = NoticeQuery(kind="loss_declaration", holder=asked, limit=FOUND_LOSSES)
    seen = {row["id"] for row in rows}
    rows += [row for row in store.query(named) if row["id"] not in seen]
    return [_declaration(row) for row in rows[:FOUND_LOSSES]]


# ── one notice ─────────────────────────────────────────────────────────────────────


@bp.get("/notices/<notice_id>")
def notice(notice_id: str) -> str:
    """Show one notice: its fields beside its text, parts marked; checks, warnings, sightings."""
    row = get_store().notice(notice_id)
    if row is None:
        raise NotFound("没有这条公告")
    record = _public(row)
    runs = marked_runs(record)
    legend = [(mark, label) for mark, label in MARKS.items() if any(mark in r.marks for r in runs)]
    sightings = [
        s | {"link": web_url(s["url"]), "fetched": datetime.fromisoformat(s["fetched_at"])}
        for s in row["sightings"]
    ]
    return render_template(
        "dashboard/notice.html",
        record=record,
        row=row,
        headline=headline(record),
        fields=fields(record),
        runs=runs,
        legend=legend,
        sightings=sightings,
        changed=datetime.fromisoformat(row["changed_at"]),
        source_url=web_url(record.source.url),
    )


# ── around every page ──────────────────────────────────────────────────────────────


@bp.app_template_filter("moment")
def moment_filter(value: datetime | None) -> str:
    """Print a moment in Asia/Shanghai with its offset: 2025-07-08 15:00 +08:00."""
    return local(value).strftime("%Y-%m-%d %H:%M %z").replace("+0800", "+08:00") if value else "—"


@bp.app_template_filter("moment_iso")
def moment_iso_filter(value: datetime) -> str:
    """Give a moment as ISO 8601 in Asia/Shanghai, for a ``<time datetime>``."""
    return local(value).isoformat()


@bp.app_template_filter("age")
def age_filter(value: datetime | None) -> str:
    """Say how long ago a moment was: 3小时前."""
    if value is None:
        return "从未"
    seconds = (datetime.now(UTC) - value).total_seconds()
    return "刚刚" if seconds < 60 else f"{_duration(seconds)}前"


@bp.app_template_global()
def filter_url(filters: Filters, name: str, value: str | None) -> str:
    """Return the dashboard's URL with one filter set (or, given None, dropped)."""
    chosen = {k: v for k, v in filters.items() if k != name}
    if value is not None:
        chosen[name] = value
    return url_for("dashboard.index", **chosen)


@bp.errorhandler(HTTPException)
def _error(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    return render_template("dashboard/error.html", error=error, status=status), status


@bp.errorhandler(Problem)
def _refused(error: Problem) -> tuple[str, int]:
    """What the service's guard refused before the page was asked (service.guard), as a page."""
    words = _REFUSALS.get(error.slug, "请求有误")
    shown = BadRequest(f"{words}（{error.detail}）")
    return render_template("dashboard/error.html", error=shown, status=error.status), error.status


_REFUSALS = {
    "invalid-parameter": "参数不能含控制字符，也不能过长",
    "rate-limited": "请求过于频繁，请稍后再试",
    "not-found": "没有这个页面",
}


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = _POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    return response
