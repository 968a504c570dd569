"""Errors as RFC 9457 problem details (``application/problem+json``). Placeholder: see the API."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the problem+json error handlers."""
