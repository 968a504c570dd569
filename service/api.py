"""The JSON API under ``/api/v1``, described by the OpenAPI document it serves.

Every record it returns is the public one (:func:`notices.render.view.public`): resident
ID numbers masked wherever they are printed. ``POST /parse`` is the exception: it stores
nothing and answers what the caller sent, as ``notices parse`` prints it. Errors are
problem documents (:mod:`service.problems`); GETs are open to every origin (CORS), but
the identifier lookup, which is rate-limited per client (:mod:`service.guard`) and which
no other site's page should make on its visitors' behalf. ``POST /parse`` is limited per
client too, and in the CPU time it may spend.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, json, request
from sqlalchemy.exc import SQLAlchemyError

from notices.budget import cpu_budget
from notices.errors import ConfigError, OverBudget
from notices.identifiers import looks_like_resident_id
from notices.model import Daily, Record, RoadClosure, Window
from notices.parse import parse_page
from notices.privacy import identifier_digest, mask_resident_id
from notices.published import dumps
from notices.render.times import expires, local, onset
from notices.road_phrases import stake
from notices.serialize import from_dict, from_plain, to_dict
from notices.sources import Source
from notices.store import SHANGHAI as CHINA
from notices.store import NoticeQuery, Run, Store
from notices.tables import closure_windows, road_keys
from service import openapi
from service.answers import Answers, Version, kept, version
from service.db import configured_sources, get_store
from service.guard import limit
from service.params import LOOKUP_LIMIT, ParameterError, notice_query, parse_date, parse_limit
from service.problems import InvalidParameter, NotFound, Problem
from service.replay import mark

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# What the store adds to a record: when and where it was seen, and its revisions.
_STORED = ("first_seen", "last_seen", "sightings", "revision", "updated_at", "status",
           "published_on", "cancelled_on", "superseded_by", "changed_at", "previous_changed_at",
           "revisions")  # fmt: skip
_CURSOR = re.compile(r"[a-z]{2}_[0-9a-f]{20}")
_STAKE = r"[Kk]?\d{1,5}(?:\.\d{1,3})?(?:\+\d{1,4})?"
_STRETCH = re.compile(rf"({_STAKE})(?:\.\.({_STAKE}))?")
_CONTROL = re.compile("[\x00-\x1f\x7f]")  # PostgreSQL refuses NUL in text
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MAX_TEXT = 200  # longest filter value or identifier read
_CACHE_SIZE = 1024
_CACHE_BYTES = 64 * 1024 * 1024  # a worker keeps this much of its answers at most
_RUNS_SHOWN = 5
_CORS_METHODS = ("GET", "HEAD", "OPTIONS")
_NO_CORS = ("/loss-declarations/lookup",)  # paths under the prefix closed to other origins
_BODY_CHUNK = 64 * 1024
_FILE_URL = re.compile(r"file://[^\s:]*/([^/\s:]+)")  # a server's path: only its name is told


# ── reading parameters ─────────────────────────────────────────────────────────────


def _text(name: str, *, required: bool = False) -> str | None:
    value = request.args.get(name) or None
    if value is None and required:
        raise InvalidParameter(name, f"{name} is required")
    if value is not None and len(value) > _MAX_TEXT:
        raise InvalidParameter(name, f"{name} is longer than {_MAX_TEXT} characters")
    if value is not None and _CONTROL.search(value):
        raise InvalidParameter(name, f"{name} holds control characters")
    return value


def _refuse_empty(*names: str) -> None:
    """An empty typed parameter is an error, not a missing one (a text filter may be empty)."""
    for name in names:
        if request.args.get(name) == "":
            raise InvalidParameter(name, f"{name} is empty")


def _query() -> NoticeQuery:
    """The list filters of the query string (see service.params), checked further here."""
    for name in ("route", "region", "publication", "issuer", "q"):
        _text(name)
    _refuse_empty("active_on", "since", "cursor")
    try:
        query = notice_query(request.args)
    except ParameterError as exc:
        raise InvalidParameter(exc.name, str(exc)) from exc
    return query


def _known(cursor: str) -> bool:
    return bool(_CURSOR.fullmatch(cursor)) and get_store().has_notice(cursor)


# ── answers ────────────────────────────────────────────────────────────────────────


def _json(body: Any, status: int = 200) -> Response:
    """Answer JSON in UTF-8, keys in the record's order (the spec's), not sorted."""
    text = json.dumps(body, ensure_ascii=False, sort_keys=False)
    return Response(text, status=status, mimetype="application/json")


def _page(name: str, texts: list[str], following: str | None, **fields: Any) -> str:
    """A page's JSON: ``fields``, then the stored texts as the list ``name``, then ``next``."""
    head = "".join(f"{dumps(key)}: {dumps(value)}, " for key, value in fields.items())
    return f'{{{head}"{name}": [{", ".join(texts)}], "next": {dumps(following)}}}'


Made = tuple[str, str | None]  # an answer's JSON text, and the URL of the page after it
Kept = tuple[bytes, str, str | None]  # its UTF-8, kept so that no request encodes it; its ETag


def _conditional(make: Callable[[], Made], *, keep: bool = True) -> Response:
    """Answer JSON made once per URL and store version, with its ETag; 304 if the client has it.

    ``keep=False`` for an answer that depends on the clock too (closures in force now).
    """
    made = _tagged(make)
    keep = keep and str(current_app.config.get("ANSWER_CACHE", "1")) != "0"  # 0: benchmarks
    if keep:
        answers: Answers[Kept] = kept("api", _CACHE_BYTES, _CACHE_SIZE, lambda k: len(k[0]))
        current = version(None)
        body, tag, following = answers.get((request.full_path, current), made)
        mark(None, current)  # the same URL and headers get this answer until the store moves
    else:
        body, tag, following = made()
    response = Response(body, mimetype="application/json")
    response.set_etag(tag)
    response.cache_control.no_cache = True
    if following:
        response.headers["Link"] = f'<{following}>; rel="next"'
    response.make_conditional(request.environ)
    return response


def _tagged(make: Callable[[], Made]) -> Callable[[], Kept]:
    def tagged() -> Kept:
        text, following = make()
        body = text.encode()
        return body, hashlib.sha1(body, usedforsecurity=False).hexdigest(), following

    return tagged


def _paged(texts: list[tuple[str, str]], limit: int) -> tuple[list[str], str | None]:
    """The page of ``limit`` texts out of ``limit + 1`` read, and the URL of the next one."""
    page = texts[:limit]
    return [text for _, text in page], _page_url(page[-1][0]) if len(texts) > limit else None


def _limit(default: int) -> int:
    _refuse_empty("limit")
    try:
        return parse_limit(request.args.get("limit"), default)
    except ParameterError as exc:
        raise InvalidParameter(exc.name, str(exc)) from exc


def _cursor() -> str | None:
    """The cursor of a page after the first: an id this API gave (it need not still exist)."""
    _refuse_empty("cursor")
    cursor = request.args.get("cursor") or None
    if cursor is not None and not _CURSOR.fullmatch(cursor):
        raise InvalidParameter("cursor", "cursor is not one this API gave")
    return cursor


# ── notices ────────────────────────────────────────────────────────────────────────


@bp.get("/notices")
def list_notices() -> Response:
    """List notices, newest first, a page at a time."""

    def make() -> Made:  # a kept answer's query string was read once, when it was made
        query = _query()
        if query.after is not None and not _known(query.after):
            raise InvalidParameter("cursor", "cursor is not one this API gave")
        found = get_store().published_page(replace(query, limit=query.limit + 1))
        texts, following = _paged(found, query.limit)
        return _page("items", texts, following), following

    return _conditional(make)


def _page_url(cursor: str) -> str:
    args = request.args.to_dict(flat=False) | {"cursor": [cursor]}
    base = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}{request.path}?{urlencode(args, doseq=True)}"


@bp.get("/notices/<notice_id>")
def get_notice(notice_id: str) -> Response:
    """Return one notice."""
    # Ids are of one shape: anything else is unknown, and never reaches the database.

    def make() -> Made:
        text = get_store().published_notice(notice_id) if _CURSOR.fullmatch(notice_id) else None
        if text is None:
            raise NotFound(f"no notice {notice_id!r}")
        return text, None

    return _conditional(make)


# ── road closures in force ─────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Stretch:
    """A stretch of one road between two stakes, in metres."""

    route: str
    first: int
    last: int


@bp.get("/road-closures/active")
def active_closures() -> Response:
    """Return the road closures in force at a moment, or on a stretch of road, or both: a page."""
    now = not request.args.get("at") and not request.args.get("stake")

    def make() -> Made:  # a kept answer's query string was read once, when it was made
        stretch = _stretch()
        moment: date | None = _moment("at")
        if moment is None and stretch is None:
            moment = local(datetime.now(UTC))
        limit, after = _limit(50), _cursor()
        query = _candidates(moment, stretch, after, limit)
        texts, following = _paged(_in_force(get_store(), query, moment, stretch, limit), limit)
        shown = moment.isoformat() if moment else None
        return _page("items", texts, following, at=shown), following

    return _conditional(make, keep=not now)


def _candidates(
    moment: date | None, stretch: Stretch | None, after: str | None, limit: int
) -> NoticeQuery:
    """The closures whose window may hold ``moment`` (and on the stretch's road), newest first."""
    first = last = None
    if isinstance(moment, datetime):  # a night's hours run into the next morning
        first, last = moment.date() - timedelta(days=1), moment.date()
    elif moment is not None:
        first = last = moment
    route = stretch.route if stretch else None
    # Windows are small: read twice a page of them at a time, as some are not in force.
    batch = limit + 1 if stretch else 2 * (limit + 1)
    return NoticeQuery(kind="road_closure", route=route, active_on=first, active_until=last,
                       limit=batch, after=after)  # fmt: skip


def _in_force(
    store: Store, query: NoticeQuery, moment: date | None, stretch: Stretch | None, limit: int
) -> list[tuple[str, str]]:
    """Read candidates' windows a batch at a time until ``limit + 1`` are in force; their texts."""
    found: list[str] = []
    while True:
        batch = store.closures_from(query, whole=stretch is not None)
        for notice_id, row in batch:
            # Only a stretch needs the whole record: the windows alone say if it is in force.
            if (
                (moment is None or _holds(windows(row), moment))
                and (stretch is None or on_stretch(from_dict(row), stretch))
                and not lifted(row, moment)
            ):
                found.append(notice_id)
                if len(found) > limit:
                    return store.published_texts(found)
        if len(batch) < query.limit:
            return store.published_texts(found)
        query = replace(query, after=batch[-1][0])


def _moment(name: str) -> date | None:
    """A date (the whole day) or a moment (naive: Asia/Shanghai), as local time."""
    _refuse_empty(name)
    value = _text(name)
    if value is None:
        return None
    try:
        if _DAY.fullmatch(value):
            return parse_date(name, value)
        moment = datetime.fromisoformat(value)
        # A fixed +08:00: the tz database gives old dates Shanghai's local mean time.
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=CHINA)).astimezone(CHINA)
    except ParameterError as exc:
        raise InvalidParameter(exc.name, str(exc)) from exc
    except ValueError as exc:
        detail = f"{name}: {value!r} is not a time like 2025-07-08T08:00+08:00"
        raise InvalidParameter(name, detail) from exc
    except OverflowError as exc:
        raise InvalidParameter(name, f"{name} is out of range") from exc
    if not date.min < moment.date() < date.max:  # the day before and after must exist
        raise InvalidParameter(name, f"{name} is out of range")
    return moment


def _stretch() -> Stretch | None:
    _refuse_empty("stake")
    value, route = _text("stake"), _text("route")
    if value is None:
        return None
    match = _STRETCH.fullmatch(value)
    if match is None:
        raise InvalidParameter("stake", "stake must be a stake or a range like K120..K130+500")
    if route is None:
        raise InvalidParameter("route", "route is required with a stake: the road it is on")
    ends = sorted(stake(text).m for text in match.groups() if text)
    return Stretch(route, ends[0], ends[-1])


def in_force(record: Record, moment: date) -> bool:
    """Tell whether a closure applies on a day (any hour of it) or at a moment."""
    if not isinstance(record, RoadClosure):
        return False
    return _holds(record.windows or ((record.window,) if record.window else ()), moment)


def windows(row: dict[str, Any]) -> tuple[Window, ...]:
    """The windows of a stored closure, read without rebuilding the rest of its record."""
    return tuple(from_plain(Window, window) for window in closure_windows(row))


def _holds(windows: tuple[Window, ...], moment: date) -> bool:
    return any(_window_holds(window, moment) for window in windows)


def lifted(row: dict[str, Any], moment: date | None) -> bool:
    """Tell whether a cancelled closure no longer stands at ``moment`` (at all, without one)."""
    if row.get("status") != "cancelled":
        return False
    day = row.get("cancelled_on")
    if moment is None or day is None:
        return True
    shown = moment.date() if isinstance(moment, datetime) else moment
    return shown >= date.fromisoformat(day)


def _window_holds(window: Window, moment: date) -> bool:
    if not isinstance(moment, datetime):
        return window.start <= moment and (window.end is None or moment <= window.end)
    if moment < onset(window):
        return False
    end = expires(window)
    if window.daily is None:
        return end is None or moment < end
    if window.end_time is not None and end is not None and moment >= end:
        return False
    day = _night_or_day(window.daily, moment)
    return day is not None and window.start <= day and (window.end is None or day <= window.end)


def _night_or_day(daily: Daily, moment: datetime) -> date | None:
    """Return the day whose daily hours hold ``moment`` (a night began the day before)."""
    first, last, now = _seconds(daily.from_), _seconds(daily.to), _seconds(moment)
    if first <= last:
        return moment.date() if first <= now < last else None
    if now >= first:
        return moment.date()
    return moment.date() - timedelta(days=1) if now < last else None


def _seconds(clock: str | datetime) -> int:
    if isinstance(clock, datetime):
        return clock.hour * 3600 + clock.minute * 60 + clock.second
    hours, minutes = clock.split(":")
    return int(hours) * 3600 + int(minutes) * 60


def on_stretch(record: Record, stretch: Stretch) -> bool:
    """Tell whether a closure has a segment on the stretch's road overlapping its stakes."""
    if not isinstance(record, RoadClosure):
        return False
    aliases = road_keys(stretch.route)
    for route in record.routes:
        keys = road_keys(route.code or "") | road_keys(route.name or "")
        if keys & aliases:
            aliases |= keys  # G1212 is 沈吉高速 where the notice names both
    for segment in record.segments:
        road = road_keys(segment.route or "")
        on_road = bool(road & aliases) if road else len(record.routes) == 1
        if on_road and segment.from_ is not None:
            ends = (segment.from_.m, (segment.to or segment.from_).m)
            if min(ends) <= stretch.last and max(ends) >= stretch.first:
                return True
    return False


# ── loss declarations ──────────────────────────────────────────────────────────────


@bp.get("/loss-declarations/lookup")
def lookup() -> Response:
    """Say whether an identifier was declared lost, and the latest declarations saying so."""
    limit("lookup")
    value = "".join((_text("identifier", required=True) or "").split()).upper()
    if not value:
        raise InvalidParameter("identifier", "identifier is required")
    size, after = _limit(LOOKUP_LIMIT), _cursor()
    key = str(current_app.config["IDENTIFIER_KEY"]).encode()
    keep = str(current_app.config.get("ANSWER_CACHE", "1")) != "0"  # 0: benchmarks
    current = version(None) if keep else None
    void, found = _declarations(value, key, size + 1, after, current)
    texts, following = _paged(found, size)
    shown = mask_resident_id(value) if _personal(value, texts) else value
    response = Response(
        _page("declarations", texts, following, identifier=shown, declared_void=void),
        mimetype="application/json",
    )
    response.cache_control.no_store = True  # its URL holds an identifier: no cache keeps it
    if current is not None:  # replayed per client within its limit, by a digest of the URL
        mark(None, current, limit="lookup")
    return response


def _declarations(
    value: str, key: bytes, size: int, after: str | None, current: Version | None
) -> tuple[bool, list[tuple[str, str]]]:
    """The store's answer for an identifier, kept at store version ``current`` by its digest.

    Kept in this worker's memory by digest, as the store indexes it: never by the identifier,
    and never in a cache outside the process (the answer says ``no-store``). ``None``: not kept.
    """
    def ask() -> tuple[bool, list[tuple[str, str]]]:
        return get_store().declarations(value, key, limit=size, after=after)

    if current is None:
        return ask()
    answers: Answers[tuple[bool, list[tuple[str, str]]]] = kept(
        "lookup", _CACHE_BYTES // 4, _CACHE_SIZE, lambda a: sum(len(t) for _, t in a[1]) + 100
    )
    return answers.get((identifier_digest(value, key), size, after, current), ask)


def _personal(value: str, texts: list[str]) -> bool:
    """Tell whether the identifier asked for is a person's (then it is masked, as they show it)."""
    return looks_like_resident_id(value) or any(mask_resident_id(value) in t for t in texts)


# ── parse preview ──────────────────────────────────────────────────────────────────


@bp.post("/parse")
def parse_preview() -> Response:
    """Parse the text sent and return its records, in the clear; nothing is stored."""
    limit("parse")
    asked_on = _published_on(request.args.get("published_on"))
    text, published_on = _parse_input()
    published_on = published_on or asked_on
    budget = float(str(current_app.config["PARSE_SECONDS"]))
    try:
        with cpu_budget(budget):
            records = parse_page(text, published_on=published_on)
    except OverBudget as exc:
        raise Problem(413, "over-budget", "Too much to parse", str(exc)) from exc
    return _json([to_dict(record) for record in records])


def _body() -> bytes:
    """Read the body to its end: past MAX_CONTENT_LENGTH, chunked or not, it is a 413."""
    chunks = []
    while chunk := request.stream.read(_BODY_CHUNK):  # a read past the limit raises 413
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_input() -> tuple[str, date | None]:
    """Read the page text, and the edition date a JSON body gives."""
    if request.mimetype not in ("text/plain", "application/json"):
        raise Problem(
            415, "unsupported-media-type", "Unsupported Media Type",
            "send the page as text/plain (UTF-8) or as JSON {\"text\": …}",
        )  # fmt: skip
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise Problem(415, "unsupported-charset", "Unsupported charset", "send UTF-8 text")
    try:
        body = _body().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Problem(400, "invalid-body", "Invalid body", "the body is not UTF-8") from exc
    return (body, None) if request.mimetype == "text/plain" else _json_input(body)


def _json_input(body: str) -> tuple[str, date | None]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise Problem(400, "invalid-body", "Invalid body", "the body is not JSON") from exc
    except RecursionError as exc:  # [[[[… nested deeper than the parser recurses
        raise Problem(400, "invalid-body", "Invalid body", "the JSON is nested too deep") from exc
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        raise InvalidParameter("text", 'send {"text": "…"}, the page text as a string')
    published_on = data.get("published_on")
    if published_on is not None and not isinstance(published_on, str):
        raise InvalidParameter("published_on", "published_on must be a date like 2025-07-08")
    return data["text"], _published_on(published_on)


def _published_on(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return parse_date("published_on", value)
    except ParameterError as exc:
        raise InvalidParameter(exc.name, str(exc)) from exc


# ── sources and health ─────────────────────────────────────────────────────────────


@bp.get("/sources")
def list_sources() -> Response:
    """List the sources, each with its last runs and their errors."""
    try:
        sources = configured_sources()
    except ConfigError as exc:
        current_app.logger.error("sources file: %s", exc)
        raise Problem(
            500, "sources-unreadable", "Sources unreadable", "the sources file cannot be read"
        ) from exc
    store = get_store()
    return _json({"sources": [_source(s, store.runs(s.name, limit=_RUNS_SHOWN)) for s in sources]})


def _source(source: Source, runs: list[Run]) -> dict[str, Any]:
    every = source.schedule.every
    return {
        "name": source.name,
        "kind": source.kind,
        "publication": source.publication,
        "region": source.region,
        "region_code": source.region_code,
        "schedule": {
            "cron": source.schedule.cron,
            "every_seconds": int(every.total_seconds()) if every else None,
        },
        "runs": [_run(run) for run in runs],
    }


def _run(run: Run) -> dict[str, Any]:
    stats = run.stats
    failed = stats.pages_failed > 0 or bool(stats.errors)
    return {
        "id": run.id,
        "status": "running" if run.finished_at is None else "failed" if failed else "ok",
        "started_at": local(run.started_at).isoformat(),
        "finished_at": local(run.finished_at).isoformat() if run.finished_at else None,
        "pages_fetched": stats.pages_fetched,
        "pages_skipped": stats.pages_skipped,
        "pages_failed": stats.pages_failed,
        "notices_new": stats.notices_new,
        "notices_seen": stats.notices_seen,
        "errors": [_FILE_URL.sub(r"\1", error) for error in stats.errors],
    }


@bp.get("/health")
def health() -> Response:
    """Say whether the service and its database answer."""
    try:
        count = get_store().count_notices()
    except SQLAlchemyError:
        current_app.logger.exception("health: the database does not answer")
        return _json({"status": "error", "database": "error", "notices": None}, 503)
    return _json({"status": "ok", "database": "ok", "notices": count})


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """Return the OpenAPI 3.1 document of this API."""
    return _json(openapi.document())


@bp.after_app_request
def _cors(response: Response) -> Response:
    """Open GETs (and their preflights) under /api/v1 to every origin, but the lookup's."""
    path = request.path.removeprefix(bp.url_prefix or "")
    if path == request.path or path in _NO_CORS:
        return response
    if request.method in _CORS_METHODS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = "ETag, Link"
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = ", ".join(_CORS_METHODS)
            response.headers["Access-Control-Allow-Headers"] = "If-None-Match"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response
