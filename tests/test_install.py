"""A plain, non-editable install parses: the grammars ship inside the package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_non_editable_install_parses(tmp_path: Path, notice_page: str) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(ROOT),
        ],
        check=True,
        cwd=tmp_path,
    )
    assert (target / "notices" / "grammar" / "road.lark").is_file()
    for shipped in ("templates/dashboard/index.html", "static/dashboard.css", "static/dashboard.js"):
        assert (target / "service" / shipped).is_file(), shipped  # the dashboard's files
    page = tmp_path / "page.txt"
    page.write_text(notice_page, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run(
        [sys.executable, "-c", "from notices.cli import main; main()", "parse", str(page)],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    ).stdout
    kinds = [r["kind"] for r in json.loads(out)]
    assert kinds.count("road_closure") == 2
