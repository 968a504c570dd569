"""The application factory: configuration order, and no scheduler inside the web app."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from service.app import create_app


def test_configuration_defaults_then_environment_then_test_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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
