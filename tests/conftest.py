"""Shared fixtures: every test gets its own data folder and fresh workshop files on disk."""

from __future__ import annotations

import contextlib
import json
import os
import stat
import subprocess
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# The PostgreSQL cluster and the two engines (``engine``, ``workshops``) for every folder.
pytest_plugins = ["tests.engines"]

# Property tests draw the same examples on every run and every machine, so a CI failure is
# reproduced by running the test again; no example database is kept between runs.
hypothesis_settings.register_profile(
    "carequal", derandomize=True, database=None, deadline=None, max_examples=50
)
hypothesis_settings.load_profile("carequal")

# GUI tests run without a screen; set before Qt is imported anywhere.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
TEST_DATA = REPO / "tests" / "data"
# The exchange format is ours: its schema is resources/exchange/workshop.schema.json and its
# examples live in tests/data. Nothing a test reads lies outside the repository.
EXAMPLE_JSON = TEST_DATA / "example-glenmuir.json"
DEMO_JSON = REPO / "resources" / "demo" / "demo-workshop.json"
# Every version-1 exchange document that must keep importing (see tests/data/README.md).
V1_DOCUMENTS = sorted(TEST_DATA.glob("*.json"))


@pytest.fixture(autouse=True)
def data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings, logs, backups and the demo copy go to a folder of this test's own."""
    path = tmp_path_factory.mktemp("userdata")
    monkeypatch.setenv("CAREQUAL_DATA_DIR", str(path))
    return path


@pytest.fixture
def workshop_path(tmp_path: Path) -> Path:
    """Where a new workshop file may be created (it does not exist yet)."""
    return tmp_path / "Workshop.carequal"


@pytest.fixture
def example_doc() -> dict:
    """The exchange format's example (Glenmuir, fictional), freshly parsed."""
    return json.loads(EXAMPLE_JSON.read_text(encoding="utf-8"))


@pytest.fixture
def demo_doc() -> dict:
    return json.loads(DEMO_JSON.read_text(encoding="utf-8"))


@pytest.fixture
def new_service(workshop_path: Path):
    """A fresh workshop on the 2019 framework."""
    from carequal_desktop.services.workshop import WorkshopService

    service = WorkshopService.create(
        workshop_path, title="Test workshop", partnership="Testshire partnership"
    )
    yield service
    service.close()


@pytest.fixture
def example_service(tmp_path: Path, example_doc: dict):
    """The Glenmuir example imported into a workshop file."""
    from carequal_desktop.services.exchange import import_document
    from carequal_desktop.services.workshop import WorkshopService

    result = import_document(example_doc, tmp_path / "Glenmuir.carequal")
    service = WorkshopService.open(result.path)
    yield service
    service.close()


@pytest.fixture
def demo_service(tmp_path: Path, demo_doc: dict):
    """The bundled demo workshop imported into a file of this test's own."""
    from carequal_desktop.services.exchange import import_document
    from carequal_desktop.services.workshop import WorkshopService

    result = import_document(demo_doc, tmp_path / "Demo.carequal")
    service = WorkshopService.open(result.path)
    yield service
    service.close()


@contextlib.contextmanager
def unwritable(path: Path):
    """Make a file or folder really unwritable, for root too.

    Permission bits stop ordinary users; root ignores them, so where they are not enough
    the file system's immutable flag (``chattr +i``) is set as well.
    """
    mode = stat.S_IMODE(path.stat().st_mode)
    path.chmod(0o555 if path.is_dir() else 0o444)
    immutable = False
    try:
        if os.access(path, os.W_OK):
            subprocess.run(["chattr", "+i", str(path)], check=True, capture_output=True)
            immutable = True
        assert not os.access(path, os.W_OK)
        yield path
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(path)], check=True, capture_output=True)
        path.chmod(mode)
