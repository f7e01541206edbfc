"""The service and exchange tests run on both engines with the same code.

``new_service``, ``example_service`` and ``demo_service`` here replace the file-only ones of
tests/conftest.py: each test using them runs twice, once on a workshop file (SQLite) and
once on a workshop in a PostgreSQL server database (tests/engines.py). Tests about files
themselves are marked ``files_only``; each module's docstring says which and why.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.engines import Workshops


@pytest.fixture
def new_service(workshops: Workshops) -> Any:
    """A fresh workshop on the 2019 framework, on this test's engine."""
    return workshops.create()


@pytest.fixture
def example_service(workshops: Workshops, example_doc: dict[str, Any]) -> Any:
    """The Glenmuir example, imported and put on this test's engine."""
    return workshops.imported(example_doc)


@pytest.fixture
def demo_service(workshops: Workshops, demo_doc: dict[str, Any]) -> Any:
    """The bundled demo workshop, imported and put on this test's engine."""
    return workshops.imported(demo_doc)
