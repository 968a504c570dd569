"""The application factory: configuration order, and no scheduler inside the web app."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from notices.errors import ConfigError
from notices.parse import parse_page
from notices.store import Sighting, Store
from service.app import create_app


def test_configuration_defaults_then_environment_then_test_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTICES_IDENTIFIER_KEY", "a-secret")
    assert create_app().config["DATABASE_URL"] == "sqlite:///notices.sqlite3"
    monkeypatch.setenv("NOTICES_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite3'}")
    assert create_app().config["DATABASE_URL"].endswith("env.sqlite3")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'test.sqlite3'}"})
    assert app.config["DATABASE_URL"].endswith("test.sqlite3")


def test_creating_and_using_the_app_starts_no_scheduler(tmp_path: Path) -> None:
    before = {t.name for t in threading.enumerate()}
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "TESTING": True})
    assert app.test_client().get("/api/v1/health").status_code == 200
    app.test_client().get("/feeds/all.rss")
    started = {t.name for t in threading.enumerate()} - before
    assert not any("APScheduler" in name or "scheduler" in name.lower() for name in started), started


def test_the_default_key_is_refused_outside_testing_and_a_loopback_demo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NOTICES_IDENTIFIER_KEY", raising=False)
    with pytest.raises(ConfigError, match="NOTICES_IDENTIFIER_KEY"):
        create_app()
    assert create_app({"TESTING": True}).testing
    assert create_app({"LOCAL_DEMO": True}).config["IDENTIFIER_KEY"] == "change-me"
    monkeypatch.setenv("NOTICES_IDENTIFIER_KEY", "a-secret")
    assert create_app().config["IDENTIFIER_KEY"] == "a-secret"


def test_settings_stay_strings_as_the_worker_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key of 1e5 is the string 1e5 in the web app, as in the worker: lookups match."""
    monkeypatch.setenv("NOTICES_IDENTIFIER_KEY", "1e5")
    monkeypatch.setenv("NOTICES_HTTP_TIMEOUT", "10")
    url = f"sqlite:///{tmp_path / 'k.sqlite3'}"
    app = create_app({"DATABASE_URL": url})
    assert app.config["IDENTIFIER_KEY"] == "1e5"
    assert app.config["HTTP_TIMEOUT"] == "10"
    store = Store.open(url, identifier_key=b"1e5")
    records = parse_page("遗失声明\n李明遗失身份证，证号21050419860722101X，声明作废。\n")
    seen = Sighting("s", None, None, None, datetime.now(UTC))
    store.save_notices(records, seen, identifier_key=b"1e5")
    store.close()
    answer = app.test_client().get("/api/v1/loss-declarations/lookup?identifier=21050419860722101X")
    assert answer.get_json()["declarations"], answer.get_json()


def test_a_burst_of_first_requests_opens_one_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker's threads all arriving at once wait for one store, not each migrate their own."""
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'n.sqlite3'}"})
    opened: list[Store] = []
    real_open = Store.open

    def counted(url: str, **kwargs: object) -> Store:
        store = real_open(url)
        opened.append(store)
        return store

    monkeypatch.setattr(Store, "open", counted)
    gate = threading.Barrier(8)

    def ask() -> None:
        gate.wait()
        assert app.test_client().get("/api/v1/health").status_code == 200

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(opened) == 1
    opened[0].close()
