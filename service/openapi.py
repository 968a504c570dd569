"""The OpenAPI 3.1 document of ``/api/v1``: what the API does, checked by schemathesis.

Written as Python, so it ships with the ``service`` package and needs no data file. The
record schemas follow ``shared/spec/records.md``; records may gain fields, so objects
allow more properties than they list.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from service import openapi_staff
from service.params import LOOKUP_LIMIT, MAX_LIMIT

Schema = dict[str, Any]

KINDS = ["road_closure", "loss_declaration"]
STAKE_PATTERN = r"^[Kk]?\d{1,5}(\.\d{1,3})?(\+\d{1,4})?(\.\.[Kk]?\d{1,5}(\.\d{1,3})?(\+\d{1,4})?)?$"
CURSOR_PATTERN = r"^[a-z]{2}_[0-9a-f]{20}$"
MAX_TEXT = 200


def _ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def _object(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    return {
        "type": "object",
        "required": list(required),
        "properties": required | (optional or {}),
    }


STRING: Schema = {"type": "string"}
TEXT_OR_NULL: Schema = {"type": ["string", "null"]}
DATE: Schema = {"type": "string", "format": "date"}
DATE_OR_NULL = _nullable(DATE)
TIMESTAMP: Schema = {"type": "string", "format": "date-time"}
CLOCK: Schema = {"type": "string", "pattern": r"^\d{2}:\d{2}$"}
STRINGS: Schema = {"type": "array", "items": STRING}

_COMMON: dict[str, Schema] = {
    "id": STRING,
    "title": TEXT_OR_NULL,
    "text": STRING,
    "issued_on": DATE_OR_NULL,
    "issuers": STRINGS,
    "source": _ref("RecordSource"),
    "region": TEXT_OR_NULL,
    "region_code": TEXT_OR_NULL,
    "checks": {"type": "array", "items": _ref("Check")},
    "warnings": STRINGS,
}

SCHEMAS: dict[str, Schema] = {
    "Problem": {
        "description": "RFC 9457 problem details; `parameter` names a bad query parameter.",
        **_object(
            {
                "type": {"type": "string", "format": "uri"},
                "title": STRING,
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "detail": STRING,
                "instance": {"type": "string", "format": "uri-reference"},
            },
            {"parameter": STRING},
        ),
    },
    "RecordSource": _object(
        {
            "url": TEXT_OR_NULL,
            "publication": TEXT_OR_NULL,
            "published_on": DATE_OR_NULL,
            "page": TEXT_OR_NULL,
        },
        {"region": TEXT_OR_NULL, "region_code": TEXT_OR_NULL},
    ),
    "Check": _object({"code": STRING, "ok": {"type": "boolean"}, "message": STRING}),
    "Route": _object({"code": TEXT_OR_NULL, "name": TEXT_OR_NULL}),
    "Stake": _object({"text": STRING, "m": {"type": "integer"}}),
    "Segment": _object(
        {
            "route": TEXT_OR_NULL,
            "from": _nullable(_ref("Stake")),
            "to": _nullable(_ref("Stake")),
            "from_place": TEXT_OR_NULL,
            "to_place": TEXT_OR_NULL,
            "length_km": {"type": ["number", "null"]},
        }
    ),
    "Daily": _object({"from": CLOCK, "to": CLOCK}),
    "Window": _object(
        {
            "start": DATE,
            "end": DATE_OR_NULL,
            "start_time": _nullable(CLOCK),
            "end_time": _nullable(CLOCK),
            "daily": _nullable(_ref("Daily")),
            "days_stated": {"type": ["integer", "null"]},
            "until_complete": {"type": "boolean"},
        }
    ),
    "Detour": _object({"text": STRING, "routes": STRINGS, "via": STRINGS}),
    "Identifier": _object(
        {"type": TEXT_OR_NULL, "value": STRING, "valid": {"type": ["boolean", "null"]}}
    ),
    "RoadClosure": _object(
        _COMMON
        | {
            "kind": {"const": "road_closure"},
            "reason": TEXT_OR_NULL,
            "routes": {"type": "array", "items": _ref("Route")},
            "segments": {"type": "array", "items": _ref("Segment")},
            "closure": {"enum": ["full", "half", "partial", "control"]},
            "window": _nullable(_ref("Window")),
            "windows": {"type": "array", "items": _ref("Window")},
            "detour": _nullable(_ref("Detour")),
        }
    ),
    "LossDeclaration": _object(
        _COMMON
        | {
            "kind": {"const": "loss_declaration"},
            "holder": STRING,
            "holder_type": {"enum": ["organization", "person"]},
            "documents": STRINGS,
            "identifiers": {"type": "array", "items": _ref("Identifier")},
            "declared_void": {"type": "boolean"},
        }
    ),
    "Record": {"oneOf": [_ref("RoadClosure"), _ref("LossDeclaration")]},
    "Sighting": _object(
        {
            "source": STRING,
            "url": TEXT_OR_NULL,
            "edition": DATE_OR_NULL,
            "page": TEXT_OR_NULL,
            "fetched_at": TIMESTAMP,
        }
    ),
    "Notice": {
        "description": "A stored record as the public sees it (resident ID numbers masked), "
        "with when and where it was seen.",
        "allOf": [
            _ref("Record"),
            _object(
                {
                    "first_seen": TIMESTAMP,
                    "last_seen": TIMESTAMP,
                    "sightings": {"type": "array", "items": _ref("Sighting")},
                    "revision": {
                        "description": "1, and one more each time what the notice says changes",
                        "type": "integer",
                        "minimum": 1,
                    },
                    "changed_at": TIMESTAMP,
                    "previous_changed_at": _nullable(TIMESTAMP),
                },
                {
                    "updated_at": {
                        "description": "when it last changed, as printed: the edition date of "
                        "the printing that changed it (or the time of a staff correction)",
                        **TIMESTAMP,
                    },
                    "status": {"enum": ["active", "cancelled", "superseded"]},
                    "published_on": DATE_OR_NULL,
                    "cancelled_on": DATE_OR_NULL,
                    "superseded_by": TEXT_OR_NULL,
                    "revisions": {
                        "description": "every change, oldest first (the single-notice answer)",
                        "type": "array",
                        "items": _ref("Revision"),
                    },
                },
            ),
        ],
    },
    "Revision": _object(
        {
            "revision": {"type": "integer", "minimum": 1},
            "action": STRING,
            "status": {"enum": ["active", "cancelled", "superseded"]},
            "changed": STRINGS,
            "printing": TEXT_OR_NULL,
            "edition": DATE_OR_NULL,
            "by": TEXT_OR_NULL,
            "updated_at": TIMESTAMP,
        }
    ),
    "NoticePage": _object(
        {
            "items": {"type": "array", "items": _ref("Notice")},
            "next": {"type": ["string", "null"], "format": "uri"},
        }
    ),
    "ActiveClosures": _object(
        {
            "at": {
                "description": "the moment (or whole day) asked about; null for a stretch alone",
                "anyOf": [TIMESTAMP, DATE, {"type": "null"}],
            },
            "items": {"type": "array", "items": _ref("Notice")},
            "next": {"type": ["string", "null"], "format": "uri"},
        }
    ),
    "Declaration": _object(
        {
            "id": STRING,
            "holder": STRING,
            "documents": STRINGS,
            "declared_void": {"type": "boolean"},
            "issued_on": DATE_OR_NULL,
            "first_seen": TIMESTAMP,
            "source": _ref("RecordSource"),
        }
    ),
    "Lookup": _object(
        {
            "identifier": {"type": "string", "description": "masked if a resident ID number"},
            "declared_void": {"type": "boolean"},
            "declarations": {"type": "array", "items": _ref("Declaration")},
            "next": {"type": ["string", "null"], "format": "uri"},
        }
    ),
    "ParseRequest": _object({"text": STRING}, {"published_on": DATE_OR_NULL}),
    "Run": _object(
        {
            "id": {"type": "integer"},
            "status": {"enum": ["running", "ok", "failed"]},
            "started_at": TIMESTAMP,
            "finished_at": _nullable(TIMESTAMP),
            "pages_fetched": {"type": "integer"},
            "pages_skipped": {"type": "integer"},
            "pages_failed": {"type": "integer"},
            "notices_new": {"type": "integer"},
            "notices_seen": {"type": "integer"},
            "errors": STRINGS,
        }
    ),
    "SourceStatus": _object(
        {
            "name": STRING,
            "kind": {"enum": ["epaper", "directory", "url"]},
            "publication": TEXT_OR_NULL,
            "region": TEXT_OR_NULL,
            "region_code": TEXT_OR_NULL,
            "schedule": _object(
                {"cron": TEXT_OR_NULL, "every_seconds": {"type": ["integer", "null"]}}
            ),
            "runs": {"type": "array", "items": _ref("Run")},
        }
    ),
    "Sources": _object({"sources": {"type": "array", "items": _ref("SourceStatus")}}),
    "Health": _object(
        {
            "status": {"enum": ["ok", "error"]},
            "database": {"enum": ["ok", "error"]},
            "notices": {"type": ["integer", "null"], "minimum": 0},
        }
    ),
}


def _query(name: str, schema: Schema, description: str, required: bool = False) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }


def _text(name: str, description: str, required: bool = False) -> Schema:
    return _query(name, {"type": "string", "maxLength": MAX_TEXT}, description, required)


_MOMENT: Schema = {"anyOf": [DATE, TIMESTAMP]}

def _paging(default: int) -> list[Schema]:
    limit = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": default}
    return [
        _query("limit", limit, f"page size (at most {MAX_LIMIT})"),
        _query(
            "cursor",
            {"type": "string", "pattern": CURSOR_PATTERN},
            "opaque: where the previous page ended (take it from `next`)",
        ),
    ]


PAGING = _paging(50)
FILTERS = [
    _query("kind", {"enum": KINDS}, "only notices of this kind"),
    _text("route", "a road's code or name (G1212 also finds 沈吉高速 where a notice names both)"),
    _text("region", "where the notice applies (from its issuers and places, else its source)"),
    _text("publication", "newspaper the notice was printed in"),
    _text("issuer", "an organisation signing the notice"),
    _text("q", "words in the notice's text"),
    _query("active_on", DATE, "road closures whose window covers this day"),
    _query("since", _MOMENT, "changed since (ISO date or date-time; naive is Asia/Shanghai)"),
    *PAGING,
]
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "schema": STRING,
    "description": "an ETag from an earlier answer: 304 if it still holds",
}


def _problem(description: str) -> Schema:
    return {
        "description": description,
        "content": {"application/problem+json": {"schema": _ref("Problem")}},
    }


def _ok(schema: Schema, description: str, *, etag: bool = False) -> Schema:
    headers = {"Access-Control-Allow-Origin": {"schema": {"const": "*"}}}
    if etag:
        headers["ETag"] = {"schema": STRING}
    return {
        "description": description,
        "headers": headers,
        "content": {"application/json": {"schema": schema}},
    }


_NOT_MODIFIED = {"description": "the copy named by If-None-Match is current"}
_BAD = _problem("a parameter cannot be used (it is named in `parameter`)")
_MISSING = _problem("no such notice")
_SERVER = _problem("an unexpected error (logged)")
_LIMITED = _problem("too many requests from this client; `Retry-After` says when to try again")


def _get(summary: str, parameters: list[Schema], responses: dict[str, Schema]) -> Schema:
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


PATHS: dict[str, Schema] = {
    "/notices": _get(
        "List notices, newest first, a page at a time",
        [*FILTERS, IF_NONE_MATCH],
        {
            "200": _ok(_ref("NoticePage"), "a page; `next` and Link lead on", etag=True),
            "304": _NOT_MODIFIED,
            "400": _BAD,
            "500": _SERVER,
        },
    ),
    "/notices/{notice_id}": _get(
        "One notice",
        [
            {"name": "notice_id", "in": "path", "required": True, "schema": STRING},
            IF_NONE_MATCH,
        ],
        {
            "200": _ok(_ref("Notice"), "the notice", etag=True),
            "304": _NOT_MODIFIED,
            "404": _MISSING,
            "500": _SERVER,
        },
    ),
    "/road-closures/active": _get(
        "Road closures in force at a moment, on a stretch of road, or both",
        [
            _query(
                "at",
                _MOMENT,
                "a moment (naive: Asia/Shanghai), daily hours respected; a date: any time "
                "that day. Defaults to now unless `stake` is given.",
            ),
            _query(
                "stake",
                {"type": "string", "pattern": STAKE_PATTERN},
                "a stake or range of stakes (K120..K130+500) on `route`, which it needs",
            ),
            _text("route", "the road the stakes are on: its code or name"),
            *PAGING,
        ],
        {"200": _ok(_ref("ActiveClosures"), "the closures"), "400": _BAD, "500": _SERVER},
    ),
    "/loss-declarations/lookup": _get(
        "Whether an identifier was declared lost (exact match)",
        [
            _text("identifier", "an identifier as printed (spaces ignored)", required=True),
            *_paging(LOOKUP_LIMIT),
        ],
        {
            "200": _ok(_ref("Lookup"), "the declarations naming it"),
            "400": _BAD,
            "429": _LIMITED,
            "500": _SERVER,
        },
    ),
    "/parse": {
        "post": {
            "summary": "Parse a page's text into records (in the clear; nothing is stored)",
            "parameters": [
                _query("published_on", DATE, "edition date (a JSON body's own comes first)"),
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "text/plain": {"schema": STRING},
                    "application/json": {"schema": _ref("ParseRequest")},
                },
            },
            "responses": {
                "200": {
                    "description": "the records, as `notices parse` prints them",
                    "content": {
                        "application/json": {"schema": {"type": "array", "items": _ref("Record")}}
                    },
                },
                "400": _problem("the body cannot be read"),
                "413": _problem("the body is too large, or would take too long to parse"),
                "415": _problem("not text/plain or JSON in UTF-8"),
                "429": _LIMITED,
                "500": _SERVER,
            },
        }
    },
    "/sources": _get(
        "The sources, each with its last runs and their errors",
        [],
        {"200": _ok(_ref("Sources"), "the sources"), "500": _SERVER},
    ),
    "/health": _get(
        "Whether the service and its database answer",
        [],
        {
            "200": _ok(_ref("Health"), "all is well"),
            "503": {
                "description": "the database does not answer",
                "content": {"application/json": {"schema": _ref("Health")}},
            },
        },
    ),
    "/openapi.json": _get(
        "This document",
        [],
        {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
    ),
}


@cache
def document() -> dict[str, Any]:
    """Return the OpenAPI document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "notices",
            "version": "1",
            "description": "Road closures and loss declarations read from Chinese newspapers. "
            "Errors are RFC 9457 problem details (application/problem+json). "
            "GETs are open to every origin (CORS).",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": PATHS | openapi_staff.PATHS,
        "components": {"schemas": SCHEMAS, "securitySchemes": openapi_staff.BEARER},
    }
