"""Hostile pages: a PDF bomb and a trickling server contained within set limits, HTML of
any depth read whole, redirects held to a source's hosts, no server path published."""

from __future__ import annotations

import html
import re
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from httpserver import Server
from test_extract import hand_made_pdf

from notices.errors import Disallowed, FetchError, OverBudget
from notices.extract import html_text
from notices.fetch import Http
from notices.ingest import ingest_once
from notices.parse import parse_page
from notices.sandbox import pdf_text_limited
from notices.sources import Schedule, Source
from notices.store import Store
from service.app import create_app

ROOT = Path(__file__).resolve().parent
PAGE = "遗失声明\n李明遗失身份证，证号21050419860722101X，声明作废。\n"


def bomb(inflated_mb: int) -> bytes:
    """A PDF of a few hundred KB whose content stream inflates to ``inflated_mb`` MB."""
    deflate = zlib.compressobj(1)
    parts = [deflate.compress(b"BT /F1 12 Tf 72 700 Td (Hello) Tj ET\n")]
    spaces = b" " * (1024 * 1024)
    parts += [deflate.compress(spaces) for _ in range(inflated_mb)]
    return hand_made_pdf(b"".join(parts) + deflate.flush(), deflated=True)


def test_a_pdf_bomb_is_refused_within_its_limits() -> None:
    data = bomb(400)
    assert len(data) < 2_000_000
    with pytest.raises(OverBudget, match="limits"):
        pdf_text_limited(data, memory_mb=256, cpu_seconds=10)
    assert pdf_text_limited(bomb(1), memory_mb=256, cpu_seconds=10).strip() == "Hello"


def test_a_pdf_bomb_in_a_folder_fails_its_page_not_the_run(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NOTICES_EXTRACT_MEMORY_MB", "256")
    (tmp_path / "bomb.pdf").write_bytes(bomb(400))
    (tmp_path / "page.txt").write_text(PAGE, encoding="utf-8")
    source = Source(
        name="folder", kind="directory", schedule=Schedule.parse("every 1h"), path=tmp_path
    )
    store = Store.open(sqlite_url)
    try:
        with Http() as http:
            stats = ingest_once(source, store, http)
    finally:
        store.close()
    assert stats.pages_fetched == 1 and stats.pages_failed == 1 and stats.notices_new == 1
    assert "OverBudget" in stats.errors[0] and "bomb.pdf" in stats.errors[0]


class Trickler:
    """A server on 127.0.0.1 that sends ``prompt`` at once, then ``trickled`` a byte a ``pause``."""

    def __init__(self, prompt: bytes, trickled: bytes, pause: float) -> None:
        self._prompt, self._trickled, self._pause = prompt, trickled, pause
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._trickle, args=(connection,), daemon=True).start()

    def _trickle(self, connection: socket.socket) -> None:
        with connection:
            try:
                connection.recv(65536)
                connection.sendall(self._prompt)
                for byte in self._trickled:
                    if self._stop.wait(self._pause):
                        return
                    connection.sendall(bytes([byte]))
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        self._listener.close()


HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n"


@pytest.fixture(params=["headers", "body"])
def trickler(request: pytest.FixtureRequest) -> Iterator[Trickler]:
    """Trickling from the status line on, or the body after headers sent at once."""
    body = b"x" * 100_000
    prompt, trickled = (b"", HEAD + body) if request.param == "headers" else (HEAD, body)
    server = Trickler(prompt, trickled, pause=0.2)
    yield server
    server.close()


def test_a_trickling_server_is_cut_off_at_the_deadline(trickler: Trickler) -> None:
    # Each byte comes well within the read timeout (5 s): only a deadline stops this.
    with Http(timeout=5, retries=3, deadline=1.5, respect_robots=False) as http:
        began = time.monotonic()
        with pytest.raises(FetchError, match="deadline"):
            http.get(f"http://127.0.0.1:{trickler.port}/page.txt")
        took = time.monotonic() - began
    assert took > 1.4  # not before the deadline (the error says the deadline cut it)
    assert trickler.connections == 1  # one deadline, not retried


def test_redirects_stay_on_the_hosts_a_source_allows(http_server: Server) -> None:
    """127.0.0.1 and localhost are one server but two hosts, each with its robots.txt."""
    port = http_server.url("/").split(":")[-1].rstrip("/")
    http_server.add(
        "/moved.txt", status=302, headers={"Location": f"http://localhost:{port}/page.txt"}
    )
    http_server.add(
        "/hidden.txt", status=302, headers={"Location": f"http://localhost:{port}/private/p.txt"}
    )
    http_server.add("/page.txt", body=PAGE.encode(), headers={"Content-Type": "text/plain"})
    http_server.add("/robots.txt", body=b"User-agent: *\nDisallow: /private/\n")
    own = frozenset({"127.0.0.1"})
    with Http(delay=0) as http:
        with pytest.raises(FetchError, match="localhost, a host this source does not allow"):
            http.get(http_server.url("/moved.txt"), hosts=own)
        fetched = http.get(http_server.url("/moved.txt"), hosts=own | {"localhost"})
        assert fetched.content == PAGE.encode() and fetched.url.startswith("http://localhost:")
        assert http_server.hits("/robots.txt") == 2  # the redirect's host was asked too
        with pytest.raises(Disallowed):
            http.get(http_server.url("/hidden.txt"), hosts=own | {"localhost"})
    source = Source(name="s", kind="url", schedule=Schedule.parse("every 1h"),
                    urls=(http_server.url("/moved.txt"),), allowed_hosts=("localhost",))  # fmt: skip
    assert source.hosts() == {"127.0.0.1", "localhost"}


@pytest.mark.parametrize("depth", [300, 3000])
def test_html_nested_deeper_than_the_parser_goes_is_read_whole(depth: int) -> None:
    page = (
        "<html><body><p>开头</p>" + "<div><span>" * depth + "遗失声明" + "</span></div>" * depth
        + "<p>李明遗失身份证，证号21050419860722101X，声明作废。</p><script>var x;</script></body></html>"
    )  # fmt: skip
    text = html_text(page)
    assert text.splitlines()[0] == "开头" and text.endswith("声明作废。")
    assert "var x" not in text
    assert len(parse_page(text)) == 1


def _as_html(text: str) -> list[str]:
    """A text page as sites print it: a <p> per paragraph with <br> lines, or <br>s throughout."""
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    paragraphs = "".join(
        "<p>" + "<br>".join(html.escape(x) for x in b.splitlines()) + "</p>" for b in blocks
    )
    lines = "<br>".join(html.escape(x) for x in text.splitlines())
    return [
        f"<html><body>{paragraphs}</body></html>",
        f"<html><body><div>{lines}</div></body></html>",
    ]


def _meaning(text: str) -> list[tuple[str, str, str]]:
    return [(r.kind, r.id, r.text) for r in parse_page(text)]


def test_html_paragraphs_give_the_notices_their_text_gives() -> None:
    pages = sorted(ROOT.glob("corpus/*/*.txt")) + sorted(ROOT.glob("corpus/holdout2/*/*.txt"))
    assert any(p.name == "024_news_quoted_truck_ban_jiriqi.txt" for p in pages)  # lost before
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for marked_up in _as_html(text):
            assert _meaning(html_text(marked_up)) == _meaning(text), page.name


def test_a_folder_source_publishes_no_server_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    # a notice of its own: the API keeps public records by id and revision, across apps
    (folder / "2025-07-08.txt").write_text(PAGE.replace("李明", "李文件"), encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[source]]\nname = "folder"\nkind = "directory"\npath = "pages"\n', encoding="utf-8"
    )
    url = f"sqlite:///{tmp_path / 'n.sqlite3'}"
    from notices.sources import load_sources

    store = Store.open(url)
    with Http() as http:
        ingest_once(
            load_sources(sources)[0], store, http, now=lambda: datetime(2025, 7, 8, tzinfo=UTC)
        )
    store.close()
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SOURCES": str(sources)})
    client = app.test_client()
    for path in (
        "/api/v1/notices",
        "/api/v1/sources",
        "/feeds/all.rss",
        "/feeds/all.atom",
        "/feeds/all.json",
    ):
        body = client.get(path).get_data(as_text=True)
        assert "file:" not in body and str(tmp_path) not in body, path
    notice = client.get("/api/v1/notices").get_json()["items"][0]
    assert notice["source"]["url"] is None and notice["sightings"][0]["url"] is None
    errors = client.get("/api/v1/sources").get_json()["sources"][0]["runs"][0]["errors"]
    assert errors and errors[0].startswith("broken.pdf: ")


def test_a_folder_file_past_the_size_limit_fails_as_a_fetch_would(
    tmp_path: Path, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import notices.ingest

    monkeypatch.setattr(notices.ingest, "MAX_FILE_BYTES", 1000)
    (tmp_path / "big.txt").write_text(PAGE * 100, encoding="utf-8")
    (tmp_path / "page.txt").write_text(PAGE, encoding="utf-8")
    source = Source(
        name="folder", kind="directory", schedule=Schedule.parse("every 1h"), path=tmp_path
    )
    store = Store.open(sqlite_url)
    try:
        with Http() as http:
            stats = ingest_once(source, store, http)
    finally:
        store.close()
    assert stats.pages_fetched == 1 and stats.pages_failed == 1
    assert "TooLarge" in stats.errors[0] and "big.txt" in stats.errors[0]
