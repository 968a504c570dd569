"""Alembic environment: migrate the connection Store.open hands over, or a URL's database.

``Store.open`` runs this with ``config.attributes["connection"]`` set, inside its own
transaction. From the command line, ``alembic -x url=sqlite:///notices.sqlite3 upgrade head``
(with ``script_location`` pointing here) migrates that database instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from notices.store import Base


def _migrate(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata)
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    """Run the migrations online: there is no offline (SQL script) mode."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("no database: pass -x url=… or set sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as connection:
        _migrate(connection)
    engine.dispose()


run()
