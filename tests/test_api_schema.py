"""The API against its own OpenAPI document: schemathesis finds no 5xx and no stray response.

Every GET operation and ``POST /parse`` is called with generated parameters and bodies,
valid and invalid, on a store filled from real pages. The checks: no server error, status
codes, content types, headers and bodies as the document declares them, and invalid
input refused with a 4xx.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from test_api import filled_app

from service.db import get_store
from service.openapi import document

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, seed_pages: list[Path]) -> Iterator[Flask]:
    app = filled_app(tmp_path_factory.mktemp("schema") / "notices.sqlite3", seed_pages[0])
    yield app
    with app.app_context():
        get_store().close()


# Loaded from the document itself: schemathesis' lazy fixture loader fails under pytest 9.
schema = schemathesis.openapi.from_dict(document())


@schema.parametrize()
@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_keeps_its_document(app: Flask, case: schemathesis.Case) -> None:
    case.call_and_validate(app=app, checks=CHECKS)
