"""Feeds: RSS, Atom, JSON Feed, CAP and iCalendar. Placeholder until the feeds land."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("feeds", __name__)
