"""Staff API tokens: made at random, kept only as SHA-256 digests, compared in constant time.

A token is 32 random bytes (``secrets.token_urlsafe``), so a plain SHA-256 digest is as
good as a slow password hash: there is nothing to guess. Tokens come from the
``NOTICES_API_TOKENS`` setting (``name=token,…``) or from ``notices token create``, which
stores the digest and prints the token once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

from notices.errors import ConfigError

_MIN_LENGTH = 16  # a shorter token from the environment is refused: it could be guessed


def new_token() -> str:
    """Return a fresh random token."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """Return the SHA-256 hex digest a token is kept as."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def from_setting(value: str) -> list[tuple[str, str]]:
    """Read ``name=token,…`` into (name, digest) pairs; a bad pair is a ConfigError."""
    found = []
    for pair in filter(None, (p.strip() for p in value.split(","))):
        name, _, token = pair.partition("=")
        if not name.strip() or len(token.strip()) < _MIN_LENGTH:
            raise ConfigError(
                f"NOTICES_API_TOKENS: each entry is name=token, the token {_MIN_LENGTH}+ characters"
            )
        found.append((name.strip(), digest(token.strip())))
    return found


def holder(token: str, known: Iterable[tuple[str, str]]) -> str | None:
    """Return the name of the token's holder, or None; each digest compared in constant time."""
    presented = digest(token)
    found = None
    for name, kept in known:
        if hmac.compare_digest(presented, kept) and found is None:
            found = name
    return found
