"""A real PostgreSQL server for the server-store tests (started once per test process)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from tests.server import pgcluster

_counter = itertools.count()


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
