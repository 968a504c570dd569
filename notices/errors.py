"""The exceptions notices raises, as one tree.

    NoticesError
    ├── GrammarLoadError      a .lark file is missing or broken (an installation fault)
    ├── InputError            input that cannot be read as a page
    │   ├── DecodeError       bytes in no encoding we read (UTF-8, UTF-16, GB18030), a broken PDF
    │   └── OverBudget        a page whose reading would pass its memory or CPU limit
    ├── FetchError            a URL that could not be fetched (after retries): timeout, 4xx, 5xx…
    │   ├── TooLarge          a body over the size limit (reading stopped there)
    │   └── Disallowed        robots.txt forbids the URL
    ├── ConfigError           a sources file or setting that cannot be used
    ├── SourceBusy            another run of the same source holds its lock
    └── EditError             a staff edit that cannot be made: a field or value it cannot take
        └── UnknownNotice     the edit names a notice (or printing) the store does not hold

A notice the grammar cannot read fully is not an error: its record keeps the raw text and
says what was not read in ``warnings``.

Lark's own ``UnexpectedInput`` and ``VisitError`` are caught at the parser boundary
(:mod:`notices.road`, :mod:`notices.loss`) and never leave the package.
"""

from __future__ import annotations


class NoticesError(Exception):
    """Base of every error notices raises."""


class GrammarLoadError(NoticesError):
    """A grammar file is missing or does not compile."""


class InputError(NoticesError):
    """Input that cannot be read as a page."""


class DecodeError(InputError):
    """Bytes that are not text in any encoding we read."""


class OverBudget(InputError):
    """A page whose extraction or parsing would pass its memory, CPU or size limit."""


class FetchError(NoticesError):
    """A URL that could not be fetched: timeouts, lost connections, 5xx after retries, or a 4xx."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class TooLarge(FetchError):
    """A response body over the size limit; reading stopped there."""


class Disallowed(FetchError):
    """A URL the site's robots.txt forbids us to fetch."""


class ConfigError(NoticesError):
    """A sources file or setting that cannot be used."""


class SourceBusy(NoticesError):
    """Another run of the same source holds its lock."""


class EditError(NoticesError):
    """A staff edit that cannot be made: an unknown field, a value of the wrong shape."""


class UnknownNotice(EditError):
    """A staff edit naming a notice, or a printing of it, that the store does not hold."""
