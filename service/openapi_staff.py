"""The staff's write routes in the OpenAPI document: bearer tokens, edits, the audit."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]
BEARER = {"staff": {"type": "http", "scheme": "bearer"}}
_PROBLEM = {
    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
}
_NOTICE = {"$ref": "#/components/schemas/Notice"}
_ID = {"name": "notice_id", "in": "path", "required": True, "schema": {"type": "string"}}


def _problem(description: str) -> Schema:
    return {"description": description, **_PROBLEM}


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(properties: Schema, required: list[str]) -> Schema:
    schema = {"type": "object", "required": required, "properties": properties}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _edit(summary: str, body: Schema | None = None, created: bool = False) -> Schema:
    responses = {
        "201" if created else "200": _json(_NOTICE, "the notice as the staff see it"),
        "400": _problem("the body cannot be read"),
        "401": _problem("no valid staff token (Authorization: Bearer …)"),
        "404": _problem("no such notice (or printing of it)"),
        "415": _problem("not JSON"),
        "422": _problem("an edit the notice cannot take"),
        "500": _problem("an unexpected error (logged)"),
    }
    operation: Schema = {"summary": summary, "parameters": [_ID], "responses": responses,
                         "security": [{"staff": []}]}  # fmt: skip
    if body is not None:
        operation["requestBody"] = body
    return {"post": operation}


_ENTRY = {
    "type": "object",
    "required": ["at", "by", "action", "before", "after"],
    "properties": {
        "at": {"type": "string", "format": "date-time"},
        "by": {"type": "string"},
        "action": {"enum": ["correct", "hide", "unhide", "merge", "split"]},
        "before": {},
        "after": {},
    },
}
_AUDIT = {
    "type": "object",
    "required": ["id", "entries"],
    "properties": {"id": {"type": "string"}, "entries": {"type": "array", "items": _ENTRY}},
}
AUDIT = {
    "get": {
        "summary": "Who changed a notice, when, and the values before and after",
        "parameters": [_ID],
        "security": [{"staff": []}],
        "responses": {
            "200": _json(_AUDIT, "the audit entries, oldest first"),
            "401": _problem("no valid staff token (Authorization: Bearer …)"),
            "404": _problem("no such notice"),
            "500": _problem("an unexpected error (logged)"),
        },
    }
}
PATHS: dict[str, Schema] = {
    "/notices/{notice_id}/corrections": _edit(
        "Correct one field of a notice; it outlives re-ingestion",
        _body({"field": {"type": "string"}, "value": {}}, ["field", "value"]),
    ),
    "/notices/{notice_id}/hide": _edit("Hide a notice from every public output"),
    "/notices/{notice_id}/unhide": _edit("Show a hidden notice again"),
    "/notices/{notice_id}/merge": _edit(
        "Fold another closure into this one", _body({"from": {"type": "string"}}, ["from"])
    ),
    "/notices/{notice_id}/split": _edit(
        "Take one printing out into a closure of its own",
        _body({"printing": {"type": "string"}}, ["printing"]),
        created=True,
    ),
    "/notices/{notice_id}/audit": AUDIT,
}
