"""Incremental editions: an edition index answered 304 still leads to page indexes that changed.

On SQLite and a real PostgreSQL, against a Founder e-paper on a local HTTP server that
answers 304 to a matching ``If-None-Match``.
"""

from __future__ import annotations

from typing import Any

import pytest
from epaper import Edition
from test_ingest import DAY, Notices, _edition, _serve, _source

from notices.fetch import Http
from notices.ingest import ingest_once


@pytest.fixture(scope="module")
def notices(notice_page: str) -> Notices:
    """Seed page 000's road closures, then its declarations (as test_ingest reads them)."""
    found = notice_page[notice_page.index("封路通告") :]
    return found[: found.index("遗失声明")], found[found.index("遗失声明") :]


ADDED = "遗失声明\n王晓明遗失身份证，证号21050419860722101X，声明作废。\n"


def _with_an_article_added(edition: Edition) -> Edition:
    label, articles = edition.pages[1]
    return Edition(edition.day, [edition.pages[0], (label, [*articles, ("又一则遗失声明", ADDED)])])


def test_an_article_added_under_an_unchanged_edition_index_is_read(
    http_server: Any, store: Any, notices: Notices
) -> None:
    first, later = _edition(notices), _with_an_article_added(_edition(notices))
    edition_index = f"{first.folder}/node_2.htm"
    assert first.files()[edition_index] == later.files()[edition_index]  # 304 next time
    _serve(http_server, first)
    source = _source(http_server)
    with Http(retries=0, delay=0.0) as http:
        before = ingest_once(source, store, http, editions=[DAY])
        page_one = {p: http_server.hits(p) for p in first.files() if p.endswith("content_11.htm")}
        _serve(http_server, later)
        after = ingest_once(source, store, http, editions=[DAY])
        again = ingest_once(source, store, http, editions=[DAY])
    assert before.notices_new == 5 and not before.errors
    assert after.notices_new == 1 and after.pages_fetched == 1, after
    assert any(r.get("holder") == "王晓明" for r in store.notices(limit=50))
    asked = http_server.requests(edition_index)
    assert asked[-1].get("if-none-match")  # the index was asked conditionally, and was unchanged
    assert all(http_server.hits(p) == n for p, n in page_one.items())  # page one not asked again
    assert again.notices_new == 0 and again.pages_fetched == 0  # and now all of it is known
