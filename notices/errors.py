"""The exceptions notices raises, as one tree.

    NoticesError
    ├── GrammarLoadError      a .lark file is missing or broken (an installation fault)
    ├── InputError            input that cannot be read as a page
    │   └── DecodeError       bytes in no encoding we read (UTF-8, UTF-16, GB18030)
    └── NoticeParseError      a notice the grammar could not read; the record keeps a warning

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


class NoticeParseError(NoticesError):
    """A notice the grammar could not read."""
