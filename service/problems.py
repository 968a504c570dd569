"""Errors as RFC 9457 problem details: one body, ``application/problem+json``, everywhere.

Every error the app answers (a bad parameter, an unknown route, a method not allowed, a
body too large, a defect) has the same shape::

    {"type": "urn:notices:problem:invalid-parameter", "title": "Invalid parameter",
     "status": 400, "detail": "limit must be an integer from 1 to 200",
     "instance": "/api/v1/notices", "parameter": "limit"}

Plain HTTP errors use ``about:blank`` with the status phrase as title, as the RFC says.
``instance`` is the request path without its query, so that a lookup's identifier is
never echoed back. A defect is logged and answered with a safe 500, never a traceback.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:notices:problem:"
log = logging.getLogger(__name__)


class Problem(Exception):
    """An error the API answers with a problem document of its own type."""

    def __init__(self, status: int, slug: str, title: str, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
        self.extensions = extensions


class InvalidParameter(Problem):
    """A query parameter (or body field) that cannot be read."""

    def __init__(self, parameter: str, detail: str) -> None:
        super().__init__(400, "invalid-parameter", "Invalid parameter", detail, parameter=parameter)


class NotFound(Problem):
    """A resource the store does not hold."""

    def __init__(self, detail: str) -> None:
        super().__init__(404, "not-found", "Not found", detail)


def problem_response(
    status: int, type_: str, title: str, detail: str, **extensions: Any
) -> Response:
    """Return a problem+json response."""
    body = {
        "type": type_,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": quote(request.path),
        **extensions,
    }
    text = json.dumps(body, ensure_ascii=False, sort_keys=False)
    return Response(text, status=status, mimetype=MEDIA_TYPE)


def _from_problem(error: Problem) -> Response:
    return problem_response(
        error.status, TYPE_PREFIX + error.slug, error.title, error.detail, **error.extensions
    )


def _from_http(error: HTTPException) -> Response:
    status = error.code or 500
    title = HTTP_STATUS_CODES.get(status, "Error")
    response = problem_response(status, "about:blank", title, error.description or title)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def _from_defect(error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path, exc_info=error)
    detail = "The server met an unexpected error; it has been logged."
    return problem_response(500, "about:blank", "Internal Server Error", detail)


def init_app(app: Flask) -> None:
    """Answer every error of the app as problem+json."""
    app.register_error_handler(Problem, _from_problem)
    app.register_error_handler(HTTPException, _from_http)
    app.register_error_handler(Exception, _from_defect)
