"""Workshops on the partnership's PostgreSQL server: put one there, take a copy, open, share.

The single file stays the default and needs no server. A server workshop has exactly the
tables of a file (store/server.py keeps one PostgreSQL schema per workshop), so
``WorkshopService`` and every report run on it unchanged.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from carequal_desktop.errors import TargetExistsError, UserError
from carequal_desktop.services import locking
from carequal_desktop.services.unit import ServerWorkshop
from carequal_desktop.services.workshop import WorkshopService
from carequal_desktop.store import migrations
from carequal_desktop.store.connection import init_db
from carequal_desktop.store.server import (
    ServerError,
    ServerLocation,
    add_change_notices,
    add_history_triggers,
    make_engine,
    parse_location,
    quote_role,
    registry_row,
    require_current_workshop,
    require_initialised,
    server_error,
    workshop_engine,
)
from carequal_desktop.store.tables import metadata

_CHUNK = 2000


def copy_tables(source: Connection, target: Connection) -> int:
    """Copy every row of every workshop table, parents before children; returns the count.

    Text goes through the storage rule on the way (``domain.text.for_storage``): a file
    written before that rule may hold NUL, which PostgreSQL's text cannot. The history's
    notes of a transaction in progress (``history_dirty``) are not workshop content: a
    committed workshop has none, and a file changed behind CareQual's back may.
    """
    from carequal_desktop.domain.text import for_storage

    copied = 0
    for table in metadata.sorted_tables:
        if table.name == "history_dirty":
            continue
        rows = [
            {k: for_storage(v) if isinstance(v, str) else v for k, v in r.items()}
            for r in source.execute(table.select()).mappings()
        ]
        for start in range(0, len(rows), _CHUNK):
            target.execute(table.insert(), rows[start : start + _CHUNK])
        copied += len(rows)
    return copied


def _continue_sequences(conn: Connection, schema: str) -> None:
    """Numbered rows copied with their numbers (merge conflicts): the next number follows."""
    for table in metadata.sorted_tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto" and column.type.python_type is int
            ):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{schema}.{table.name}', "
                        f"'{column.name}'), coalesce((SELECT max({column.name}) FROM "
                        f"{schema}.{table.name}), 0) + 1, false)"
                    )
                )


def open_server_workshop(
    location: ServerLocation | str, *, read_only: bool = False
) -> WorkshopService:
    """Open a workshop on a server as a service, like a file."""
    loc = parse_location(location) if isinstance(location, str) else location
    schema = loc.schema  # a sentence if the location names no workshop
    client = f"CareQual-{uuid.uuid4().hex[:12]}"
    engine = workshop_engine(loc, client)
    try:
        with engine.connect() as conn:
            require_initialised(conn, loc)
            row = registry_row(conn, str(loc.workshop_id))
            if row is None:
                raise ServerError(
                    f"There is no workshop {loc.workshop_id} on {loc.server}, or "
                    f"{loc.url.username or 'your user'} has not been given access to it."
                )
            require_current_workshop(row, loc)
    except DBAPIError as exc:
        engine.dispose()
        raise server_error(exc, loc) from None
    except BaseException:
        engine.dispose()
        raise
    service = WorkshopService(Path(schema), engine, read_only=read_only)
    service.db.describe_error = lambda exc: server_error(exc, loc)
    service.db.name = loc.display
    service.db.server = ServerWorkshop(loc, client)
    try:
        service.details()  # read once now, so a broken workshop shows here
    except BaseException:
        engine.dispose()
        raise
    return service


def push(source: Path, server: ServerLocation | str) -> ServerLocation:
    """Put a workshop file on the server; returns its location there."""
    loc = parse_location(server) if isinstance(server, str) else server
    # Opened as for editing where the file can be written: an older file is upgraded first
    # (after its backup) and nobody can change it while it is copied.
    service = WorkshopService.open(Path(source))
    engine: Engine | None = None
    try:
        details = service.details()
        loc = loc.with_workshop(details.id)
        schema = loc.schema
        engine = make_engine(loc)
        with engine.begin() as conn:
            require_initialised(conn, loc)
            exists = conn.execute(
                text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}
            ).first()
            if exists is not None or registry_row(conn, details.id) is not None:
                raise UserError(
                    f"This workshop is already on the server as {loc.display}; to bring your "
                    "copy's changes in, merge it with that location instead."
                )
            conn.execute(text(f"CREATE SCHEMA {schema}"))
            conn.execution_options(schema_translate_map={None: schema})
            metadata.create_all(conn)
            with service.engine.connect() as src:
                copy_tables(src, conn)
            conn.execution_options(schema_translate_map=None)
            _continue_sequences(conn, schema)
            add_change_notices(conn, schema, [t.name for t in metadata.sorted_tables])
            add_history_triggers(conn, schema)
            conn.execute(
                text(
                    "INSERT INTO carequal.workshop "
                    "(id, schema_name, title, partnership, schema_version) "
                    "VALUES (:id, :schema, :title, :partnership, :version)"
                ),
                {
                    "version": migrations.SCHEMA_VERSION,
                    "id": details.id,
                    "schema": schema,
                    "title": details.title,
                    "partnership": details.partnership,
                },
            )
    except DBAPIError as exc:
        raise server_error(exc, loc) from None
    finally:
        service.close()
        if engine is not None:
            engine.dispose()
    return loc


def pull(location: ServerLocation | str, target: Path, *, overwrite: bool = False) -> Path:
    """Take an offline copy of a server workshop as a workshop file."""
    target = Path(target)
    if target.exists() and not overwrite:
        raise TargetExistsError(f"{target} already exists.")
    service = open_server_workshop(location, read_only=True)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=".carequal-", suffix=".tmp", dir=str(target.parent))
    except OSError:
        service.close()  # a folder that is not there: no connection left open
        raise
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()
    try:
        copy_engine = init_db(tmp, create=True)
        try:
            with (
                service.engine.connect().execution_options(
                    isolation_level="REPEATABLE READ"  # one moment: no save half in the copy
                ) as src,
                copy_engine.begin() as dst,
            ):
                copy_tables(src, dst)
                # Copying puts back records the history knows; those are not edits.
                dst.exec_driver_sql("DELETE FROM history_dirty")
        except DBAPIError as exc:
            raise service.db.describe_error(exc) from None
        finally:
            copy_engine.dispose()
        if target.exists():
            locking.ensure_not_open_elsewhere(target)
        os.replace(tmp, target)
    finally:
        service.close()
        tmp.unlink(missing_ok=True)
    return target


def grant(location: ServerLocation | str, role: str, *, revoke: bool = False) -> None:
    """Let a PostgreSQL role open and change a workshop (or, with ``revoke``, no longer)."""
    loc = parse_location(location) if isinstance(location, str) else location
    schema = loc.schema
    engine = make_engine(loc)
    try:
        with engine.begin() as conn:
            require_initialised(conn, loc)
            if registry_row(conn, str(loc.workshop_id)) is None:
                raise ServerError(
                    f"There is no workshop {loc.workshop_id} on {loc.server}, or you have no "
                    "access to it."
                )
            who = quote_role(conn, role)
            if revoke:
                conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {who}"))
                conn.execute(text(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {who}"))
                conn.execute(text(f"REVOKE ALL ON SCHEMA {schema} FROM {who}"))
            else:
                conn.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {who}"))
                conn.execute(
                    text(
                        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES "
                        f"IN SCHEMA {schema} TO {who}"
                    )
                )
                # A conflict's number comes from a sequence (typing that collided is recorded
                # by whoever typed it).
                conn.execute(
                    text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {who}")
                )
    except DBAPIError as exc:
        raise server_error(exc, loc) from None
    finally:
        engine.dispose()


def list_workshops(server: ServerLocation | str) -> list[tuple[str, str, str]]:
    """(location, title, partnership) of every workshop this role may open."""
    loc = parse_location(server) if isinstance(server, str) else server
    engine = make_engine(loc)
    try:
        with engine.connect() as conn:
            require_initialised(conn, loc)
            rows = conn.execute(
                text("SELECT id, title, partnership FROM carequal.workshop ORDER BY title, id")
            ).all()
    except DBAPIError as exc:
        raise server_error(exc, loc) from None
    finally:
        engine.dispose()
    return [(loc.with_workshop(r.id).display, r.title, r.partnership) for r in rows]
