"""The JSON API under ``/api/v1``. Placeholder until the API lands."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/health")
def health() -> dict[str, str]:
    """Say the service is up."""
    return {"status": "ok"}
