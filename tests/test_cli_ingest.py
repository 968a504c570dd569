"""``notices ingest`` and ``notices sources`` from the command line, on the demo source."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from notices.cli import main
from notices.store import Store


def test_ingest_the_demo_source_then_list_it(sqlite_url: str) -> None:
    runner = CliRunner()
    first = runner.invoke(main, ["ingest", "demo", "--db", sqlite_url])
    assert first.exit_code == 0, first.output
    assert "0 failed" in first.stdout and "new notices" in first.stdout
    store = Store.open(sqlite_url)
    try:
        found = store.count_notices()
    finally:
        store.close()
    assert found >= 3  # two closures and the classified page's declarations
    again = runner.invoke(main, ["ingest", "demo", "--db", sqlite_url])
    assert again.exit_code == 0 and "0 new notices" in again.stdout
    listing = runner.invoke(main, ["sources", "--db", sqlite_url])
    assert listing.exit_code == 0
    assert listing.stdout.startswith("demo\tdirectory\tevery 1:00:00\tlast run ")


def test_ingest_files_by_hand(tmp_path: Path, sqlite_url: str, notice_page: str) -> None:
    page = tmp_path / "page.txt"
    page.write_text(notice_page, encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", "--file", str(page), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "5 new notices" in result.stdout


def test_unknown_source_and_bad_range_are_user_errors(sqlite_url: str) -> None:
    runner = CliRunner()
    unknown = runner.invoke(main, ["ingest", "nosuch", "--db", sqlite_url])
    assert unknown.exit_code == 1 and "no source named 'nosuch'" in unknown.stderr
    backwards = runner.invoke(
        main, ["ingest", "demo", "--from", "2025-07-09", "--to", "2025-07-01", "--db", sqlite_url]
    )
    assert backwards.exit_code == 2
    nothing = runner.invoke(main, ["ingest", "--db", sqlite_url])
    assert nothing.exit_code == 2


def test_a_broken_sources_file_is_a_clear_error(tmp_path: Path, sqlite_url: str) -> None:
    broken = tmp_path / "sources.toml"
    broken.write_text('[[source]]\nname = "x"\nkind = "ftp"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["sources", "--db", sqlite_url, "--sources", str(broken)])
    assert result.exit_code == 1 and "kind must be" in result.stderr
