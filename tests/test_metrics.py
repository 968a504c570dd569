"""/metrics: Prometheus' text format, requests per route, ingestion per source from the
store, open only to the addresses in METRICS_ALLOW and never cached. (Across gunicorn's
workers, in multiprocess mode: tests/test_topology.py.) JSON log lines when asked.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families

from notices.cli import main
from notices.errors import ConfigError
from notices.logs import JsonFormatter, gunicorn_logconfig
from notices.sources import Schedule, Source
from service.app import create_app
from service.worker import run_source

CORPUS = Path(__file__).resolve().parent / "corpus"


def _samples(body: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and labels (parsed as Prometheus parses it)."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


def _app(url: str, **config: Any) -> Any:
    return create_app({"TESTING": True, "DATABASE_URL": url, **config})


def test_requests_are_counted_per_route_and_timed(sqlite_url: str) -> None:
    client = _app(sqlite_url).test_client()
    for _ in range(3):
        client.get("/feeds/road-closures.rss")
    client.get("/api/v1/notices/rc_nothing")
    scrape = client.get("/metrics")
    assert scrape.status_code == 200
    assert scrape.headers["Cache-Control"] == "no-store"
    assert scrape.content_type.startswith("text/plain; version=")  # the exposition format
    samples = _samples(scrape.get_data(as_text=True))
    feed = (("method", "GET"), ("route", "/feeds/<name>.<fmt>"), ("status", "200"))
    assert samples[("notices_http_requests_total", feed)] == 3
    missing = (("method", "GET"), ("route", "/api/v1/notices/<notice_id>"), ("status", "404"))
    assert samples[("notices_http_requests_total", missing)] == 1
    timed = ("notices_http_request_duration_seconds_count", (("route", "/feeds/<name>.<fmt>"),))
    assert samples[timed] == 3


def test_ingestion_per_source_comes_from_the_store(tmp_path: Path, sqlite_url: str) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    road = CORPUS / "road" / "001_huanyong_full_blanklines.txt"
    (pages / "2025-08-01.txt").write_bytes(road.read_bytes())
    (pages / "2025-08-02.pdf").write_bytes(b"%PDF-1.4 not really")
    folder = Source(name="folder", kind="directory", schedule=Schedule.parse("every 1h"), path=pages)
    run_source(folder, sqlite_url)
    run_source(folder, sqlite_url)  # nothing new: the text page is unchanged
    samples = _samples(_app(sqlite_url).test_client().get("/metrics").get_data(as_text=True))
    src = ("source", "folder")
    assert samples[("notices_ingest_runs_total", (src,))] == 2
    assert samples[("notices_ingest_pages_total", (("outcome", "read"), src))] == 1
    assert samples[("notices_ingest_pages_total", (("outcome", "unchanged"), src))] == 1
    assert samples[("notices_ingest_pages_total", (("outcome", "failed"), src))] == 2
    assert samples[("notices_ingest_errors_total", (src,))] == 2
    assert samples[("notices_ingest_notices_total", (("outcome", "new"), src))] == 1
    assert samples[("notices_stored", (("kind", "road_closure"),))] == 1
    age = samples[("notices_source_last_page_age_seconds", (src,))]
    assert 0 <= age < 60


def test_only_allowed_addresses_read_metrics(sqlite_url: str) -> None:
    app = _app(sqlite_url, METRICS_ALLOW="10.0.0.0/8, 192.0.2.7")
    client = app.test_client()
    inside = client.get("/metrics", environ_base={"REMOTE_ADDR": "10.20.30.40"})
    assert inside.status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200
    outside = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert outside.status_code == 403
    assert outside.content_type == "application/problem+json"
    assert outside.headers["Cache-Control"] == "no-store"
    nobody = _app(sqlite_url, METRICS_ALLOW="none").test_client()
    assert nobody.get("/metrics").status_code == 403


def test_a_bad_allow_list_is_a_clear_error(sqlite_url: str) -> None:
    with pytest.raises(ConfigError, match="NOTICES_METRICS_ALLOW"):
        _app(sqlite_url, METRICS_ALLOW="10.0.0.0/8,not-an-address")


def test_json_log_lines(caplog: Any) -> None:
    formatter = JsonFormatter()
    try:
        raise ValueError("bad page")
    except ValueError:
        record = logging.LogRecord("notices", logging.ERROR, __file__, 1, "source %s failed",
                                   ("本溪",), exc_info=__import__("sys").exc_info())  # fmt: skip
    line = formatter.format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "source 本溪 failed" and parsed["level"] == "ERROR"
    assert parsed["time"].endswith("+00:00") and "ValueError: bad page" in parsed["exception"]


def test_log_format_is_a_setting(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> None:
    monkeypatch.setenv("NOTICES_LOG_FORMAT", "json")
    config = gunicorn_logconfig()
    assert config is not None and config["formatters"]["json"]["()"] is JsonFormatter
    monkeypatch.setenv("NOTICES_LOG_FORMAT", "text")
    assert gunicorn_logconfig() is None
    result = CliRunner().invoke(main, ["worker", "--db", sqlite_url],
                                env={"NOTICES_LOG_FORMAT": "xml"})  # fmt: skip
    assert result.exit_code == 1
    assert "NOTICES_LOG_FORMAT must be text or json" in result.output
