"""The HTTP client against a real local server: validators, retries, limits, robots.txt."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpserver
import pytest
from httpserver import Reply, Server

from notices.errors import Disallowed, FetchError, TooLarge
from notices.fetch import Fetched, Http

http_server = httpserver.http_server  # the fixture: a running server per test

DATE = "Tue, 08 Jul 2025 06:00:00 GMT"


def fast_http(**settings: Any) -> Http:
    """A client that gives up quickly, so failing paths keep the tests fast."""
    return Http(**({"timeout": 0.2, "retries": 2, "backoff": 0.01} | settings))


@pytest.fixture
def http() -> Iterator[Http]:
    with fast_http() as client:
        yield client


def test_a_page_comes_back_with_its_validators_and_charset(http_server: Server, http: Http) -> None:
    http_server.add(
        "/node_2.htm",
        body="<html>第A03版</html>".encode("gb18030"),
        headers={"Content-Type": "text/html; charset=GB2312"},
        etag='"v1"',
        last_modified=DATE,
    )
    fetched = http.get(http_server.url("/node_2.htm"))
    assert fetched == Fetched(
        url=http_server.url("/node_2.htm"),
        status=200,
        content="<html>第A03版</html>".encode("gb18030"),
        content_type="text/html",
        charset="GB2312",
        etag='"v1"',
        last_modified=DATE,
    )
    assert not fetched.not_modified


def test_the_charset_of_a_meta_tag_is_reported_when_the_header_has_none(
    http_server: Server, http: Http
) -> None:
    page = b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">'
    http_server.add("/a.htm", body=page, headers={"Content-Type": "text/html"})
    assert http.get(http_server.url("/a.htm")).charset == "gbk"


def test_a_matching_etag_is_answered_not_modified(http_server: Server, http: Http) -> None:
    http_server.add("/a.htm", body=b"page", etag='"v1"')
    first = http.get(http_server.url("/a.htm"))
    again = http.get(http_server.url("/a.htm"), etag=first.etag)
    assert again.not_modified
    assert (again.status, again.content, again.etag) == (304, b"", '"v1"')
    assert http_server.requests("/a.htm")[1]["if-none-match"] == '"v1"'


def test_a_changed_etag_gets_the_new_page(http_server: Server, http: Http) -> None:
    http_server.add("/a.htm", body=b"page v2", etag='"v2"')
    fetched = http.get(http_server.url("/a.htm"), etag='"v1"')
    assert (fetched.status, fetched.content, fetched.etag) == (200, b"page v2", '"v2"')


def test_if_modified_since_is_answered_not_modified(http_server: Server, http: Http) -> None:
    http_server.add("/a.htm", body=b"page", last_modified=DATE)
    first = http.get(http_server.url("/a.htm"))
    again = http.get(http_server.url("/a.htm"), last_modified=first.last_modified)
    assert again.not_modified
    assert (again.content, again.last_modified) == (b"", DATE)
    assert http_server.requests("/a.htm")[1]["if-modified-since"] == DATE


def test_a_304_without_validators_keeps_the_ones_sent(http_server: Server, http: Http) -> None:
    http_server.add("/a.htm", status=304)
    fetched = http.get(http_server.url("/a.htm"), etag='"v1"', last_modified=DATE)
    assert (fetched.not_modified, fetched.etag, fetched.last_modified) == (True, '"v1"', DATE)


def test_a_server_error_is_retried(http_server: Server, http: Http) -> None:
    http_server.add_sequence("/a.htm", [Reply(status=500), Reply(status=503), Reply(body=b"ok")])
    assert http.get(http_server.url("/a.htm")).content == b"ok"
    assert http_server.hits("/a.htm") == 3


def test_a_server_error_that_persists_is_a_fetch_error(http_server: Server, http: Http) -> None:
    http_server.add("/a.htm", status=502)
    with pytest.raises(FetchError) as raised:
        http.get(http_server.url("/a.htm"))
    assert (raised.value.status, raised.value.url) == (502, http_server.url("/a.htm"))
    assert http_server.hits("/a.htm") == 3  # the first try and two retries


def test_a_server_slower_than_the_timeout_is_a_fetch_error(http_server: Server, http: Http) -> None:
    http_server.add("/slow", body=b"late", delay=2.0)
    with pytest.raises(FetchError):
        http.get(http_server.url("/slow"))
    assert http_server.hits("/slow") == 3


def test_retries_back_off_exponentially(http_server: Server) -> None:
    http_server.add("/a.htm", status=500)
    started = time.monotonic()
    with fast_http(retries=3, backoff=0.05) as http, pytest.raises(FetchError):
        http.get(http_server.url("/a.htm"))
    assert time.monotonic() - started >= 0.05 + 0.1 + 0.2


def test_a_body_cut_short_is_retried(http_server: Server, http: Http) -> None:
    page = "遗失声明".encode("gb18030") * 100
    http_server.add_sequence("/a.htm", [Reply(body=page, cut_at=50), Reply(body=page)])
    assert http.get(http_server.url("/a.htm")).content == page
    assert http_server.hits("/a.htm") == 2


def test_a_body_always_cut_short_is_a_fetch_error(http_server: Server, http: Http) -> None:
    http_server.add("/a.htm", body=b"x" * 1000, cut_at=100)
    with pytest.raises(FetchError):
        http.get(http_server.url("/a.htm"))
    assert http_server.hits("/a.htm") == 3


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_a_client_error_is_not_retried(http_server: Server, http: Http, status: int) -> None:
    http_server.add("/a.htm", status=status)
    with pytest.raises(FetchError) as raised:
        http.get(http_server.url("/a.htm"))
    assert raised.value.status == status
    assert http_server.hits("/a.htm") == 1


def test_a_missing_page_is_a_fetch_error(http_server: Server, http: Http) -> None:
    with pytest.raises(FetchError):
        http.get(http_server.url("/never-added.htm"))
    assert http_server.hits("/never-added.htm") == 1


def test_a_refused_connection_is_a_fetch_error() -> None:
    with Server() as stopped:
        url = stopped.url("/a.htm")
    with fast_http(respect_robots=False) as http, pytest.raises(FetchError):
        http.get(url)


def test_a_huge_body_declared_is_refused_unread(http_server: Server) -> None:
    http_server.add("/big.pdf", body=bytes(20 * 1024 * 1024))
    with fast_http(max_bytes=1024 * 1024) as http, pytest.raises(TooLarge):
        http.get(http_server.url("/big.pdf"))
    assert http_server.sent("/big.pdf") < 20 * 1024 * 1024
    assert http_server.hits("/big.pdf") == 1  # too large is final


def test_a_huge_body_undeclared_stops_at_the_limit(http_server: Server) -> None:
    http_server.add("/big.pdf", body=bytes(20 * 1024 * 1024), content_length=False)
    with fast_http(max_bytes=1024 * 1024) as http, pytest.raises(TooLarge):
        http.get(http_server.url("/big.pdf"))
    assert http_server.sent("/big.pdf") < 20 * 1024 * 1024


def test_a_body_at_the_limit_is_read(http_server: Server) -> None:
    http_server.add("/a.pdf", body=b"%" * 1000, content_length=False)
    with fast_http(max_bytes=1000) as http:
        assert len(http.get(http_server.url("/a.pdf")).content) == 1000


def test_robots_txt_disallow_is_honoured(http_server: Server, http: Http) -> None:
    http_server.add("/robots.txt", body=b"User-agent: *\nDisallow: /private/\n")
    http_server.add("/private/a.htm", body=b"secret")
    http_server.add("/public/a.htm", body=b"page")
    with pytest.raises(Disallowed):
        http.get(http_server.url("/private/a.htm"))
    assert http.get(http_server.url("/public/a.htm")).content == b"page"
    assert http.get(http_server.url("/public/a.htm")).content == b"page"
    assert http_server.hits("/private/a.htm") == 0
    assert http_server.hits("/robots.txt") == 1  # fetched once per host


def test_robots_txt_rules_for_our_agent_apply(http_server: Server, http: Http) -> None:
    http_server.add(
        "/robots.txt", body=b"User-agent: notices\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    )
    http_server.add("/a.htm", body=b"page")
    with pytest.raises(Disallowed):
        http.get(http_server.url("/a.htm"))


def test_robots_txt_can_be_ignored(http_server: Server) -> None:
    http_server.add("/robots.txt", body=b"User-agent: *\nDisallow: /\n")
    http_server.add("/a.htm", body=b"page")
    with fast_http(respect_robots=False) as http:
        assert http.get(http_server.url("/a.htm")).content == b"page"
    assert http_server.hits("/robots.txt") == 0


def test_robots_txt_out_of_reach_allows_with_a_warning(
    http_server: Server, http: Http, caplog: pytest.LogCaptureFixture
) -> None:
    http_server.add("/robots.txt", status=500)
    http_server.add("/a.htm", body=b"page")
    assert http.get(http_server.url("/a.htm")).content == b"page"
    assert "robots.txt" in caplog.text


def test_the_user_agent_names_the_service(http_server: Server, http: Http) -> None:
    http_server.add("/a.htm", body=b"page")
    http.get(http_server.url("/a.htm"))
    assert http_server.requests("/a.htm")[0]["user-agent"].startswith("notices/")
    assert http_server.requests("/robots.txt")[0]["user-agent"].startswith("notices/")


def test_redirects_are_followed_to_the_final_url(http_server: Server, http: Http) -> None:
    http_server.add("/old.htm", status=301, headers={"Location": "/new.htm"})
    http_server.add("/new.htm", body=b"page")
    fetched = http.get(http_server.url("/old.htm"))
    assert (fetched.url, fetched.content) == (http_server.url("/new.htm"), b"page")


def test_requests_to_one_host_are_limited_per_host(http_server: Server) -> None:
    for n in range(8):
        http_server.add(f"/content_{n}.htm", body=b"page", delay=0.1)
    with fast_http(per_host=2, timeout=5.0) as http, ThreadPoolExecutor(8) as pool:
        pages = list(pool.map(http.get, [http_server.url(f"/content_{n}.htm") for n in range(8)]))
    assert [page.content for page in pages] == [b"page"] * 8
    assert http_server.max_concurrent == 2


def test_requests_to_one_host_are_spaced_by_the_delay(http_server: Server) -> None:
    http_server.add("/a.htm", body=b"page")
    with fast_http(delay=0.1, respect_robots=False) as http, ThreadPoolExecutor(4) as pool:
        started = time.monotonic()
        list(pool.map(http.get, [http_server.url("/a.htm")] * 4))
    assert time.monotonic() - started >= 0.3


def test_not_an_http_url_is_a_fetch_error(http: Http) -> None:
    with pytest.raises(FetchError):
        http.get("ftp://example.invalid/a.htm")
