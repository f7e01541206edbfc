"""Raw SQL that runs on both engines: SQLite (a workshop file) and PostgreSQL (a server).

The history and merge code reads and writes thousands of rows with hand-written SQL, for
speed. It is written once, with ``?`` placeholders; ``run`` turns them into the driver's
own (``%s`` for psycopg) so the same statement runs on either engine. Statements use only
SQL both engines share (``ON CONFLICT``, ``RETURNING``, ``||``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.util.typing import TupleAny, Unpack


def driver_sql(conn: Connection, statement: str) -> str:
    """``statement`` with its ``?`` placeholders in the form the connection's driver takes."""
    if conn.dialect.paramstyle == "qmark":
        return statement
    # psycopg: %s placeholders, and a literal % doubled.
    return statement.replace("%", "%%").replace("?", "%s")


def run(
    conn: Connection,
    statement: str,
    params: Sequence[Any] | Sequence[Sequence[Any]] | None = None,
) -> CursorResult[Unpack[TupleAny]]:
    """Execute ``statement`` (``?`` placeholders) with one row of parameters or many."""
    sql = driver_sql(conn, statement)
    if params is None:
        return conn.exec_driver_sql(sql)
    if params and isinstance(params, list) and isinstance(params[0], tuple | list):
        return conn.exec_driver_sql(sql, [tuple(p) for p in params])
    return conn.exec_driver_sql(sql, tuple(params))


def is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"
