"""Both storage engines for the tests: a workshop file (SQLite) or a workshop on PostgreSQL.

A pytest plugin (registered in tests/conftest.py) so every test folder can use it:

- ``cluster``: a throwaway PostgreSQL cluster, started once per test process (each xdist
  worker has its own: own folder, own socket folder, own port) and deleted when it ends;
- ``database`` (a fresh database of the test's own) and ``server_url`` (that database set
  up for CareQual, as the superuser), for the tests in tests/server;
- ``engine``: "sqlite" or "postgresql". A test that asks for it, directly or through
  ``workshops``, runs once on each engine with the same code. A test marked
  ``@pytest.mark.files_only`` runs on SQLite only (its module docstring says why); one
  marked ``@pytest.mark.postgresql_xfail(reason)`` is an expected, strict failure on
  PostgreSQL only (a known bug outside the tests, named in the reason);
- ``workshops``: fresh workshops on that engine (``Workshops``). On PostgreSQL every test
  process shares one server database, set up once; each workshop is a file pushed there
  (services/server.py ``push``, one schema per workshop), opened with
  ``open_server_workshop`` and dropped again when the test ends.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.server import pgcluster

ENGINES = ("sqlite", "postgresql")
_counter = itertools.count()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "files_only: about workshop files themselves (paths, locks, copies, backups); "
        "runs on SQLite only",
    )
    config.addinivalue_line(
        "markers",
        "postgresql_xfail(reason): a known failure on PostgreSQL only (strict xfail there)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that uses ``engine`` once per engine (``files_only``: SQLite only)."""
    if "engine" not in metafunc.fixturenames:
        return
    if metafunc.definition.get_closest_marker("files_only") is not None:
        metafunc.parametrize("engine", ["sqlite"])
        return
    xfail = metafunc.definition.get_closest_marker("postgresql_xfail")
    params = []
    for name in ENGINES:
        marks: list[pytest.MarkDecorator] = []
        if name == "postgresql" and xfail is not None:
            reason = xfail.args[0] if xfail.args else xfail.kwargs["reason"]
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        params.append(pytest.param(name, marks=marks, id=name))
    metafunc.parametrize("engine", params)


# ----------------------------------------------------------------------------- the server


@pytest.fixture(scope="session")
def cluster() -> Iterator[pgcluster.Cluster]:
    """The throwaway cluster: started here, stopped and deleted when the run ends."""
    try:
        running = pgcluster.start()
    except RuntimeError as exc:
        pytest.fail(str(exc))  # never a skip: the server tests are part of the suite
    yield running
    running.stop()


@pytest.fixture
def database(cluster: pgcluster.Cluster) -> str:
    """A fresh database of this test's own; returns its name."""
    name = f"t{next(_counter)}_{id(cluster) % 10000}"
    cluster.psql(f"CREATE DATABASE {name}")
    return name


@pytest.fixture
def server_url(cluster: pgcluster.Cluster, database: str) -> str:
    """The address of a server database set up for CareQual, as the superuser."""
    from carequal_desktop.store.server import init_server, parse_location

    url = cluster.url(database=database)
    init_server(parse_location(url))
    return url


@pytest.fixture(scope="session")
def shared_server_url(cluster: pgcluster.Cluster) -> str:
    """One database set up for CareQual that this test process's workshops share."""
    from carequal_desktop.store.server import init_server, parse_location

    cluster.psql("CREATE DATABASE workshops")
    url = cluster.url(database="workshops")
    init_server(parse_location(url))
    return url


# ---------------------------------------------------------------------------- workshops


class Workshops:
    """Fresh workshops on one engine, closed (and taken off the server) after the test."""

    def __init__(self, engine: str, folder: Path, request: pytest.FixtureRequest) -> None:
        self.engine = engine
        self.folder = folder
        self._request = request
        self._open: list[Any] = []  # WorkshopService
        self._pushed: list[Any] = []  # ServerLocation

    @property
    def on_server(self) -> bool:
        return self.engine == "postgresql"

    def _new_path(self, name: str) -> Path:
        stem = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")[:40] or "Workshop"
        return self.folder / f"{stem}-{next(_counter)}.carequal"

    def _track(self, service: Any) -> Any:
        self._open.append(service)
        return service

    def create(
        self,
        title: str = "Test workshop",
        partnership: str = "Testshire partnership",
        **options: Any,
    ) -> Any:
        """A new workshop (the 2019 framework unless ``framework=`` says otherwise)."""
        from carequal_desktop.services.workshop import WorkshopService

        service = WorkshopService.create(
            self._new_path(title), title=title, partnership=partnership, **options
        )
        return self._track(service) if not self.on_server else self._move_to_server(service)

    def imported(self, doc: dict[str, Any]) -> Any:
        """A workshop built from an exchange document (import-json, then push if a server)."""
        from carequal_desktop.services.exchange import import_document

        result = import_document(doc, self._new_path(str(doc["workshop"]["title"])))
        return self.add(result.path)

    def add(self, path: Path) -> Any:
        """The workshop file at ``path`` on this engine (pushed to the server if needed)."""
        from carequal_desktop.services.workshop import WorkshopService

        if not self.on_server:
            return self._track(WorkshopService.open(path))
        return self._push(path)

    def _move_to_server(self, service: Any) -> Any:
        path = service.path
        service.close()
        return self._push(path)

    def _push(self, path: Path) -> Any:
        from carequal_desktop.services import server

        url = self._request.getfixturevalue("shared_server_url")
        location = server.push(path, url)
        self._pushed.append(location)
        return self.open(location)

    def where(self, service: Any) -> Any:
        """What opens ``service``'s workshop again: its path or its server location."""
        return service.db.server.location if service.db.server is not None else service.path

    def address(self, service: Any) -> str:
        """What the command line takes for ``service``'s workshop: a path or a location."""
        where = self.where(service)
        return str(where) if isinstance(where, Path) else str(where.display)

    def open(self, where: Any, *, read_only: bool = False) -> Any:
        """Open a workshop by path or server location."""
        from carequal_desktop.services.server import open_server_workshop
        from carequal_desktop.services.workshop import WorkshopService

        if isinstance(where, Path):
            return self._track(WorkshopService.open(where, read_only=read_only))
        return self._track(open_server_workshop(where, read_only=read_only))

    def reopen(self, service: Any, *, read_only: bool = False) -> Any:
        """Close ``service`` and open its workshop again (what was saved is all there is)."""
        service.close()
        return self.open(self.where(service), read_only=read_only)

    def discard(self, service: Any) -> None:
        """Close ``service`` and delete its workshop (file or server schema)."""
        service.close()
        where = self.where(service)
        if isinstance(where, Path):
            where.unlink(missing_ok=True)
        else:
            self._drop(where)
            self._pushed = [loc for loc in self._pushed if loc != where]

    def _drop(self, location: Any) -> None:
        cluster: pgcluster.Cluster = self._request.getfixturevalue("cluster")
        cluster.psql(
            f"DROP SCHEMA IF EXISTS {location.schema} CASCADE; "
            f"DELETE FROM carequal.workshop WHERE id = '{location.workshop_id}'",
            location.url.database,
        )

    def close_all(self) -> None:
        for service in self._open:
            service.close()
        self._open.clear()
        for location in self._pushed:
            self._drop(location)
        self._pushed.clear()


@pytest.fixture
def workshops(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Workshops]:
    """Fresh workshops on this test's engine (see ``Workshops``)."""
    made = Workshops(engine, tmp_path / "workshops", request)
    made.folder.mkdir()
    yield made
    made.close_all()
