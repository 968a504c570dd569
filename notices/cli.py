"""The ``notices`` command."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import click

from notices.errors import InputError
from notices.model import Record, RoadClosure
from notices.parse import parse_page
from notices.reading import decode
from notices.serialize import to_dict, to_json


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
