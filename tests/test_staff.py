"""Staff edits over the API: tokens, corrections, hiding, merging and splitting, the audit.

On SQLite and PostgreSQL. Tokens come from the environment setting and from
``notices token create``; writes without a valid one are refused with a 401 problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from notices import tokens
from notices.cli import main
from notices.parse import parse_page
from notices.store import Sighting, Store
from service.app import create_app

ENV_TOKEN = "editor-token-0123456789abcdef"
DANHUO = "rc_579314db5b7e55921b13"  # 丹霍线 K189+400–K191+942, 8–22 July 2025


def _ingest(url: str, day: int, text: str) -> None:
    store = Store.open(url)
    try:
        page = f"https://paper.example/2025070{day}/a4.htm"
        records = parse_page(text, url=page, published_on=date(2025, 7, day))
        store.save_notices(records, Sighting("本溪日报", page, date(2025, 7, day), "A4",
                                             datetime(2025, 7, day, 0, 30, tzinfo=UTC)))  # fmt: skip
    finally:
        store.close()


@pytest.fixture
def app(database_url: str, notice_page: str) -> Iterator[Flask]:
    _ingest(database_url, 8, notice_page)
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "VERSION_TTL": 0,
                      "API_TOKENS": f"editor={ENV_TOKEN}"})  # fmt: skip
    yield app
    opened = app.extensions.get("notices.store")
    if opened is not None:
        opened.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _auth(token: str = ENV_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _post(client: FlaskClient, path: str, body: Any = None, token: str | None = ENV_TOKEN) -> Any:
    headers = _auth(token) if token else {}
    return client.post(f"/api/v1/notices/{path}", json=body, headers=headers)


def _end(client: FlaskClient) -> str:
    return str(client.get(f"/api/v1/notices/{DANHUO}").get_json()["window"]["end"])


def test_writes_without_a_valid_token_are_refused(client: FlaskClient) -> None:
    body = {"field": "reason", "value": "改"}
    for token in (None, "not-a-token", ENV_TOKEN + "x"):
        refused = _post(client, f"{DANHUO}/corrections", body, token=token)
        assert refused.status_code == 401
        assert refused.mimetype == "application/problem+json"
        assert refused.get_json()["type"] == "urn:notices:problem:unauthorized"
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    basic = client.post(f"/api/v1/notices/{DANHUO}/hide", headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 401
    assert client.get(f"/api/v1/notices/{DANHUO}/audit").status_code == 401
    assert client.get(f"/api/v1/notices/{DANHUO}").get_json()["revision"] == 1  # untouched


def test_a_correction_is_applied_audited_and_survives_reingestion(
    app: Flask, client: FlaskClient, database_url: str, notice_page: str
) -> None:
    window = client.get(f"/api/v1/notices/{DANHUO}").get_json()["window"]
    fixed = window | {"end": "2025-07-25"}
    done = _post(client, f"{DANHUO}/corrections", {"field": "window", "value": fixed})
    assert done.status_code == 200, done.get_json()
    shown = client.get(f"/api/v1/notices/{DANHUO}").get_json()
    assert shown["window"]["end"] == "2025-07-25" and shown["revision"] == 2
    assert shown["revisions"][-1] | {"updated_at": None} == {
        "revision": 2, "action": "correction", "status": "active", "changed": ["window"],
        "printing": None, "edition": None, "by": "editor", "updated_at": None,
    }  # fmt: skip
    active = client.get("/api/v1/road-closures/active?at=2025-07-24").get_json()["items"]
    assert DANHUO in [i["id"] for i in active]  # the queries follow the correction
    [entry] = client.get(f"/api/v1/notices/{DANHUO}/audit", headers=_auth()).get_json()["entries"]
    assert (entry["by"], entry["action"]) == ("editor", "correct")
    assert entry["before"] == {"window": window} and entry["after"] == {"window": fixed}
    feed = client.get("/feeds/road-closures.json").get_json()["items"]
    item = next(i for i in feed if i["id"] == DANHUO)
    assert item["date_modified"] > item["date_published"]  # an update, same guid
    _ingest(database_url, 9, notice_page)  # the page printed again the next day
    _ingest(database_url, 8, notice_page)  # and the first edition read again
    again = client.get(f"/api/v1/notices/{DANHUO}").get_json()
    assert again["window"]["end"] == "2025-07-25" and len(again["sightings"]) == 2


def test_a_token_made_by_the_command_works_until_revoked(
    client: FlaskClient, database_url: str
) -> None:
    runner = CliRunner()
    made = runner.invoke(main, ["token", "create", "alice", "--db", database_url])
    assert made.exit_code == 0, made.output
    token = made.output.strip()
    store = Store.open(database_url)
    try:
        [(name, digest, _)] = store.tokens()
    finally:
        store.close()
    assert name == "alice" and digest == tokens.digest(token) and token not in digest
    listed = runner.invoke(main, ["token", "list", "--db", database_url]).output
    assert listed.startswith("alice\t") and token not in listed
    assert runner.invoke(main, ["token", "create", "alice", "--db", database_url]).exit_code == 1
    assert _post(client, f"{DANHUO}/hide", token=token).status_code == 200
    assert client.get(f"/api/v1/notices/{DANHUO}").status_code == 404  # hidden from the public
    listed = [i["id"] for i in client.get("/api/v1/notices").get_json()["items"]]
    assert DANHUO not in listed
    assert DANHUO not in client.get("/feeds/road-closures.rss").get_data(as_text=True)
    assert runner.invoke(main, ["token", "revoke", "alice", "--db", database_url]).exit_code == 0
    assert _post(client, f"{DANHUO}/unhide", token=token).status_code == 401
    assert _post(client, f"{DANHUO}/unhide").status_code == 200  # the environment's token
    shown = client.get(f"/api/v1/notices/{DANHUO}").get_json()
    assert [r["action"] for r in shown["revisions"]] == ["notice", "hide", "unhide"]
    assert [r["by"] for r in shown["revisions"]] == [None, "alice", "editor"]


def test_bad_edits_are_clear_errors(client: FlaskClient) -> None:
    cases = [
        ({"field": "id", "value": "rc_x"}, 422),
        ({"field": "closure", "value": "sometimes"}, 422),
        ({"field": "window", "value": {"start": "July"}}, 422),
        ({"field": "routes", "value": [{"code": 5}]}, 422),
        ({"value": 1}, 400),
    ]
    for body, status in cases:
        answer = _post(client, f"{DANHUO}/corrections", body)
        assert answer.status_code == status, (body, answer.get_json())
        assert answer.mimetype == "application/problem+json"
    assert _post(client, "rc_nothing/hide").status_code == 404
    text = client.post(f"/api/v1/notices/{DANHUO}/merge", data="x", headers=_auth())
    assert text.status_code == 415


def test_merge_and_split_undo_each_other(client: FlaskClient) -> None:
    ids = sorted(i["id"] for i in client.get("/api/v1/notices?kind=road_closure").get_json()["items"])
    other = next(i for i in ids if i != DANHUO)
    merged = _post(client, f"{DANHUO}/merge", {"from": other})
    assert merged.status_code == 200, merged.get_json()
    assert len(merged.get_json()["sightings"]) == 1  # both printed on the same page
    listed = [i["id"] for i in client.get("/api/v1/notices?kind=road_closure").get_json()["items"]]
    assert listed == [DANHUO]
    gone = client.get(f"/api/v1/notices/{other}").get_json()
    assert (gone["status"], gone["superseded_by"]) == ("superseded", DANHUO)
    split = _post(client, f"{DANHUO}/split", {"printing": other})
    assert split.status_code == 201, split.get_json()
    assert (split.get_json()["id"], split.get_json()["status"]) == (other, "active")
    listed = sorted(i["id"] for i in client.get("/api/v1/notices?kind=road_closure").get_json()["items"])
    assert listed == ids
    assert _post(client, f"{DANHUO}/split", {"printing": DANHUO}).status_code == 422
    actions = [e["action"] for e in
               client.get(f"/api/v1/notices/{DANHUO}/audit", headers=_auth()).get_json()["entries"]]
    assert actions == ["merge", "split"]


def test_a_hidden_declaration_is_not_found_and_an_edit_counts_as_a_change(
    client: FlaskClient,
) -> None:
    found = client.get("/api/v1/loss-declarations/lookup?identifier=企独朝总字第000103号").get_json()
    [declaration] = found["declarations"]
    before = client.get("/api/v1/notices?since=2025-08-01").get_json()["items"]
    assert before == []  # nothing seen or changed since
    assert _post(client, f"{declaration['id']}/hide").status_code == 200
    again = client.get("/api/v1/loss-declarations/lookup?identifier=企独朝总字第000103号").get_json()
    assert again["declarations"] == []
    assert _post(client, f"{DANHUO}/corrections", {"field": "reason", "value": "桥梁维修"}).status_code == 200
    changed = client.get("/api/v1/notices?since=2025-08-01").get_json()["items"]
    assert [i["id"] for i in changed] == [DANHUO]
    assert changed[0]["reason"] == "桥梁维修"


def test_a_later_printing_that_changes_a_corrected_field_takes_it_over(
    client: FlaskClient, database_url: str
) -> None:
    assert _post(client, f"{DANHUO}/corrections", {"field": "reason", "value": "桥梁维修"}).status_code == 200
    window = client.get(f"/api/v1/notices/{DANHUO}").get_json()["window"]
    assert _post(client, f"{DANHUO}/corrections",
                 {"field": "window", "value": window | {"end": "2025-07-20"}}).status_code == 200  # fmt: skip
    extension = ("关于延长丹霍线部分路段封闭施工时间的通告\n\n丹霍线K189+400至K191+942段维修改造施工，"
                 "封闭时间延长至2025年7月31日。\n\n本溪市公安局交通管理支队\n2025年7月20日\n")  # fmt: skip
    store = Store.open(database_url)
    try:
        records = parse_page(extension, published_on=date(2025, 7, 21))
        store.save_notices(records, Sighting("本溪日报", "https://paper.example/0721.htm",
                                             date(2025, 7, 21), "A4",
                                             datetime(2025, 7, 21, 0, 30, tzinfo=UTC)))  # fmt: skip
    finally:
        store.close()
    shown = client.get(f"/api/v1/notices/{DANHUO}").get_json()
    assert shown["window"]["end"] == "2025-07-31"  # the paper's later word on the window
    assert shown["reason"] == "桥梁维修"  # the correction it did not touch stands
    assert [r["action"] for r in shown["revisions"]] == ["notice", "correction", "correction",
                                                         "extension"]  # fmt: skip
