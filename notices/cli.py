"""The ``notices`` command."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from notices.errors import InputError
from notices.model import Record, RoadClosure
from notices.parse import parse_page
from notices.reading import decode
from notices.serialize import to_dict, to_json

SHANGHAI = ZoneInfo("Asia/Shanghai")


@click.group()
@click.version_option(package_name="notices")
def main() -> None:
    """Find public notices in newspaper pages and serve them as data."""


@main.command("parse")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonl", "table"]),
    default="json",
    show_default=True,
    help="How to print the records.",
)
@click.option(
    "--published-on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Edition date (YYYY-MM-DD), for notices that omit the year.",
)
def parse_command(paths: tuple[Path, ...], fmt: str, published_on: datetime | None) -> None:
    """Print the notices found in PATHS (text files in UTF-8, GB18030 or UTF-16)."""
    records: list[Record] = []
    failed = 0
    for path in paths:
        try:
            text = decode(path.read_bytes())
        except (OSError, InputError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            click.echo(f"notices: {path}: {reason}", err=True)
            failed += 1
            continue
        edition = published_on.date() if published_on else None
        records.extend(parse_page(text, url=str(path), published_on=edition))
    _print(records, fmt)
    if failed:
        sys.exit(1)


def _print(records: list[Record], fmt: str) -> None:
    if fmt == "json":
        click.echo(to_json(records))
    elif fmt == "jsonl":
        for record in records:
            click.echo(json.dumps(to_dict(record), ensure_ascii=False))
    else:
        for record in records:
            click.echo("\t".join(_row(record)))


def _row(record: Record) -> list[str]:
    if isinstance(record, RoadClosure):
        routes = ",".join(r.key for r in record.routes)
        window = record.window
        when = f"{window.start}..{window.end or ''}" if window else ""
        return [record.id, record.kind, routes, record.closure, when, record.source.url or ""]
    ids = ",".join(i.value for i in record.identifiers)
    return [
        record.id,
        record.kind,
        record.holder,
        ",".join(record.documents),
        ids,
        record.source.url or "",
    ]


# ── ingesting ───────────────────────────────────────────────────────────────────────

_DB_HELP = "Store URL (default: $NOTICES_DATABASE_URL, else sqlite:///notices.sqlite3)."
_SOURCES_HELP = "Sources file (default: $NOTICES_SOURCES, else the bundled demo source)."


def _store(db: str | None) -> Any:
    from notices import settings
    from notices.store import Store

    return Store.open(db or settings.get("DATABASE_URL"))


def _sources(path: Path | None) -> list[Any]:
    from notices import settings
    from notices.errors import ConfigError
    from notices.sources import load_sources

    try:
        return load_sources(path or settings.sources_path())
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def _days(start: datetime | None, end: datetime | None) -> list[date] | None:
    if start is None and end is None:
        return None
    first = (start or end).date()  # type: ignore[union-attr]
    last = (end or start).date()  # type: ignore[union-attr]
    if last < first:
        raise click.BadParameter("--to is before --from")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@main.command("ingest")
@click.argument("source", required=False)
@click.option(
    "--from", "start", type=click.DateTime(formats=["%Y-%m-%d"]), help="First edition to backfill."
)
@click.option(
    "--to", "end", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last edition to backfill."
)
@click.option("--url", "urls", multiple=True, help="Ingest this page instead of a source.")
@click.option(
    "--file",
    "files",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    help="Ingest this file instead of a source.",
)
@click.option("--db", help=_DB_HELP)
@click.option("--sources", "sources_file", type=click.Path(path_type=Path), help=_SOURCES_HELP)
def ingest_command(
    source: str | None,
    start: datetime | None,
    end: datetime | None,
    urls: tuple[str, ...],
    files: tuple[Path, ...],
    db: str | None,
    sources_file: Path | None,
) -> None:
    """Ingest SOURCE now (editions --from/--to), or pages given by --url/--file."""
    from rich.progress import Progress

    from notices.errors import ConfigError, SourceBusy
    from notices.ingest import ingest_once
    from notices.sources import Source, find_source
    from service.worker import make_http

    if not source and not urls and not files:
        raise click.UsageError("name a SOURCE, or give --url/--file")
    store = _store(db)
    try:
        if source:
            chosen = _find(find_source, _sources(sources_file), source, ConfigError)
        else:
            chosen = Source(
                name="manual",
                kind="url",
                schedule=_hourly(),
                urls=tuple(urls) + tuple(f.resolve().as_uri() for f in files),
            )
        with make_http() as http, Progress(transient=True) as bar:
            task = bar.add_task(f"ingesting {chosen.name}", total=None)

            def advance(url: str, done: int, total: int) -> None:
                bar.update(
                    task, completed=done, total=total, description=f"{chosen.name}: {url[-40:]}"
                )

            try:
                stats = ingest_once(
                    chosen, store, http, editions=_days(start, end), progress=advance
                )
            except SourceBusy as exc:
                raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    click.echo(
        f"{chosen.name}: {stats.pages_fetched} pages read, {stats.pages_skipped} unchanged, "
        f"{stats.pages_failed} failed; {stats.notices_new} new notices, "
        f"{stats.notices_seen} seen again"
    )
    for error in stats.errors:
        click.echo(f"  error: {error}", err=True)


def _find(find: Any, sources: list[Any], name: str, error: type[Exception]) -> Any:
    try:
        return find(sources, name)
    except error as exc:
        raise click.ClickException(str(exc)) from exc


def _hourly() -> Any:
    from notices.sources import Schedule

    return Schedule.parse("every 1h")


@main.command("sources")
@click.option("--db", help=_DB_HELP)
@click.option("--sources", "sources_file", type=click.Path(path_type=Path), help=_SOURCES_HELP)
def sources_command(db: str | None, sources_file: Path | None) -> None:
    """List the sources with their last run."""
    store = _store(db)
    try:
        for source in _sources(sources_file):
            runs = store.runs(source.name, limit=1)
            last = "never run"
            if runs:
                run = runs[0]
                s = run.stats
                when = run.started_at.astimezone(SHANGHAI).isoformat(timespec="seconds")
                read = f"{s.pages_fetched} read, {s.pages_skipped} unchanged"
                last = f"last run {when}: {read}, {s.pages_failed} failed, {s.notices_new} new"
            schedule = source.schedule.cron or f"every {source.schedule.every}"
            click.echo(f"{source.name}\t{source.kind}\t{schedule}\t{last}")
    finally:
        store.close()


@main.group("token")
def token_group() -> None:
    """Make, list and revoke the staff's API tokens (kept as digests, never in the clear)."""


@token_group.command("create")
@click.argument("name")
@click.option("--db", help=_DB_HELP)
def token_create(name: str, db: str | None) -> None:
    """Make a token for NAME and print it, once: only its digest is kept."""
    from notices import tokens
    from notices.errors import EditError

    token = tokens.new_token()
    store = _store(db)
    try:
        store.add_token(name, tokens.digest(token), datetime.now(SHANGHAI))
    except EditError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        store.close()
    click.echo(token)


@token_group.command("list")
@click.option("--db", help=_DB_HELP)
def token_list(db: str | None) -> None:
    """List the stored tokens' names and when each was made."""
    store = _store(db)
    try:
        for name, _, made in store.tokens():
            click.echo(f"{name}\t{made.astimezone(SHANGHAI).isoformat()}")
    finally:
        store.close()


@token_group.command("revoke")
@click.argument("name")
@click.option("--db", help=_DB_HELP)
def token_revoke(name: str, db: str | None) -> None:
    """Forget NAME's token: requests carrying it are refused from now on."""
    store = _store(db)
    try:
        if not store.revoke_token(name):
            raise click.ClickException(f"no token named {name!r}")
    finally:
        store.close()


@main.command("worker")
@click.option("--db", help=_DB_HELP)
@click.option("--sources", "sources_file", type=click.Path(path_type=Path), help=_SOURCES_HELP)
def worker_command(db: str | None, sources_file: Path | None) -> None:
    """Run the scheduler: ingest every source on its schedule, until interrupted."""
    import logging

    from notices import settings
    from service.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    run_worker(_sources(sources_file), db or settings.get("DATABASE_URL"))


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option("--db", help=_DB_HELP)
@click.option("--sources", "sources_file", type=click.Path(path_type=Path), help=_SOURCES_HELP)
@click.option("--no-scheduler", is_flag=True, help="Serve only; run `notices worker` elsewhere.")
def serve_command(
    host: str, port: int, db: str | None, sources_file: Path | None, no_scheduler: bool
) -> None:
    """Serve feeds and the API, ingesting the sources on their schedules in this process.

    For production run gunicorn on service.app:create_app() and `notices worker` apart
    (see deploy/); the scheduler here is for the embedded default only.
    """
    import logging
    import os

    from apscheduler.schedulers.background import BackgroundScheduler

    from notices import settings
    from service.app import create_app
    from service.worker import schedule

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    database = db or settings.get("DATABASE_URL")
    config: dict[str, Any] = {"DATABASE_URL": database}
    if "NOTICES_BASE_URL" not in os.environ:  # links in feeds point where we serve
        config["BASE_URL"] = f"http://{host}:{port}"
    if sources_file:
        config["SOURCES"] = str(sources_file)
        os.environ["NOTICES_SOURCES"] = str(sources_file)
    app = create_app(config)
    scheduler = None
    if not no_scheduler:
        scheduler = BackgroundScheduler(timezone=SHANGHAI)
        schedule(scheduler, _sources(sources_file), database)
        scheduler.start()
    click.echo(
        f"notices: serving on http://{host}:{port}/  (feeds: /feeds/road-closures.rss, "
        f"API: /api/v1/notices, store: {database})"
    )
    try:
        app.run(host=host, port=port, use_reloader=False, threaded=True)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
