"""Staff edits over HTTP: correct a field, hide or show a notice, merge or split closures.

Every route here needs ``Authorization: Bearer <token>`` (:mod:`notices.tokens`); without
a valid one the answer is a 401 problem. Reads stay public and live in :mod:`service.api`;
these routes answer the notice as the staff see it (hidden ones too), with its revisions.
Each edit is audited (``GET …/audit``) and goes out in every feed as an update.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import Blueprint, Response, current_app, g, json, request

from notices import tokens
from notices.errors import ConfigError, EditError, UnknownNotice
from service.db import get_store
from service.problems import InvalidParameter, NotFound, Problem

bp = Blueprint("staff", __name__, url_prefix="/api/v1")
_MAX_NAME = 100


class Unauthorized(Problem):
    """A write without a valid staff token."""

    def __init__(self, detail: str) -> None:
        super().__init__(401, "unauthorized", "Unauthorized", detail)


def _holder() -> str:
    """The name of the valid token the request carries; else a 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send Authorization: Bearer <token>, a staff API token")
    try:
        known = tokens.from_setting(str(current_app.config.get("API_TOKENS") or ""))
    except ConfigError as exc:
        current_app.logger.error("%s", exc)
        known = []
    known += [(name, kept) for name, kept, _ in get_store().tokens()]
    name = tokens.holder(token.strip(), known)
    if name is None:
        raise Unauthorized("the token is not valid (revoked, mistyped or never made)")
    return name


View = Callable[..., Response]


def staff_only(view: View) -> View:
    """Let a view run only for a request carrying a valid staff token."""

    @wraps(view)
    def guarded(**kwargs: Any) -> Response:
        g.staff = _holder()
        try:
            return view(**kwargs)
        except UnknownNotice as exc:
            raise NotFound(str(exc)) from exc
        except EditError as exc:
            raise Problem(422, "invalid-edit", "Invalid edit", str(exc)) from exc

    return guarded


@bp.after_request
def _challenge(response: Response) -> Response:
    """A 401 says how to authenticate (RFC 6750)."""
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="notices"'
    return response


def _body() -> dict[str, Any]:
    if request.mimetype != "application/json":
        raise Problem(415, "unsupported-media-type", "Unsupported Media Type", "send JSON")
    try:
        data = json.loads(request.get_data(cache=False).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise Problem(400, "invalid-body", "Invalid body", "the body is not JSON") from exc
    if not isinstance(data, dict):
        raise Problem(400, "invalid-body", "Invalid body", "send a JSON object")
    return data


def _name(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value or len(value) > _MAX_NAME:
        raise InvalidParameter(key, f"{key} must be a notice or printing id")
    return value


def _now() -> datetime:
    return datetime.now(UTC)


def _answer(notice: dict[str, Any], status: int = 200) -> Response:
    text = json.dumps(notice, ensure_ascii=False, sort_keys=False)
    return Response(text, status=status, mimetype="application/json")


@bp.post("/notices/<notice_id>/corrections")
@staff_only
def correct(notice_id: str) -> Response:
    """Correct one field of a notice: {"field": "window", "value": {...}}."""
    data = _body()
    field = data.get("field")
    if not isinstance(field, str) or "value" not in data:
        raise InvalidParameter("field", 'send {"field": name, "value": value}')
    notice = get_store().correct(notice_id, field, data["value"], actor=g.staff, now=_now())
    return _answer(notice)


@bp.post("/notices/<notice_id>/hide")
@staff_only
def hide(notice_id: str) -> Response:
    """Hide a notice from every public output."""
    return _answer(get_store().set_hidden(notice_id, True, actor=g.staff, now=_now()))


@bp.post("/notices/<notice_id>/unhide")
@staff_only
def unhide(notice_id: str) -> Response:
    """Show a hidden notice again."""
    return _answer(get_store().set_hidden(notice_id, False, actor=g.staff, now=_now()))


@bp.post("/notices/<notice_id>/merge")
@staff_only
def merge(notice_id: str) -> Response:
    """Fold another closure into this one: {"from": id}."""
    other = _name(_body(), "from")
    return _answer(get_store().merge(notice_id, other, actor=g.staff, now=_now()))


@bp.post("/notices/<notice_id>/split")
@staff_only
def split(notice_id: str) -> Response:
    """Take one printing out into a closure of its own: {"printing": id}; 201 with it."""
    printing = _name(_body(), "printing")
    return _answer(get_store().split(notice_id, printing, actor=g.staff, now=_now()), 201)


@bp.get("/notices/<notice_id>/audit")
@staff_only
def audit(notice_id: str) -> Response:
    """Return who changed a notice, when, and the values before and after."""
    if get_store().notice(notice_id, hidden=True) is None:
        raise NotFound(f"no notice {notice_id!r}")
    return _answer({"id": notice_id, "entries": get_store().audit(notice_id)})
