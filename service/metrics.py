"""``/metrics`` in Prometheus' text format: requests and latencies per route, and ingestion.

Requests are counted per route (the URL rule, ``/feeds/<name>.<ext>``, never the path, so
the labels stay few) with their method and status, and timed per route. Under gunicorn the
counts live in ``PROMETHEUS_MULTIPROC_DIR`` (deploy/gunicorn.conf.py sets it), one file per
worker, added up at each scrape by prometheus-client's multiprocess collector, so every
worker answers the same totals. Ingestion is read from the store at each scrape — runs,
pages, notices and errors per source, and the age of each source's last page — since the
scheduler runs in another process (``notices worker``), maybe on another machine.

``/metrics`` answers only the addresses in ``METRICS_ALLOW`` (the client as
``TRUSTED_PROXIES`` reads it), says ``Cache-Control: no-store`` so that no cache keeps
it, and deploy/'s nginx does not pass it on from outside at all.
"""

from __future__ import annotations

import ipaddress
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from notices.errors import ConfigError
from notices.ingest import now_utc
from notices.store import Store
from service.db import get_store
from service.problems import TYPE_PREFIX, problem_response

_KEY = "notices.metrics"
ROUTE = "notices.route"  # the environ key of a request's route label
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")  # <any(rss, atom):fmt> → <fmt>
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class _Instruments:
    requests: Counter
    latency: Histogram
    registry: CollectorRegistry | None  # None: the multiprocess files hold the values
    allowed: tuple[Network, ...]


def allowed_networks(value: str) -> tuple[Network, ...]:
    """Read ``METRICS_ALLOW``: addresses or networks, comma-separated, or ``none``."""
    if value.strip().lower() in {"", "none"}:
        return ()
    try:
        return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in value.split(","))
    except ValueError as exc:
        raise ConfigError(f"NOTICES_METRICS_ALLOW: {exc}") from exc


def multiprocess_mode() -> bool:
    """Tell whether the counts are kept in files shared by the workers (under gunicorn)."""
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def init_app(app: Flask) -> None:
    """Count and time every request, and serve ``/metrics``."""
    registry = None if multiprocess_mode() else CollectorRegistry()
    requests = Counter(
        "notices_http_requests",
        "HTTP requests answered, by route, method and status",
        ["route", "method", "status"],
        registry=registry,
    )
    latency = Histogram(
        "notices_http_request_duration_seconds",
        "Time to answer a request, by route",
        ["route"],
        buckets=_LATENCY_BUCKETS,
        registry=registry,
    )
    allowed = allowed_networks(str(app.config["METRICS_ALLOW"]))
    app.extensions[_KEY] = _Instruments(requests, latency, registry, allowed)
    app.before_request(_start_clock)
    app.after_request(_count)
    app.add_url_rule("/metrics", "metrics", _metrics)


def _start_clock() -> None:
    g.metrics_started = time.perf_counter()


def _count(response: Response) -> Response:
    instruments: _Instruments = current_app.extensions[_KEY]
    rule = request.url_rule
    route = _CONVERTER.sub(r"<\1>", rule.rule) if rule is not None else "(unmatched)"
    request.environ[ROUTE] = route  # for service.replay, which counts a replayed answer so
    instruments.requests.labels(route, request.method, str(response.status_code)).inc()
    if (started := g.get("metrics_started")) is not None:
        instruments.latency.labels(route).observe(time.perf_counter() - started)
    return response


def count(app: Flask, route: str, method: str, status: str, seconds: float) -> None:
    """Count and time a request answered outside Flask's hooks (service.replay), as they do."""
    instruments: _Instruments = app.extensions[_KEY]
    instruments.requests.labels(route, method, status).inc()
    instruments.latency.labels(route).observe(seconds)


def _metrics() -> Response:
    instruments: _Instruments = current_app.extensions[_KEY]
    if not _may_read(request.remote_addr, instruments.allowed):
        response = problem_response(
            403, TYPE_PREFIX + "metrics-forbidden", "Forbidden",
            "/metrics is open to the addresses in NOTICES_METRICS_ALLOW only",
        )  # fmt: skip
    else:
        scraped = CollectorRegistry()
        if instruments.registry is None:
            multiprocess.MultiProcessCollector(scraped)  # type: ignore[no-untyped-call]
            body = generate_latest(scraped)
        else:
            body = generate_latest(instruments.registry)
        ingest = CollectorRegistry()
        ingest.register(IngestCollector(get_store()))
        response = Response(body + generate_latest(ingest), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def _may_read(address: str | None, allowed: tuple[Network, ...]) -> bool:
    try:
        client = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(client in network for network in allowed)


class IngestCollector(Collector):
    """Ingestion per source, read from the store at each scrape."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def describe(self) -> list[object]:
        """Describe nothing ahead: the sources are known only at the scrape."""
        return []

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        """Yield the runs, pages, notices and errors of each source, and its last page's age."""
        totals = self._store.run_totals()
        runs = CounterMetricFamily("notices_ingest_runs", "Finished ingest runs", labels=["source"])
        pages = CounterMetricFamily(
            "notices_ingest_pages", "Pages met by ingest runs: read, unchanged or failed",
            labels=["source", "outcome"],
        )  # fmt: skip
        found = CounterMetricFamily(
            "notices_ingest_notices", "Notices found by ingest runs: new, or seen again",
            labels=["source", "outcome"],
        )  # fmt: skip
        errors = CounterMetricFamily("notices_ingest_errors", "Pages or indexes that failed",
                                     labels=["source"])  # fmt: skip
        for source, total in sorted(totals.items()):
            runs.add_metric([source], total.runs)
            pages.add_metric([source, "read"], total.pages_fetched)
            pages.add_metric([source, "unchanged"], total.pages_skipped)
            pages.add_metric([source, "failed"], total.pages_failed)
            found.add_metric([source, "new"], total.notices_new)
            found.add_metric([source, "seen"], total.notices_seen)
            errors.add_metric([source], total.pages_failed)
        yield from (runs, pages, found, errors)
        yield self._ages()
        stored = GaugeMetricFamily("notices_stored", "Notices in the store", labels=["kind"])
        for kind in ("road_closure", "loss_declaration"):
            stored.add_metric([kind], self._store.version(kind)[0])
        yield stored

    def _ages(self) -> GaugeMetricFamily:
        ages = GaugeMetricFamily(
            "notices_source_last_page_age_seconds",
            "Seconds since each source last gave a page that was read", labels=["source"],
        )  # fmt: skip
        now = now_utc()
        for source, latest in sorted(self._store.last_pages().items()):
            ages.add_metric([source], (now - latest).total_seconds())
        return ages
