"""The ``notices`` command."""

from __future__ import annotations

import json
import os
import re
import sys
from datetime import date, datetime, timedelta, tzinfo
from functools import cache
from pathlib import Path
from typing import Any

import click

from notices.errors import ConfigError, InputError
from notices.model import Record, RoadClosure
from notices.parse import parse_page
from notices.reading import decode
from notices.serialize import to_dict, to_json


@cache
def _shanghai() -> tzinfo:
    """Asia/Shanghai, read on first use: ``notices parse`` shows no time of day."""
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


class _Commands(click.Group):
    """The command group: a setting that cannot be used is a one-line error, not a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Commands)
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
    """Print the notices found in PATHS (text files in UTF-8, GB18030 or UTF-16; - is stdin)."""
    records: list[Record] = []
    failed = 0
    for path in paths:
        try:
            text = decode(_read(path))
        except (OSError, InputError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            click.echo(f"notices: {path}: {reason}", err=True)
            failed += 1
            continue
        edition = published_on.date() if published_on else None
        url = None if str(path) == "-" else str(path)
        records.extend(parse_page(text, url=url, published_on=edition))
    _print(records, fmt)
    if failed:
        sys.exit(1)


def _read(path: Path) -> bytes:
    if str(path) == "-":
        return sys.stdin.buffer.read()
    return path.read_bytes()


def _print(records: list[Record], fmt: str) -> None:
    if fmt == "json":
        click.echo(to_json(records))
    elif fmt == "jsonl":
        for record in records:
            click.echo(json.dumps(to_dict(record), ensure_ascii=False))
    else:
        click.echo("\t".join(_TABLE_HEADER))
        for record in records:
            click.echo("\t".join(_row(record)))


# One header for both kinds: a column shows a closure's field, or a declaration's.
_TABLE_HEADER = (
    "id",
    "kind",
    "routes|holder",
    "closure|documents",
    "window|identifiers",
    "source",
)


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
    """Open the store at --db, else NOTICES_DATABASE_URL; one that cannot be opened is an error."""
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

    from notices import settings
    from notices.store import Store

    url = db or settings.get("DATABASE_URL")
    try:
        return Store.open(url)
    except (ArgumentError, NoSuchModuleError, DBAPIError, ImportError) as exc:
        cause = exc.orig if isinstance(exc, DBAPIError) else exc
        reason = (str(cause).strip() or type(cause).__name__).splitlines()[0]
        where = "--db" if db else "NOTICES_DATABASE_URL"
        message = f"cannot open the store {_shown(url)} ({where}): {reason}"
        raise click.ClickException(message) from exc


def _shown(url: str) -> str:
    """Return a store URL fit to print: any password hidden."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


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
    from notices.ingest import ingest_once, stop_on_signals
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
                with stop_on_signals() as stop:  # SIGTERM: finish the pages in hand, release
                    stats = ingest_once(
                        chosen, store, http, editions=_days(start, end), progress=advance, stop=stop
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
    if stats.pages_failed or stats.errors:  # a run that missed something is no success
        click.echo(f"notices: {chosen.name}: the run did not read everything", err=True)
        sys.exit(1)


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
                when = run.started_at.astimezone(_shanghai()).isoformat(timespec="seconds")
                read = f"{s.pages_fetched} read, {s.pages_skipped} unchanged"
                last = f"last run {when}: {read}, {s.pages_failed} failed, {s.notices_new} new"
                status = "running" if run.finished_at is None else "failed" if s.errors else "ok"
                last += f"; {status}" + (f"; last error: {s.errors[-1]}" if s.errors else "")
            schedule = source.schedule.cron or f"every {source.schedule.every}"
            click.echo(f"{source.name}\t{source.kind}\t{schedule}\t{last}")
    finally:
        store.close()


@main.group("db")
def db_group() -> None:
    """Look after the store's schema."""


@db_group.command("upgrade")
@click.option("--db", help=_DB_HELP)
def db_upgrade(db: str | None) -> None:
    """Bring the store's schema to the latest migration (run once before starting a release)."""
    store = _store(db)  # opening migrates, one process at a time on PostgreSQL
    try:
        click.echo(f"store {_shown(db or _database_url())}: schema at {store.schema_revision()}")
    finally:
        store.close()


def _database_url() -> str:
    from notices import settings

    return settings.get("DATABASE_URL")


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
        store.add_token(name, tokens.digest(token), datetime.now(_shanghai()))
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
            click.echo(f"{name}\t{made.astimezone(_shanghai()).isoformat()}")
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
    from notices import settings
    from service.devserver import log_to_stderr
    from service.worker import run_worker

    log_to_stderr()
    _store(db).close()  # a store that cannot be opened is an error now, not at each run
    run_worker(_sources(sources_file), db or settings.get("DATABASE_URL"))


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    help="Port to listen on (default: $NOTICES_PORT, else 8000; 0: any free port).",
)
@click.option("--db", help=_DB_HELP)
@click.option("--sources", "sources_file", type=click.Path(path_type=Path), help=_SOURCES_HELP)
@click.option("--no-scheduler", is_flag=True, help="Serve only; run `notices worker` elsewhere.")
def serve_command(
    host: str, port: int | None, db: str | None, sources_file: Path | None, no_scheduler: bool
) -> None:
    """Serve feeds and the API, ingesting the sources on their schedules in this process.

    For production run gunicorn on service.app:create_app() and `notices worker` apart
    (see deploy/); the server and scheduler here are for the embedded default only.
    """
    from notices import settings
    from service.devserver import address, listen, log_to_stderr

    log_to_stderr()
    _store(db).close()  # migrated before the first request, and a bad URL is an error
    database = db or settings.get("DATABASE_URL")
    sources = _sources(sources_file)
    app = _app(database, sources_file, host)
    server = listen(host, settings.get_port() if port is None else port, app)
    served = address(server)
    if "NOTICES_BASE_URL" not in os.environ:  # links in feeds point where we serve
        app.config["BASE_URL"] = served.rstrip("/")
    scheduler = None if no_scheduler else _start_scheduler(sources, database)
    click.echo(
        f"notices: serving on {served}  (feeds: {served}feeds/road-closures.rss, "
        f"API: {served}api/v1/notices, store: {_shown(database)})"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass  # Ctrl-C is how it stops
    finally:
        server.server_close()
        if scheduler is not None:
            scheduler.shutdown(wait=False)


def _app(database: str, sources_file: Path | None, host: str) -> Any:
    from service.app import create_app

    # The default identifier key is tolerated on a loopback address only (service.guard).
    config: dict[str, Any] = {"DATABASE_URL": database, "LOCAL_DEMO": _loopback(host)}
    if sources_file:
        config["SOURCES"] = str(sources_file)
        os.environ["NOTICES_SOURCES"] = str(sources_file)
    return create_app(config)


def _start_scheduler(sources: list[Any], database: str) -> Any:
    from apscheduler.schedulers.background import BackgroundScheduler

    from service.worker import schedule

    scheduler = BackgroundScheduler(timezone=_shanghai())
    schedule(scheduler, sources, database)
    scheduler.start()
    return scheduler


def _loopback(host: str) -> bool:
    import ipaddress

    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
