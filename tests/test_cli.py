"""The ``notices parse`` command: formats, encodings, standard input, unreadable files."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from notices.cli import main

NOTICE = (
    "封路通告\n因丹霍线K189+400至K191+942段施工，将于7月8日至22日全幅封闭。\n"
    "本溪市交通运输局\n2025年7月7日\n"
)


def _run(*args: str, stdin: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["parse", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_json_array_names_the_file(tmp_path: Path, notice_page: str) -> None:
    page = tmp_path / "page.txt"
    page.write_text(notice_page, encoding="utf-8")
    code, out, _ = _run(str(page))
    records = json.loads(out)
    assert code == 0
    assert [r["kind"] for r in records].count("road_closure") == 2
    assert all(r["source"]["url"] == str(page) for r in records)


def test_encodings_are_read(tmp_path: Path) -> None:
    for encoding in ("utf-8", "gb18030", "utf-16", "utf-16-le", "utf-8-sig"):
        page = tmp_path / f"{encoding}.txt"
        page.write_bytes(NOTICE.encode(encoding))
        code, out, err = _run(str(page), "--published-on", "2025-07-08")
        assert code == 0, err
        (record,) = json.loads(out)
        assert record["window"]["start"] == "2025-07-08", encoding
        assert record["window"]["end"] == "2025-07-22", encoding


def test_published_on_supplies_the_missing_year(tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_text(NOTICE.replace("2025年7月7日", "7月7日"), encoding="utf-8")
    _, out, _ = _run(str(page), "--published-on", "2024-07-08")
    (record,) = json.loads(out)
    assert record["window"]["start"] == "2024-07-08" and record["issued_on"] == "2024-07-07"


def test_unreadable_files_are_errors_and_the_others_still_parse(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(NOTICE, encoding="utf-8")
    binary = tmp_path / "junk.bin"
    binary.write_bytes(bytes(range(256)) * 20)
    missing = tmp_path / "missing.txt"
    code, out, err = _run(str(binary), str(missing), str(good))
    assert code == 1
    assert len(json.loads(out)) == 1
    assert "junk.bin" in err and "missing.txt" in err


def test_jsonl_and_table(tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_text(NOTICE, encoding="utf-8")
    _, out, _ = _run(str(page), "--format", "jsonl")
    assert json.loads(out.splitlines()[0])["kind"] == "road_closure"
    _, out, _ = _run(str(page), "--format", "table")
    assert "丹霍线" in out and "full" in out


def test_table_has_a_header_naming_every_column(tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_text(NOTICE + "\n遗失声明\n王小明不慎遗失身份证，声明作废。\n", encoding="utf-8")
    code, out, _ = _run(str(page), "--format", "table")
    header, *rows = out.splitlines()
    assert code == 0
    assert header.split("\t")[:3] == ["id", "kind", "routes|holder"]
    assert [row.split("\t")[1] for row in rows] == ["road_closure", "loss_declaration"]
    assert all(len(row.split("\t")) == len(header.split("\t")) for row in rows)
    assert rows[1].split("\t")[2] == "王小明"


def test_a_dash_reads_standard_input_in_any_encoding() -> None:
    for encoding in ("utf-8", "gb18030", "utf-16"):
        code, out, err = _run("-", "--published-on", "2025-07-08", stdin=NOTICE.encode(encoding))
        assert code == 0, err
        (record,) = json.loads(out)
        assert record["routes"][0]["name"] == "丹霍线", encoding
        assert record["source"]["url"] is None  # no file to name


def test_standard_input_beside_files(tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_text(NOTICE, encoding="utf-8")
    code, out, _ = _run(str(page), "-", "--format", "jsonl", stdin=NOTICE.encode())
    assert code == 0
    assert [json.loads(line)["source"]["url"] for line in out.splitlines()] == [str(page), None]


def test_bad_date_option_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = _run(str(tmp_path / "x.txt"), "--published-on", "tomorrow")
    assert code == 2 and "tomorrow" in err
