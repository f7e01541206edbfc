"""Workshops on the partnership's PostgreSQL server: the same tables, one schema per workshop.

A server location names a database and a workshop in it::

    postgresql://USER@HOST[:PORT]/DB[?sslmode=…]#WORKSHOP-ID

The server keeps a registry (schema ``carequal``, table ``workshop``) and gives every
workshop a PostgreSQL schema of its own (``ws_`` and the workshop id's 32 hex digits)
holding exactly the tables a workshop file holds. The services run unchanged on it: the
engine maps the tables' schema with SQLAlchemy's ``schema_translate_map``.

Who may open a workshop is decided by PostgreSQL itself, not by CareQual: a role needs
USAGE on the workshop's schema and rights on its tables (``carequal server grant``), and
the registry is row-level secured so a role lists only the workshops it may open. TLS is
required unless the address says otherwise (``?sslmode=disable`` for a server on the same
machine, for example). Passwords are never written by CareQual: PostgreSQL's own password
file (``~/.pgpass``, ``%APPDATA%\\postgresql\\pgpass.conf``) or ``PGPASSWORD`` supply them.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from carequal_desktop.errors import StorageError, UserError

SERVER_SCHEMA_VERSION = 1
REGISTRY = "carequal"
SCHEMES = ("postgresql://", "postgres://")
_CONNECT_TIMEOUT_S = 8
# A network that vanishes without a word (a laptop leaving the Wi-Fi) is noticed within
# about 25 s of silence, instead of the operating system's two hours; data the server never
# acknowledges gives up after 20 s where the system supports it (Linux), not 15 minutes.
KEEPALIVES: dict[str, int] = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 20000,
}


class ServerError(StorageError):
    """The server could not be reached, refused the login, or refused the request."""


class ServerUnreachableError(ServerError):
    """The connection could not be made or was lost: retrying later may succeed."""


@dataclass(frozen=True)
class ServerLocation:
    """Where a workshop lives on a server (``workshop_id`` is None for the server alone)."""

    url: URL
    workshop_id: str | None = None

    @property
    def display(self) -> str:
        """The location as the user wrote it, without any password."""
        shown = self.url.set(drivername="postgresql").render_as_string(hide_password=True)
        return f"{shown}#{self.workshop_id}" if self.workshop_id else shown

    @property
    def server(self) -> str:
        """'HOST/DB' for sentences."""
        return f"{self.url.host or 'localhost'}/{self.url.database or ''}"

    @property
    def schema(self) -> str:
        """The PostgreSQL schema that holds this workshop's tables."""
        if self.workshop_id is None:
            raise UserError(
                f"{self.display} names a server but no workshop: add #WORKSHOP-ID at the end."
            )
        return workshop_schema(self.workshop_id)

    def with_workshop(self, workshop_id: str) -> ServerLocation:
        """The same server, naming one workshop."""
        return ServerLocation(self.url, workshop_id)


def is_location(text: str) -> bool:
    """Whether a command-line argument names a server rather than a file."""
    return str(text).lower().startswith(SCHEMES)


def parse_location(text: str) -> ServerLocation:
    """Read ``postgresql://USER@HOST/DB#WORKSHOP-ID``; a sentence if it cannot be read."""
    raw, _, fragment = str(text).partition("#")
    try:
        url = make_url(raw.replace("postgres://", "postgresql://", 1))
    except ArgumentError:
        raise UserError(
            f"“{masked(raw)}” is not a server address; write it like "
            "postgresql://USER@HOST/DATABASE#WORKSHOP-ID."
        ) from None
    if not url.database:
        raise UserError(
            f"“{masked(raw)}” names no database; write it like "
            "postgresql://USER@HOST/DATABASE#WORKSHOP-ID."
        )
    workshop_id = fragment.strip() or None
    if workshop_id is not None:
        try:
            workshop_id = str(uuid.UUID(workshop_id))
        except ValueError:
            raise UserError(
                f"“{workshop_id}” after # is not a workshop id; it looks like "
                "1b2c3d4e-0000-4000-8000-000000000000 (carequal push prints it)."
            ) from None
    return ServerLocation(url.set(drivername="postgresql"), workshop_id)


def workshop_schema(workshop_id: str) -> str:
    """``ws_`` and the id's hex digits: a schema name that needs no quoting."""
    return "ws_" + uuid.UUID(workshop_id).hex


# Passwords typed in the window for this run only, by (host, port, database, user); never
# written anywhere by CareQual unless the user asks for PostgreSQL's own password file.
_session_passwords: dict[tuple[str, int, str, str], str] = {}


def _key(location: ServerLocation) -> tuple[str, int, str, str]:
    url = location.url
    return (url.host or "localhost", url.port or 5432, url.database or "", url.username or "")


def remember_for_session(location: ServerLocation, password: str) -> None:
    """Use ``password`` for this server and user until CareQual closes."""
    _session_passwords[_key(location)] = password


def session_password(location: ServerLocation) -> str | None:
    """The password typed for this server and user during this run, if any."""
    return _session_passwords.get(_key(location))


def make_engine(
    location: ServerLocation, client: str = "CareQual", *, schema: str | None = None
) -> Engine:
    """An engine for the server; TLS required unless the address says otherwise.

    ``client`` becomes the connections' application_name, which change notices carry so a
    window can tell its own edits from a colleague's. With ``schema``, the connections'
    search path starts with it, so hand-written SQL (the history and the merge) finds the
    workshop's tables as on a file.
    """
    url = location.url.set(drivername="postgresql+psycopg")
    query = dict(url.query)
    query.setdefault("sslmode", "require")
    url = url.set(query=query)
    connect_args: dict[str, Any] = {
        "connect_timeout": _CONNECT_TIMEOUT_S,
        "application_name": client,
        **KEEPALIVES,
    }
    if schema is not None:
        connect_args["options"] = f"-c search_path={schema},pg_catalog"
    password = _session_passwords.get(_key(location))
    if password is not None and url.password is None:
        connect_args["password"] = password
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def workshop_engine(location: ServerLocation, client: str = "CareQual") -> Engine:
    """An engine whose tables are the workshop's own (its schema in place of the default)."""
    engine = make_engine(location, client, schema=location.schema)
    return engine.execution_options(schema_translate_map={None: location.schema})


def server_error(exc: BaseException, location: ServerLocation) -> UserError:
    """A PostgreSQL failure as one sentence; never the server's own text, never a password."""
    orig = getattr(exc, "orig", exc)
    state = str(getattr(orig, "sqlstate", "") or "")
    user = location.url.username or "your user"
    where = location.server
    detail = str(orig).lower()
    # A refused login during connection comes from libpq without an SQLSTATE, so its
    # (untranslated) message is the only sign; once connected, SQLSTATEs decide.
    if state in ("28P01", "28000") or "password authentication failed" in detail:
        return ServerError(
            f"The server {where} refused the login for {user}: check the user name and the "
            "password in PostgreSQL's password file, or ask IT whether the role may log in."
        )
    if state == "3D000":
        return ServerError(f"The server has no database “{location.url.database}”.")
    if state == "42501":
        return ServerError(
            f"The role {user} is not allowed to do this on {where}; "
            "ask whoever manages the server to grant it."
        )
    if state == "3F000":
        return ServerError(
            f"There is no workshop {location.workshop_id} on {where}, or {user} has not "
            "been given access to it."
        )
    if "no password supplied" in detail or "password is required" in detail:
        return ServerError(
            f"The server {where} asks for {user}'s password: type it when CareQual asks, or "
            "put it in PostgreSQL's password file (pgpass)."
        )
    if state.startswith("08") or state == "57P01" or not state:
        if "ssl" in detail and ("not support" in detail or "unavailable" in detail):
            return ServerError(
                f"The server {where} does not offer an encrypted (TLS) connection; ask IT to "
                "turn on TLS, or add ?sslmode=disable to the address if the server is on this "
                "computer or a trusted network."
            )
        return ServerUnreachableError(
            f"The server {where} could not be reached. Check the address and the network "
            "connection, then try again; nothing was changed."
        )
    return ServerError(f"The server {where} refused the request (PostgreSQL error {state}).")


def init_server(location: ServerLocation) -> str:
    """Create or upgrade the registry and every workshop on the server that this role may
    see; returns 'created', 'upgraded' or 'up to date'. One transaction: all or nothing."""
    engine = make_engine(location)
    try:
        with engine.begin() as conn:
            found = _server_version(conn)
            if found is not None and found > SERVER_SCHEMA_VERSION:
                raise ServerError(
                    f"The server {location.server} was set up by a newer CareQual (server "
                    f"version {found}); install the latest CareQual to use it."
                )
            if found == SERVER_SCHEMA_VERSION:
                return "upgraded" if _upgrade_workshops(conn) else "up to date"
            _create_registry(conn)
            conn.execute(
                text(
                    "INSERT INTO carequal.server_meta (key, value) VALUES ('schema_version', :v) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                ),
                {"v": str(SERVER_SCHEMA_VERSION)},
            )
            _upgrade_workshops(conn)
            return "created" if found is None else "upgraded"
    except DBAPIError as exc:
        raise server_error(exc, location) from None
    finally:
        engine.dispose()


def _server_version(conn: Connection) -> int | None:
    exists = conn.execute(text("SELECT to_regclass('carequal.server_meta')")).scalar()
    if exists is None:
        return None
    value = conn.execute(
        text("SELECT value FROM carequal.server_meta WHERE key = 'schema_version'")
    ).scalar()
    return None if value is None else int(value)


def require_initialised(conn: Connection, location: ServerLocation) -> None:
    """Refuse a server that ``server init`` has not set up, or set up by a newer CareQual."""
    found = _server_version(conn)
    if found is None:
        raise ServerError(
            f"The server {location.server} is not set up for CareQual yet; "
            "IT runs 'carequal server init' once first."
        )
    if found != SERVER_SCHEMA_VERSION:
        raise ServerError(
            f"The server {location.server} has CareQual server version {found} and this "
            f"CareQual uses {SERVER_SCHEMA_VERSION}: "
            + (
                "install the latest CareQual."
                if found > SERVER_SCHEMA_VERSION
                else "IT runs 'carequal server init' to upgrade it."
            )
        )


def _create_registry(conn: Connection) -> None:
    for statement in (
        "CREATE SCHEMA IF NOT EXISTS carequal",
        "CREATE TABLE IF NOT EXISTS carequal.server_meta (key text PRIMARY KEY, value text NOT NULL)",
        """CREATE TABLE IF NOT EXISTS carequal.workshop (
               id text PRIMARY KEY,
               schema_name text NOT NULL UNIQUE,
               title text NOT NULL,
               partnership text NOT NULL,
               pushed_at timestamptz NOT NULL DEFAULT now(),
               pushed_by name NOT NULL DEFAULT current_user,
               schema_version integer NOT NULL
           )""",
        "GRANT USAGE ON SCHEMA carequal TO PUBLIC",
        "GRANT SELECT ON carequal.server_meta TO PUBLIC",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON carequal.workshop TO PUBLIC",
        # A role sees a workshop in the registry only if it may use the workshop's schema;
        # FORCE applies the policy to the table's owner too.
        "ALTER TABLE carequal.workshop ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE carequal.workshop FORCE ROW LEVEL SECURITY",
        "DROP POLICY IF EXISTS workshop_visible ON carequal.workshop",
        """CREATE POLICY workshop_visible ON carequal.workshop
               USING (EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = schema_name
                              AND has_schema_privilege(n.oid, 'USAGE')))
               WITH CHECK (pushed_by = current_user)""",
    ):
        conn.execute(text(statement))


def quote_role(conn: Connection, role: str) -> str:
    """A role name quoted for SQL, after checking that the role exists."""
    if not role or len(role) > 63 or not re.fullmatch(r"[^\x00]+", role):
        raise UserError(f"“{role}” is not a PostgreSQL role name.")
    found = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if found is None:
        raise UserError(f"The server has no role “{role}”; ask IT to create it first.")
    return str(conn.dialect.identifier_preparer.quote(role))


def masked(raw: str) -> str:
    """An address with any password replaced by ***."""
    return re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", raw)


def registry_row(conn: Connection, workshop_id: str) -> Any:
    """The registry's row for a workshop, if this role may see it."""
    return conn.execute(
        text("SELECT id, schema_name, title, schema_version FROM carequal.workshop WHERE id = :id"),
        {"id": workshop_id},
    ).first()


def change_channel(schema: str) -> str:
    """The LISTEN/NOTIFY channel on which a workshop's changes are announced."""
    return f"carequal_{schema}"


def add_change_notices(
    conn: Connection, schema: str, tables: list[str], *, only_missing: bool = False
) -> None:
    """Announce every committed change to the workshop's tables on its channel.

    The notice says which table changed and which client changed it (its
    application_name), once per statement; PostgreSQL delivers it on commit only, so a
    rolled-back edit is never announced.
    """
    conn.execute(
        text(
            f"""CREATE OR REPLACE FUNCTION {schema}.carequal_notify() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM pg_notify('{change_channel(schema)}',
                        TG_TABLE_NAME || ' ' || current_setting('application_name'));
                    RETURN NULL;
                END $$"""
        )
    )
    if only_missing:
        have = set(
            conn.execute(
                text(
                    "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = :s AND t.tgname = 'carequal_notify'"
                ),
                {"s": schema},
            ).scalars()
        )
        tables = [t for t in tables if t not in have]
    for table in tables:
        conn.execute(
            text(
                f"CREATE TRIGGER carequal_notify AFTER INSERT OR UPDATE OR DELETE "
                f'ON {schema}."{table}" FOR EACH STATEMENT '
                f"EXECUTE FUNCTION {schema}.carequal_notify()"
            )
        )


def history_trigger_statements(schema: str) -> list[str]:
    """The PostgreSQL twins of a file's field-history triggers (``tables.history_trigger_sql``).

    Each table's trigger notes a changed record in ``history_dirty`` with its values before,
    each as its text (the slots are ``bytea`` here; ``services/history.py`` reads them back by
    column type); a new record is noted only if it puts back one with a history. The first
    note of a record in a transaction wins (``ON CONFLICT DO NOTHING``), as on a file; and as
    two editors' notes of one record share a key, the second waits for the first to commit,
    so their histories are folded one after the other, never over each other.
    """
    from carequal_desktop.domain.merge import TABLES
    from carequal_desktop.store.tables import history_key_sql

    out: list[str] = []
    for table, spec in TABLES.items():
        cols = list(spec.fields)
        new_key = f"({history_key_sql(table, 'NEW')})::text"
        old_key = f"({history_key_sql(table, 'OLD')})::text"
        slots = ", ".join(f"v{i}" for i in range(len(cols)))
        before = ", ".join(f"convert_to((OLD.{c})::text, 'UTF8')" for c in cols)
        function = f"{schema}.history_{table}"
        out += [
            f"""CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP = 'INSERT' THEN
                        IF EXISTS (SELECT 1 FROM {schema}.record_history
                                   WHERE tbl = '{table}' AND key = {new_key}) THEN
                            INSERT INTO {schema}.history_dirty(tbl, key, op)
                            VALUES ('{table}', {new_key}, 'i') ON CONFLICT DO NOTHING;
                        END IF;
                    ELSE
                        INSERT INTO {schema}.history_dirty(tbl, key, op, {slots})
                        VALUES ('{table}', {old_key}, 'u', {before}) ON CONFLICT DO NOTHING;
                    END IF;
                    RETURN NULL;
                END $$""",
            f'DROP TRIGGER IF EXISTS carequal_history ON {schema}."{table}"',
            f"CREATE TRIGGER carequal_history AFTER INSERT OR DELETE OR UPDATE OF "
            f'{", ".join(cols)} ON {schema}."{table}" FOR EACH ROW EXECUTE FUNCTION {function}()',
        ]
    return out


def add_history_triggers(conn: Connection, schema: str) -> None:
    """Keep the field history of a server workshop, as a file does (idempotent)."""
    for statement in history_trigger_statements(schema):
        conn.exec_driver_sql(statement)


def _has_history_triggers(conn: Connection, schema: str) -> bool:
    from carequal_desktop.domain.merge import TABLES

    found = conn.execute(
        text(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :s AND t.tgname = 'carequal_history'"
        ),
        {"s": schema},
    ).scalar_one()
    return int(found) == len(TABLES)


def _upgrade_workshops(conn: Connection) -> int:
    """Upgrade every visible workshop schema that is behind; returns how many were."""
    from carequal_desktop.store import migrations
    from carequal_desktop.store.tables import metadata

    behind = conn.execute(
        text(
            "SELECT schema_name, schema_version FROM carequal.workshop "
            "WHERE schema_version < :v ORDER BY schema_name"
        ),
        {"v": migrations.SCHEMA_VERSION},
    ).all()
    for schema, version in behind:
        migrations.upgrade_server_workshop(conn, schema, version)
        tables = [t.name for t in metadata.sorted_tables]
        add_change_notices(conn, schema, tables, only_missing=True)
        add_history_triggers(conn, schema)
        regrant(conn, schema)
        conn.execute(
            text("UPDATE carequal.workshop SET schema_version = :v WHERE schema_name = :s"),
            {"v": migrations.SCHEMA_VERSION, "s": schema},
        )
    # Workshops put on the server before it kept field histories (CareQual 0.2 before
    # server merging) get the history triggers; their history starts from their values now.
    current = list(
        conn.execute(
            text("SELECT schema_name FROM carequal.workshop WHERE schema_version = :v"),
            {"v": migrations.SCHEMA_VERSION},
        ).scalars()
    )
    without = [schema for schema in current if not _has_history_triggers(conn, schema)]
    for schema in without:
        add_history_triggers(conn, schema)
    for schema in current:
        # Roles granted before grants took in sequences may record conflicts (collisions).
        regrant(conn, schema)
    return len(behind) + len(without)


def regrant(conn: Connection, schema: str) -> None:
    """Give every role that may use a workshop's schema its rights on all its tables again
    (tables an upgrade added included), the schema's owner first."""
    roles = conn.execute(
        text(
            "SELECT r.rolname FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner "
            "WHERE n.nspname = :s "
            "UNION SELECT r.rolname FROM pg_namespace n, aclexplode(n.nspacl) a "
            "JOIN pg_roles r ON r.oid = a.grantee "
            "WHERE n.nspname = :s AND a.privilege_type = 'USAGE'"
        ),
        {"s": schema},
    ).scalars()
    for role in roles:
        who = conn.dialect.identifier_preparer.quote(role)
        conn.execute(
            text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {who}")
        )
        conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {who}"))


def require_current_workshop(row: Any, location: ServerLocation) -> None:
    """Refuse a server workshop whose tables are of another version than this CareQual's."""
    from carequal_desktop.store import migrations

    found = int(row.schema_version)
    if found < migrations.SCHEMA_VERSION:
        raise ServerError(
            f"The workshop at {location.display} was stored by an earlier CareQual and must "
            "be upgraded on the server first: IT runs 'carequal server init'. Nothing was changed."
        )
    if found > migrations.SCHEMA_VERSION:
        raise ServerError(
            f"The workshop at {location.display} was stored by a newer CareQual (version "
            f"{found}); install the latest CareQual to open it."
        )
