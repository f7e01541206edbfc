"""Server workshops are upgraded by IT, explicitly, with the same ladder as files."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.operations import Operations

from carequal_desktop.services import server
from carequal_desktop.services.exchange import import_document
from carequal_desktop.store import connection, migrations
from carequal_desktop.store.server import ServerError, init_server, parse_location
from tests.server.pgcluster import Cluster


def _to_next(op: Operations) -> None:
    op.add_column("workshop", sa.Column("venue", sa.String(), nullable=False, server_default=""))
    op.create_table(
        "room_booking",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("room", sa.String(), nullable=False),
    )


def test_a_client_never_upgrades_the_server_and_init_does(
    cluster: Cluster,
    database: str,
    server_url: str,
    tmp_path: Path,
    example_doc: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    source = tmp_path / "Glenmuir.carequal"
    import_document(example_doc, source)
    loc = server.push(source, server_url)
    cluster.psql(
        "DO $$ BEGIN CREATE ROLE bob LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    cluster.psql(f"GRANT CONNECT ON DATABASE {database} TO bob")
    server.grant(loc, "bob")

    # A newer CareQual (one schema version more) meets the workshop on the server.
    newer = migrations.SCHEMA_VERSION + 1
    monkeypatch.setattr(migrations, "STEPS", {**migrations.STEPS, newer: _to_next})
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", newer)
    monkeypatch.setattr(connection, "SCHEMA_VERSION", newer)
    with pytest.raises(ServerError, match="IT runs 'carequal server init'"):
        server.open_server_workshop(loc)
    columns = f"SELECT count(*) FROM information_schema.columns WHERE table_schema = '{loc.schema}' AND column_name = 'venue'"
    assert cluster.psql(columns, database) == "0"  # the client changed nothing

    assert init_server(parse_location(server_url)) == "upgraded"
    assert cluster.psql(columns, database) == "1"
    assert init_server(parse_location(server_url)) == "up to date"
    service = server.open_server_workshop(loc)
    service.close()
    # A role granted before the upgrade keeps its rights on the tables the upgrade added.
    assert (
        cluster.psql(f"SELECT count(*) FROM {loc.schema}.room_booking", database, user="bob") == "0"
    )

    cluster.psql(f"UPDATE carequal.workshop SET schema_version = {newer + 1}", database)
    with pytest.raises(ServerError, match="newer CareQual"):
        server.open_server_workshop(loc)


def test_a_server_workshop_upgraded_to_statement_merging_keeps_their_history(
    cluster: Cluster, database: str, server_url: str, tmp_path: Path, example_doc: dict
) -> None:
    """Version 6 (the position statement's tables merge) adds SQLite triggers to files
    only; on a server the upgrade gives the three tables their PostgreSQL history triggers
    (made from the same ``TABLES``), and edits to them are noted there."""
    from carequal_desktop.domain.merge import TABLES
    from carequal_desktop.services.readiness import ReadinessService

    source = tmp_path / "Glenmuir.carequal"
    import_document(example_doc, source)
    loc = server.push(source, server_url)
    step = next(v for v, f in migrations.STEPS.items() if f.__name__ == "_add_statement_merging")
    new = ("position_statement", "statement_summary", "not_personal")
    cluster.psql(
        "".join(f'DROP TRIGGER carequal_history ON {loc.schema}."{t}";' for t in new)
        + f" UPDATE carequal.workshop SET schema_version = {step - 1}",
        database,
    )
    triggers = (
        "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE n.nspname = '{loc.schema}' AND t.tgname = 'carequal_history'"
    )
    assert cluster.psql(triggers, database) == str(len(TABLES) - 3)
    assert init_server(parse_location(server_url)) == "upgraded"
    assert cluster.psql(triggers, database) == str(len(TABLES))
    service = server.open_server_workshop(loc)
    try:
        ready = ReadinessService(service)
        ready.update_summary(2, "Written on the server.")
        ready.update_summary(2, "Revised on the server.")
        assert ready.statement_texts().summaries == {2: "Revised on the server."}
    finally:
        service.close()
    kept = cluster.psql(
        f"SELECT key FROM {loc.schema}.record_history WHERE tbl = 'statement_summary'", database
    )
    assert kept == "2"
