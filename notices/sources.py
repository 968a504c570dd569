"""Sources: where new pages come from, read from a TOML file.

```toml
[[source]]
name = "本溪日报"
publication = "本溪日报"
region = "辽宁省本溪市"
region_code = "210500"
kind = "epaper"                      # epaper | directory | url
schedule = "0 7 * * *"               # a crontab line, or "every 30m" / "every 6h"
index = "https://epaper.example/html/{date:%Y-%m/%d}/node_2.htm"
# optional, for layouts that are not Founder-style:
page_selector = "#pagelist a"
article_selector = ".titles a"
content_selector = "#article"
allowed_hosts = ["img.epaper.example"]   # hosts a redirect may lead to, besides the index's

[[source]]
name = "demo"
kind = "directory"
path = "pages"                       # relative to the TOML file
schedule = "every 1h"

[[source]]
name = "county-notices"
kind = "url"
urls = ["https://example.invalid/notice.html"]
schedule = "every 6h"
```
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from notices.errors import ConfigError

Kind = Literal["epaper", "directory", "url"]
_EVERY = re.compile(r"every\s+(\d+)\s*([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


@dataclass(frozen=True)
class Schedule:
    """When a source is ingested: a crontab line, or a fixed interval."""

    cron: str | None = None
    every: timedelta | None = None

    @classmethod
    def parse(cls, text: str) -> Schedule:
        """Read ``"0 7 * * *"`` or ``"every 30m"``."""
        match = _EVERY.match(text.strip())
        if match:
            return cls(every=timedelta(**{_UNITS[match.group(2)]: int(match.group(1))}))
        if len(text.split()) == 5:
            return cls(cron=text.strip())
        raise ConfigError(f"schedule {text!r} is neither a crontab line nor 'every N[smhd]'")

    @property
    def seconds(self) -> float:
        """Roughly how often the source is ingested (for feed caching)."""
        return self.every.total_seconds() if self.every else 24 * 3600.0


@dataclass(frozen=True)
class Source:
    """One source of pages."""

    name: str
    kind: Kind
    schedule: Schedule
    publication: str | None = None
    region: str | None = None
    region_code: str | None = None
    index: str | None = None  # epaper: edition index URL template with {date:…}
    path: Path | None = None  # directory
    urls: tuple[str, ...] = ()  # url
    page_selector: str | None = None
    article_selector: str | None = None
    content_selector: str | None = None
    allowed_hosts: tuple[str, ...] = ()  # hosts a redirect may lead to, besides its own

    def hosts(self) -> frozenset[str]:
        """The hosts this source's pages may be fetched from: its own and those it allows."""
        own = (urlsplit(url).hostname for url in (self.index or "", *self.urls))
        return frozenset(host.lower() for host in (*own, *self.allowed_hosts) if host)

    def index_url(self, edition: date) -> str:
        """The edition index URL of one day."""
        if self.index is None:
            raise ConfigError(f"source {self.name!r} has no index URL")
        return self.index.format(date=edition)


def load_sources(path: Path) -> list[Source]:
    """Read the sources file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read sources file {path}: {exc}") from exc
    sources = [_source(entry, path.parent) for entry in data.get("source", [])]
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        raise ConfigError(f"{path}: source names must be unique")
    return sources


def _source(entry: dict[str, Any], base: Path) -> Source:
    try:
        name, kind = str(entry["name"]), entry["kind"]
    except KeyError as exc:
        raise ConfigError(f"a source lacks {exc.args[0]!r}") from exc
    if kind not in ("epaper", "directory", "url"):
        raise ConfigError(f"source {name!r}: kind must be epaper, directory or url, not {kind!r}")
    required = {"epaper": "index", "directory": "path", "url": "urls"}[kind]
    if required not in entry:
        raise ConfigError(f"source {name!r} ({kind}) needs {required!r}")
    folder = entry.get("path")
    return Source(
        name=name,
        kind=kind,
        schedule=Schedule.parse(str(entry.get("schedule", "every 1h"))),
        publication=entry.get("publication", name),
        region=entry.get("region"),
        region_code=entry.get("region_code"),
        index=entry.get("index"),
        path=(base / folder).resolve() if folder else None,
        urls=tuple(entry.get("urls", ())),
        page_selector=entry.get("page_selector"),
        article_selector=entry.get("article_selector"),
        content_selector=entry.get("content_selector"),
        allowed_hosts=tuple(str(host).lower() for host in entry.get("allowed_hosts", ())),
    )


def find_source(sources: list[Source], name: str) -> Source:
    """The source of that name."""
    for source in sources:
        if source.name == name:
            return source
    known = ", ".join(s.name for s in sources) or "none"
    raise ConfigError(f"no source named {name!r} (known: {known})")
