"""Passwords: asked for, kept for the run, or remembered in PostgreSQL's own password file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from carequal_desktop.services import server
from carequal_desktop.services.server_credentials import password_file, remember_password
from carequal_desktop.store import server as store_server
from carequal_desktop.store.server import ServerError, parse_location
from tests.server.pgcluster import Cluster


@pytest.fixture
def pw_role(cluster: Cluster, server_url: str, database: str) -> str:
    cluster.psql(
        "DO $$ BEGIN CREATE ROLE carequal_pw LOGIN PASSWORD 'c0rrect:horse\\battery'; "
        "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
    )
    cluster.psql(f"GRANT CONNECT ON DATABASE {database} TO carequal_pw")
    return cluster.url("carequal_pw", database)


@pytest.fixture(autouse=True)
def no_saved_passwords(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "pgpass"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setattr(store_server, "_session_passwords", {})


def test_a_missing_password_is_asked_for_in_one_sentence(pw_role: str) -> None:
    with pytest.raises(ServerError, match="asks for carequal_pw's password"):
        server.list_workshops(pw_role)


def test_a_password_typed_for_the_run_is_used_and_a_wrong_one_refused(pw_role: str) -> None:
    loc = parse_location(pw_role)
    store_server.remember_for_session(loc, "wrong")
    with pytest.raises(ServerError, match="refused the login for carequal_pw"):
        server.list_workshops(pw_role)
    store_server.remember_for_session(loc, "c0rrect:horse\\battery")
    assert server.list_workshops(pw_role) == []


def test_remembered_in_postgresqls_own_password_file(pw_role: str, tmp_path: Path) -> None:
    loc = parse_location(pw_role)
    (tmp_path / "pgpass").write_text("otherhost:5432:*:someone:keep-me\n", encoding="utf-8")
    remember_password(loc, "an old one")
    target = remember_password(loc, "c0rrect:horse\\battery")
    assert target == password_file() == tmp_path / "pgpass"
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "otherhost:5432:*:someone:keep-me"  # other entries kept
    assert len(lines) == 2 and lines[1].endswith(":c0rrect\\:horse\\\\battery")
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    # libpq itself reads it: no password in CareQual's memory, and the login works.
    assert server.list_workshops(pw_role) == []
