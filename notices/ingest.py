"""Ingesting a source once: find its new pages, parse them, keep every notice exactly once.

``ingest_once(source, store, http)`` is a plain function: the scheduler only decides when
to call it. It walks the source (an e-paper edition's page indexes and articles, a folder,
a list of URLs), fetches each page conditionally (``If-None-Match``/``If-Modified-Since``),
skips pages whose text has not changed, parses the rest, and stores each page's notices in
one transaction with the sighting (source, edition, page, URL, fetch time). One failing
page is recorded as failed and the others go on; the run is recorded either way.
A lock in the store keeps two runs of one source (a scheduled job and a manual
``notices ingest``) from ever running at once. The lock is a lease (``LOCK_LEASE``,
90 s): a thread renews it while the run is alive, so a run killed outright (SIGKILL, the
OOM killer) frees its source within one lease, and the next run marks it failed. A run
asked to stop (``stop``: SIGTERM, see :func:`stop_on_signals`) finishes the pages in hand,
records what it left for next time, and releases the lock.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

from notices import settings
from notices.errors import NoticesError, SourceBusy, TooLarge
from notices.extract import decode_page, edition_links, html_text, page_label
from notices.fetch import Fetched, Http
from notices.model import Record
from notices.parse import parse_page
from notices.reading import decode
from notices.sandbox import pdf_text_limited
from notices.sources import Source
from notices.store import PageState, PageVisit, RunStats, Sighting, Store

log = logging.getLogger(__name__)
SHANGHAI = ZoneInfo("Asia/Shanghai")
ABANDONED = "abandoned: its process stopped without finishing (killed?); its lease lapsed"
_WORKERS = 4
MAX_FILE_BYTES = 10 * 1024 * 1024  # a folder's page, as large as a fetched one may be
_FILE_KINDS = (".txt", ".html", ".htm", ".pdf")
_DATE_IN_NAME = re.compile(r"(20\d\d)[-_.]?(\d\d)[-_.]?(\d\d)")


Progress = Callable[[str, int, int], None]  # (what, done, total)


@dataclass(frozen=True)
class Page:
    """A page to read: its URL, and which edition and page it belongs to."""

    url: str
    edition: date | None = None
    label: str | None = None


@dataclass
class _Tally:
    fetched: int = 0
    skipped: int = 0
    failed: int = 0
    new: int = 0
    seen: int = 0
    errors: list[str] = field(default_factory=list)

    def stats(self) -> RunStats:
        return RunStats(
            self.fetched, self.skipped, self.failed, self.new, self.seen, tuple(self.errors)
        )

    def fail(self, url: str, error: BaseException | str) -> None:
        self.failed += 1
        self.errors.append(f"{url}: {error}")


@dataclass(frozen=True)
class _Read:
    """What reading one page gave: its text and records, or why not."""

    page: Page
    fetched: Fetched | None = None
    text: str | None = None
    records: tuple[Record, ...] = ()
    unchanged: bool = False
    error: str | None = None


def now_utc() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


def today_in_shanghai(now: datetime | None = None) -> date:
    """Today's date where the newspapers are printed."""
    return (now or now_utc()).astimezone(SHANGHAI).date()


def ingest_once(
    source: Source,
    store: Store,
    http: Http,
    *,
    editions: Sequence[date] | None = None,
    now: Callable[[], datetime] = now_utc,
    progress: Progress | None = None,
    lease: timedelta | None = None,
    stop: threading.Event | None = None,
) -> RunStats:
    """Fetch what is new in ``source``, parse it, store it, and record the run."""
    holder = f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
    length = lease or timedelta(seconds=settings.get_float("LOCK_LEASE"))
    with Lease(store, f"source:{source.name}", holder, length, now) as held:
        tally = _Tally()
        run_id = store.start_run(source.name, now())
        store.close_abandoned_runs(source.name, run_id, now(), ABANDONED)

        def stopping() -> bool:
            return held.lost.is_set() or (stop is not None and stop.is_set())

        try:
            days = list(editions) if editions else [today_in_shanghai(now())]
            indexes: list[_Index] = []
            pages = list(_pages(source, store, http, days, tally, indexes))
            failed = _read_all(pages, source, store, http, tally, now, progress, stopping)
            _finish_indexes(indexes, failed, source, store, now())
        finally:
            if held.lost.is_set():
                tally.errors.append("stopped: the source's lock was taken over, or not renewed")
            store.finish_run(run_id, tally.stats(), now())
    return tally.stats()


class Lease:
    """A lock, held for ``length`` at a time and renewed on a thread while in use.

    ``lost`` is set when another holder took it over, or when it could not be renewed for a
    whole lease (the database away): another may hold it by then, so the holder steps back.
    """

    def __init__(
        self, store: Store, name: str, holder: str, length: timedelta, now: Callable[[], datetime]
    ) -> None:
        self._store, self._name, self._holder = store, name, holder
        self._length, self._now = length, now
        self._done = threading.Event()
        self.lost = threading.Event()
        self._beat = threading.Thread(target=self._renew, name=f"lease {name}", daemon=True)

    def take(self) -> bool:
        """Take the lock if it is free or expired, and keep renewing it; tell whether taken."""
        if not self._store.try_lock(self._name, self._holder, self._now(), self._length):
            return False
        self._beat.start()
        return True

    def release(self) -> None:
        """Stop renewing and free the lock (if it is still ours)."""
        self._done.set()
        if self._beat.is_alive():
            self._beat.join()
        self._store.unlock(self._name, self._holder)

    def __enter__(self) -> Lease:
        if not self.take():
            raise SourceBusy(f"{self._name.removeprefix('source:')!r} is being ingested already")
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _renew(self) -> None:
        """Renew three times a lease: two missed beats in a row still keep the lock."""
        renewed = time.monotonic()
        while not self._done.wait(self._length.total_seconds() / 3):
            try:
                if not self._store.try_lock(self._name, self._holder, self._now(), self._length):
                    self.lost.set()
                    return
                renewed = time.monotonic()
            except Exception:  # the database away for a moment: try again at the next beat
                log.exception("renewing the lease of %s", self._name)
                if time.monotonic() - renewed >= self._length.total_seconds():
                    self.lost.set()
                    return


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """Turn SIGTERM (and SIGINT) into an event a run checks between pages, while inside."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop  # signals reach the main thread only
        return

    def ask(signum: int, _frame: object) -> None:
        log.warning("signal %d: finishing the pages in hand, then stopping", signum)
        stop.set()

    previous = {sig: signal.signal(sig, ask) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# ── which pages a source has ────────────────────────────────────────────────────────


@dataclass
class _Index:
    """An e-paper index page (the edition's, or one page's) and the articles under it."""

    url: str
    edition: date
    fetched: Fetched
    text: str
    articles: list[str] = field(default_factory=list)
    children: list[_Index] = field(default_factory=list)  # the page indexes under an edition's
    incomplete: bool = False  # a page index under it could not be fetched


def _pages(
    source: Source, store: Store, http: Http, days: list[date], tally: _Tally, indexes: list[_Index]
) -> Iterator[Page]:
    if source.kind == "directory":
        yield from _folder_pages(source)
    elif source.kind == "url":
        yield from (Page(url) for url in source.urls)
    else:
        for day in days:
            yield from _edition_pages(source, store, http, day, tally, indexes)


def _folder_pages(source: Source) -> Iterator[Page]:
    folder = source.path or Path(".")
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        if path.suffix.lower() in _FILE_KINDS and path.is_file():
            match = _DATE_IN_NAME.search(path.name)
            edition = None
            if match:
                try:
                    edition = date(*(int(g) for g in match.groups()))
                except ValueError:
                    edition = None
            yield Page(path.resolve().as_uri(), edition)


def _fetch_index(
    url: str, source: Source, store: Store, http: Http, tally: _Tally
) -> Fetched | None:
    """Fetch an index page conditionally (a 304 if it is unchanged and was read in full).

    None when it could not be fetched (the failure is counted).
    """
    state = store.page_state(url)
    done = state is not None and state.status == "parsed"
    try:
        fetched = http.get(
            url,
            etag=state.etag if done and state else None,
            last_modified=state.last_modified if done and state else None,
            hosts=source.hosts(),
        )
    except NoticesError as exc:
        tally.fail(url, exc)
        return None
    return fetched


def _edition_pages(
    source: Source, store: Store, http: Http, day: date, tally: _Tally, indexes: list[_Index]
) -> Iterator[Page]:
    """An e-paper edition's articles: the index lists the pages, each page its articles.

    An edition index answered 304 lists the same pages, but a page's own index may have
    changed (an article added under it): the pages are asked again, conditionally, from
    the index's stored text. Its own articles (page one's) are not: they are unchanged.
    """
    url = source.index_url(day)
    first = _fetch_index(url, source, store, http, tally)
    if first is None:
        return
    stored = store.page_text(url) if first.not_modified else None
    if first.not_modified and stored is None:  # stored before indexes kept their text
        tally.skipped += 1
        return
    try:
        html = stored if stored is not None else decode_page(first.content, first.charset)
    except NoticesError as exc:
        tally.fail(first.url, exc)
        return
    edition = _Index(first.url, day, first, html)
    indexes.append(edition)
    links = edition_links(
        html,
        first.url,
        page_selector=source.page_selector,
        article_selector=source.article_selector,
    )
    seen: set[str] = set()
    for article in links.articles:  # the index page's own articles (page one)
        if article not in seen:
            seen.add(article)
            edition.articles.append(article)
            if not first.not_modified:
                yield Page(article, day, page_label(html))
    for page_url in links.pages:
        if page_url == first.url:
            continue
        failures = tally.failed
        fetched = _fetch_index(page_url, source, store, http, tally)
        if fetched is not None and fetched.not_modified:
            tally.skipped += 1  # unchanged, and its articles were all read
            continue
        if fetched is None:
            edition.incomplete = edition.incomplete or tally.failed > failures
            continue
        try:
            page_html = decode_page(fetched.content, fetched.charset)
        except NoticesError as exc:
            tally.fail(page_url, exc)
            edition.incomplete = True
            continue
        node = _Index(fetched.url, day, fetched, page_html)
        indexes.append(node)
        edition.children.append(node)
        label = page_label(page_html)
        found = edition_links(
            page_html,
            fetched.url,
            page_selector=source.page_selector,
            article_selector=source.article_selector,
        )
        for article in found.articles:
            if article not in seen:
                seen.add(article)
                node.articles.append(article)
                yield Page(article, day, label)


def _finish_indexes(
    indexes: list[_Index], failed: set[str], source: Source, store: Store, fetched_at: datetime
) -> None:
    """Mark index pages read in full, so that an unchanged one (304) is skipped next time."""

    def complete(index: _Index) -> bool:
        return (
            not index.incomplete
            and not any(a in failed for a in index.articles)
            and all(complete(child) for child in index.children)
        )

    for index in indexes:
        if not complete(index):
            continue  # read it again next time
        page = Page(index.url, index.edition, page_label(index.text))
        # an index keeps its text: answered 304 next time, it still leads to its pages
        visit = _visit(page, source, fetched_at, "parsed", text=index.text, fetched=index.fetched)
        store.save_page(visit)


# ── reading pages ───────────────────────────────────────────────────────────────────


def _read_all(
    pages: list[Page],
    source: Source,
    store: Store,
    http: Http,
    tally: _Tally,
    now: Callable[[], datetime],
    progress: Progress | None,
    stopping: Callable[[], bool] = lambda: False,
) -> set[str]:
    """Read pages on a few threads (the fetching overlaps); store them in order, here.

    Only a few pages are in hand at a time, so that a run asked to stop stops soon: it
    stores those and leaves the rest, as failed, for the next run. Returns the URLs that
    failed or were left.
    """
    states = {page.url: store.page_state(page.url) for page in pages}
    failed: set[str] = set()
    waiting = deque(pages)
    in_hand: deque[Future[_Read]] = deque()
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        done = 0
        while waiting or in_hand:
            while waiting and len(in_hand) < 2 * _WORKERS and not stopping():
                page = waiting.popleft()
                in_hand.append(pool.submit(_read, page, source, http, states.get(page.url)))
            if not in_hand:
                break  # asked to stop: nothing is left in hand
            read = in_hand.popleft().result()
            if read.error is not None:
                failed.add(read.page.url)
            _store(read, source, store, tally, now())
            done += 1
            if progress:
                progress(read.page.url, done, len(pages))
    if waiting:
        failed.update(page.url for page in waiting)
        tally.errors.append(f"stopped after {done} of {len(pages)} pages; the rest goes next run")
    return failed


def _read(page: Page, source: Source, http: Http, state: PageState | None) -> _Read:
    """Fetch and parse one page; never raises (one bad page never stops the others)."""
    try:
        good = state if state is not None and state.status == "parsed" else None
        # validators and the hash count only from a good read
        etag = good.etag if good else None
        modified = good.last_modified if good else None
        fetched = _fetch(page.url, http, etag, modified, source.hosts())
        if fetched.not_modified:
            return _Read(page, fetched, unchanged=True)
        text = _text(page.url, fetched, source)
        if good and good.content_hash == _hash(text):
            return _Read(page, fetched, text, unchanged=True)
        records = parse_page(
            text,
            url=fetched.url,
            published_on=page.edition,
            publication=source.publication,
            page=page.label,
            region=source.region,
            region_code=source.region_code,
        )
        return _Read(page, fetched, text, tuple(records))
    except NoticesError as exc:
        return _Read(page, error=f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a defect on one page: recorded, and the run goes on
        log.exception("unexpected failure reading %s", page.url)
        return _Read(page, error=f"unexpected {type(exc).__name__}: {exc}")


def _fetch(
    url: str, http: Http, etag: str | None, modified: str | None, hosts: frozenset[str]
) -> Fetched:
    if url.startswith("file://"):
        path = Path(url2pathname(urlsplit(url).path))  # as_uri() percent-encodes names
        if path.stat().st_size > MAX_FILE_BYTES:  # as a fetch stops past its limit
            raise TooLarge(f"{path.name}: {path.stat().st_size} bytes, over {MAX_FILE_BYTES}")
        data = path.read_bytes()
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        if etag == digest:
            return Fetched(url, 304, b"", None, None, etag, None)
        return Fetched(url, 200, data, _file_type(path), None, digest, None)
    return http.get(url, etag=etag, last_modified=modified, hosts=hosts or None)


def _file_type(path: Path) -> str:
    return {".pdf": "application/pdf", ".html": "text/html", ".htm": "text/html"}.get(
        path.suffix.lower(), "text/plain"
    )


def _text(url: str, fetched: Fetched, source: Source) -> str:
    """A fetched page's text, by its type: a PDF's columns, an HTML article, plain text."""
    kind = (fetched.content_type or "").lower()
    if "pdf" in kind or fetched.content[:5] == b"%PDF-":
        return pdf_text_limited(
            fetched.content,
            memory_mb=int(settings.get_float("EXTRACT_MEMORY_MB")),
            cpu_seconds=int(settings.get_float("EXTRACT_SECONDS")),
        )
    if "html" in kind or url.lower().endswith((".htm", ".html")):
        return html_text(
            decode_page(fetched.content, fetched.charset), content_selector=source.content_selector
        )
    return decode(fetched.content)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _visit(
    page: Page,
    source: Source,
    fetched_at: datetime,
    status: str,
    *,
    text: str | None = None,
    error: str | None = None,
    fetched: Fetched | None = None,
) -> PageVisit:
    """The record of one fetch of a page (its raw text kept when it was read)."""
    return PageVisit(
        url=page.url,
        source=source.name,
        edition=page.edition,
        page=page.label,
        fetched_at=fetched_at,
        content_hash=_hash(text) if text is not None else None,
        text=text,
        status=status,
        error=error,
        etag=fetched.etag if fetched else None,
        last_modified=fetched.last_modified if fetched else None,
    )


def _store(read: _Read, source: Source, store: Store, tally: _Tally, fetched_at: datetime) -> None:
    page, fetched = read.page, read.fetched
    if read.error is not None:
        tally.fail(page.url, read.error)
        store.save_page(_visit(page, source, fetched_at, "failed", error=read.error))
        return
    if read.unchanged:
        tally.skipped += 1
        return
    url = fetched.url if fetched else page.url
    sighting = Sighting(source.name, url, page.edition, page.label, fetched_at)
    result = store.save_notices(list(read.records), sighting)
    store.save_page(
        _visit(page, source, fetched_at, "parsed", text=read.text or "", fetched=fetched)
    )
    tally.fetched += 1
    tally.new += result.new
    tally.seen += result.seen_again


def ingest_text(
    text: str,
    store: Store,
    *,
    url: str,
    source: str,
    edition: date | None = None,
    now: Callable[[], datetime] = now_utc,
) -> RunStats:
    """Ingest one page's text given by hand (``notices ingest --file/--url``)."""
    records = parse_page(text, url=url, published_on=edition)
    result = store.save_notices(records, Sighting(source, url, edition, None, now()))
    store.save_page(PageVisit(url, source, edition, None, now(), _hash(text), text, "parsed"))
    return RunStats(pages_fetched=1, notices_new=result.new, notices_seen=result.seen_again)
