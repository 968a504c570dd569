"""Query parameters → a :class:`~notices.store.NoticeQuery`, or an error naming the parameter."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from notices.store import NoticeQuery

SHANGHAI = ZoneInfo("Asia/Shanghai")
KINDS = ("road_closure", "loss_declaration")
MAX_LIMIT = 200  # every page: lists, feeds, closures in force, a lookup's declarations
LOOKUP_LIMIT = 5  # declarations a lookup shows unless asked: it answers yes or no
MAX_TEXT = 200  # longest text filter read: SQLite refuses LIKE patterns past 50 KB
_TEXT_FILTERS = ("route", "region", "publication", "issuer", "q")


class ParameterError(ValueError):
    """A query parameter that cannot be used."""

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(f"{name}: {detail}")
        self.name = name
        self.detail = detail


def parse_date(name: str, value: str) -> date:
    """A YYYY-MM-DD date."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ParameterError(name, f"{value!r} is not a date like 2025-07-08") from exc


def parse_moment(name: str, value: str) -> datetime:
    """An ISO date or date-time; without an offset it is Asia/Shanghai time."""
    try:
        moment = datetime.fromisoformat(value)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)
        moment.astimezone(UTC)  # 9999-12-31T23:00-05:00 has no UTC time
    except (ValueError, OverflowError) as exc:
        raise ParameterError(name, f"{value!r} is not a time like 2025-07-08T08:00+08:00") from exc
    return moment


def parse_limit(value: str | None, default: int = 50) -> int:
    """A page size from 1 to MAX_LIMIT."""
    if value is None:
        return default
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_LIMIT:
        detail = f"must be a whole number from 1 to {MAX_LIMIT}, not {value!r}"
        raise ParameterError("limit", detail)
    return int(value)


def notice_query(args: Any, *, kind: str | None = None, default_limit: int = 50) -> NoticeQuery:
    """Read the filters every list and feed takes."""
    chosen = args.get("kind", kind)
    if chosen is not None and chosen not in KINDS:
        raise ParameterError("kind", f"must be one of {', '.join(KINDS)}, not {chosen!r}")
    if kind is not None and chosen != kind:
        raise ParameterError("kind", f"this list holds {kind} only")
    text = {name: args.get(name) or None for name in _TEXT_FILTERS}
    for name, value in text.items():
        if value is not None and len(value) > MAX_TEXT:
            raise ParameterError(name, f"longer than {MAX_TEXT} characters")
    active_on = args.get("active_on")
    since = args.get("since")
    return NoticeQuery(
        kind=chosen,
        active_on=parse_date("active_on", active_on) if active_on else None,
        since=parse_moment("since", since) if since else None,
        limit=parse_limit(args.get("limit"), default_limit),
        after=args.get("cursor") or None,
        **text,
    )
