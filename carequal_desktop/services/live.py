"""Seeing colleagues' edits on a server workshop as they are saved (LISTEN/NOTIFY).

Every committed change to a server workshop's tables is announced by PostgreSQL on the
workshop's channel (store/server.py ``add_change_notices``). A ``ChangeListener`` holds
one connection of its own that listens there; ``poll()`` returns, without waiting, the
tables that *other* clients changed since the last poll, so the window can reload what
is on screen. It never blocks typing: polling costs one non-blocking socket read.
"""

from __future__ import annotations

import contextlib

import psycopg

from carequal_desktop.services.unit import ServerWorkshop
from carequal_desktop.store.server import (
    KEEPALIVES,
    change_channel,
    server_error,
    session_password,
)


class ChangeListener:
    """Listens for changes to one server workshop made by other clients."""

    def __init__(self, server: ServerWorkshop) -> None:
        self.server = server
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self.own_changes = False  # set when this client's own changes are announced

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        loc = self.server.location
        password = session_password(loc) if loc.url.password is None else None
        query = dict(loc.url.query)
        query.setdefault("sslmode", "require")  # as for the workshop's own connections
        for key, value in KEEPALIVES.items():
            query.setdefault(key, str(value))
        if password:
            query["password"] = password  # typed for this run only
        conninfo = loc.url.set(drivername="postgresql", query=query).render_as_string(
            hide_password=False
        )
        try:
            conn = psycopg.connect(
                conninfo,
                autocommit=True,
                connect_timeout=8,
                application_name=f"{self.server.client}-listener",
            )
            conn.execute(f'LISTEN "{change_channel(loc.schema)}"')
        except psycopg.Error as exc:
            raise server_error(exc, loc) from None
        return conn

    @property
    def connected(self) -> bool:
        """Whether the listening connection is open (``poll`` would not have to reconnect)."""
        return self._conn is not None and not self._conn.closed

    def start(self) -> None:
        """Begin listening (a sentence if the server cannot be reached)."""
        if self._conn is None:
            self._conn = self._connect()

    def poll(self) -> set[str]:
        """Tables changed by other clients since the last poll; never waits.

        A dropped connection is reopened on the next poll; the UserError raised meanwhile
        says, in one sentence, that the server cannot be reached.
        """
        if self._conn is None or self._conn.closed:
            self._conn = None
            self.start()
        assert self._conn is not None
        changed: set[str] = set()
        try:
            for notice in self._conn.notifies(timeout=0):
                table, _, client = notice.payload.partition(" ")
                if client != self.server.client:
                    changed.add(table)
                else:
                    self.own_changes = True
        except psycopg.Error as exc:
            self.close()
            raise server_error(exc, self.server.location) from None
        return changed

    def close(self) -> None:
        """Stop listening (safe to call twice)."""
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                self._conn.close()
            self._conn = None
