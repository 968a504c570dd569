"""The settings table is the one source of truth: the README documents every setting."""

from __future__ import annotations

from pathlib import Path

from notices import settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_documents_every_setting() -> None:
    text = README.read_text(encoding="utf-8")
    for setting in settings.SETTINGS:
        row = next(
            (
                line
                for line in text.splitlines()
                if line.startswith("|") and f"`{setting.variable}`" in line
            ),
            None,
        )
        assert row is not None, f"README lacks {setting.variable}"
        assert setting.help.split(":")[0].split(",")[0] in row, (
            f"README's row for {setting.variable} drifted"
        )


def test_environment_overrides_defaults(monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("NOTICES_HTTP_TIMEOUT", "3.5")
    assert settings.get_float("HTTP_TIMEOUT") == 3.5
    monkeypatch.delenv("NOTICES_SOURCES", raising=False)
    assert settings.sources_path().name == "sources.toml"
