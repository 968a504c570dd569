"""Bounded answers from stored text: closures in force and lookups page; lists read what was saved.

The store holds generated notices (benchmarks/data.py): a few hundred closures and
declarations, and a dozen declarations of one identifier, so that every answer has pages.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from benchmarks import data
from notices import published
from notices.model import LossDeclaration
from notices.serialize import from_dict
from notices.store import Sighting, Store
from service.api import in_force, lifted
from service.app import create_app

API = "/api/v1"
KEY = "a-key-for-the-bounded-tests"
SHARED = "210502198001011234"  # declared lost twelve times
MOMENT = f"{date.today().isoformat()}T12:00"


def _twelve_declarations() -> list[LossDeclaration]:
    """Twelve declarations of one identifier; only the oldest declares it void."""
    found = [r for r in data.records(200, seed=5) if isinstance(r, LossDeclaration)][:12]
    return [
        dataclasses.replace(
            record,
            identifiers=(dataclasses.replace(record.identifiers[0], value=SHARED),),
            declared_void=n == 0,
        )
        for n, record in enumerate(found)
    ]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    database = f"sqlite:///{tmp_path_factory.mktemp('bounded') / 'n.sqlite3'}"
    data.fill(database, 400, key=KEY.encode())
    store = Store.open(database, identifier_key=KEY.encode())
    for n, record in enumerate(_twelve_declarations()):  # one a day: the oldest first
        seen = datetime(2026, 1, 1 + n, tzinfo=UTC)
        store.save_notices([record], Sighting("t", None, None, None, seen), identifier_key=KEY.encode())
    store.close()
    app = create_app({"TESTING": True, "DATABASE_URL": database, "IDENTIFIER_KEY": KEY,
                      "VERSION_TTL": 0, "LOOKUP_RATE": "1000/second"})  # fmt: skip
    yield app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def walk(client: FlaskClient, url: str, name: str) -> list[list[dict[str, Any]]]:
    """Every page from ``url`` on, following ``next``."""
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        pages.append(body[name])
        url = body["next"] and body["next"].removeprefix("http://127.0.0.1:8000")
    return pages


def test_closures_in_force_come_a_page_at_a_time_and_all_of_them(
    client: FlaskClient, app: Flask
) -> None:
    pages = walk(client, f"{API}/road-closures/active?at={MOMENT}&limit=7", "items")
    ids = [item["id"] for page in pages for item in page]
    assert len(pages) > 2 and all(len(page) <= 7 for page in pages)
    assert len(ids) == len(set(ids))
    moment = datetime.fromisoformat(MOMENT + "+08:00")
    with app.app_context():
        everything = walk(client, f"{API}/notices?kind=road_closure&limit=200", "items")
    expected = {
        item["id"]
        for page in everything
        for item in page
        if in_force(from_dict(item), moment) and not lifted(item, moment)
    }
    assert set(ids) == expected


def test_a_lookup_answers_yes_with_a_few_declarations_and_pages_on(client: FlaskClient) -> None:
    first = client.get(f"{API}/loss-declarations/lookup", query_string={"identifier": SHARED})
    body = first.get_json()
    assert body["declared_void"] is True  # the oldest says so, though it is on the last page
    assert len(body["declarations"]) == 5 and body["next"]
    assert body["identifier"] == "210502**********34"
    assert first.headers["Cache-Control"] == "no-store"
    pages = walk(client, f"{API}/loss-declarations/lookup?identifier={SHARED}&limit=5",
                 "declarations")  # fmt: skip
    assert [len(page) for page in pages] == [5, 5, 2]
    held = [d["declared_void"] for page in pages for d in page]
    assert held == [False] * 11 + [True]  # newest first
    assert SHARED not in json.dumps(pages)


@pytest.mark.parametrize("path", ["/road-closures/active?at=2025-12-01&limit=201",
                                  f"/loss-declarations/lookup?identifier={SHARED}&limit=0",
                                  "/road-closures/active?cursor=nonsense"])  # fmt: skip
def test_limits_and_cursors_are_checked(client: FlaskClient, path: str) -> None:
    response = client.get(f"{API}{path}")
    assert response.status_code == 400
    assert response.get_json()["parameter"] in {"limit", "cursor"}


def test_the_stored_text_is_what_the_notice_shows_now(app: Flask, client: FlaskClient) -> None:
    """Every row's stored text is the public view of it as the store holds it now."""
    with app.app_context():
        from service.db import get_store

        store = get_store()
        [item] = client.get(f"{API}/notices?kind=road_closure&limit=1").get_json()["items"]
        row = store.notice(item["id"])
        assert row is not None
        assert json.loads(published.texts(row).item) == item
        assert client.get(f"{API}/notices/{item['id']}").get_json() == item | {
            "revisions": row["revisions"]
        }


def test_a_staff_edit_writes_the_text_again(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        from service.db import get_store

        store = get_store()
        [item] = client.get(f"{API}/notices?kind=road_closure&limit=1").get_json()["items"]
        store.correct(item["id"], "reason", "抢修", actor="test", now=datetime.now(UTC))
        assert client.get(f"{API}/notices/{item['id']}").get_json()["reason"] == "抢修"
        store.set_hidden(item["id"], True, actor="test", now=datetime.now(UTC))
        assert client.get(f"{API}/notices/{item['id']}").status_code == 404
        store.set_hidden(item["id"], False, actor="test", now=datetime.now(UTC))


def test_store_open_writes_the_texts_a_migration_left_empty(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'n.sqlite3'}"
    data.fill(url, 30)
    store = Store.open(url)
    with store._engine.begin() as conn:
        before = dict(conn.execute(text("SELECT id, published FROM notices")).all())
        conn.execute(text("UPDATE notices SET published = NULL, published_revisions = NULL"))
    store.close()
    store = Store.open(url)
    with store._engine.connect() as conn:
        after = dict(conn.execute(text("SELECT id, published FROM notices")).all())
    store.close()
    assert after == before and None not in after.values()


def test_generated_notices_vary(tmp_path: Path) -> None:
    """The benchmark's data are not copies: roads, regions, windows and holders differ."""
    records = list(data.records(300))
    roads = {r.routes[0].code for r in records if hasattr(r, "routes")}
    holders = {r.holder for r in records if isinstance(r, LossDeclaration)}
    starts = {r.window.start for r in records if getattr(r, "window", None)}
    assert len(roads) > 50 and len(holders) > 80 and len(starts) > 100
    assert len({r.region_code for r in records}) > 100
    assert min(starts) >= data.FIRST_DAY
