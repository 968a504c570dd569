"""The sources file: kinds, schedules, and clear errors."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from notices.errors import ConfigError
from notices.sources import Schedule, find_source, load_sources

ROOT = Path(__file__).resolve().parent.parent


def test_the_example_and_the_demo_sources_load() -> None:
    example = load_sources(ROOT / "deploy" / "sources.example.toml")
    paper = find_source(example, "本溪日报")
    assert paper.kind == "epaper" and paper.schedule.cron == "30 6 * * *"
    assert paper.index_url(date(2025, 7, 8)).endswith("/html/2025-07/08/node_2.htm")
    (demo,) = load_sources(ROOT / "notices" / "demo" / "sources.toml")
    assert demo.kind == "directory" and demo.path is not None and demo.path.is_dir()


@pytest.mark.parametrize(
    ("text", "every"), [("every 30m", timedelta(minutes=30)), ("every 6h", timedelta(hours=6))]
)
def test_interval_schedules(text: str, every: timedelta) -> None:
    assert Schedule.parse(text).every == every


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[source]]\nname = "x"\nkind = "ftp"\n', "kind must be"),
        ('[[source]]\nname = "x"\nkind = "epaper"\n', "needs 'index'"),
        ('[[source]]\nkind = "url"\nurls = []\n', "lacks 'name'"),
        ('[[source]]\nname = "x"\nkind = "url"\nurls = []\nschedule = "sometimes"\n', "schedule"),
        ("[[source]\n", "cannot read"),
    ],
)
def test_bad_sources_files_say_what_is_wrong(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_sources(path)


def test_unknown_source_names_the_known_ones() -> None:
    sources = load_sources(ROOT / "deploy" / "sources.example.toml")
    with pytest.raises(ConfigError, match="county-pdfs"):
        find_source(sources, "nosuch")
