"""The repository stands alone and installs what it pins.

A plain clone with nothing beside it must pass the README's test command: nothing may read
a folder outside the repository. The lock files must pin every requirement of pyproject.toml
at a version it allows, and every installer (bootstrap, CI, the Windows workflow) must use
them.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import REPO

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = REPO / "requirements" / "lock.txt"
APP_LOCK = REPO / "requirements" / "app.txt"
SKIP_DIRS = {".git", ".venv", "node_modules", "build", "dist", ".tools", "__pycache__"}
TEXT_SUFFIXES = {".py", ".sh", ".md", ".toml", ".yml", ".yaml", ".spec", ".iss", ".txt", ".in", ""}


def _repository_text_files() -> list[Path]:
    files = []
    for path in REPO.rglob("*"):
        parts = set(path.relative_to(REPO).parts)
        if parts & SKIP_DIRS or not path.is_file() or path.suffix not in TEXT_SUFFIXES:
            continue
        if any(part.startswith(".") and part not in {".ci", ".github"} for part in parts):
            continue
        files.append(path)
    return files


def test_nothing_reads_a_folder_beside_the_repository() -> None:
    # Built from pieces so that this file does not match itself (nor the before-stop check).
    folder = "".join(["sha", "red"])
    outside = re.compile(
        r"\.\./" + folder + r"|parent\s*/\s*[\"']" + folder + r"[\"']|/work/" + folder
    )
    offenders = []
    for path in _repository_text_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if outside.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def _pins(lock: Path) -> dict[str, list[tuple[Version, str]]]:
    """name -> [(version, marker)] of a pip requirements file written by scripts/lock.sh."""
    pins: dict[str, list[tuple[Version, str]]] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$", line)
        if match:
            name, version, marker = match.groups()
            pins.setdefault(canonicalize_name(name), []).append((Version(version), marker or ""))
    return pins


def _requirements(*extras: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    listed = list(project["dependencies"])
    for extra in extras:
        listed += project["optional-dependencies"][extra]
    return [Requirement(text) for text in listed]


@pytest.mark.parametrize(
    ("lock", "extras"), [(LOCK, ("test", "build")), (APP_LOCK, ())], ids=["lock", "app"]
)
def test_lock_pins_every_requirement_at_a_version_pyproject_allows(
    lock: Path, extras: tuple[str, ...]
) -> None:
    pins = _pins(lock)
    assert pins, f"{lock.name} has no pins"
    problems = []
    for requirement in _requirements(*extras):
        found = pins.get(canonicalize_name(requirement.name))
        if not found:
            problems.append(f"{requirement.name} is not pinned: run bash scripts/lock.sh")
            continue
        for version, _marker in found:
            if version not in requirement.specifier:
                problems.append(f"{requirement} but {lock.name} pins {version}")
    assert not problems, "\n".join(problems)
    text = lock.read_text(encoding="utf-8")
    assert "--hash=sha256:" in text, "pins without hashes do not make a build reproducible"


def test_app_lock_agrees_with_the_full_lock() -> None:
    full, app = _pins(LOCK), _pins(APP_LOCK)
    assert set(app) <= set(full)
    for name, versions in app.items():
        assert versions == full[name], name


def test_every_installer_uses_the_lock() -> None:
    bootstrap = (REPO / "scripts" / "bootstrap.sh").read_text(encoding="utf-8")
    assert "requirements/lock.txt" in bootstrap and "requirements/app.txt" in bootstrap
    assert '-r "$LOCK"' in bootstrap and '--no-deps -e "$ROOT"' in bootstrap
    workflow = (REPO / ".github" / "workflows" / "windows.yml").read_text(encoding="utf-8")
    assert "pip install -r requirements/lock.txt" in workflow
    assert "pip install --no-deps -e ." in workflow
    assert not re.search(r"pip install (-e )?\"?\.\[", workflow), "unpinned install of extras"
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install" not in ci, ".ci/run installs through scripts/test.sh (the lock)"


def test_the_readme_test_command_runs_the_checks_then_the_suite() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "bash scripts/test.sh" in readme
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^bash scripts/test\.sh\b", ci, re.M)
    script = (REPO / "scripts" / "test.sh").read_text(encoding="utf-8")
    order = [
        script.index("ruff check ."),
        script.index("ruff format --check ."),
        script.index(".venv/bin/mypy"),
        script.index("-m pytest"),
    ]
    assert order == sorted(order)
    assert "set -euo pipefail" in script
    mypy_files = PYPROJECT["tool"]["mypy"]["files"]
    for layer in ("domain", "store", "services", "reports"):
        assert f"carequal_desktop/{layer}" in mypy_files
    assert PYPROJECT["tool"]["mypy"]["strict"] is True


def test_runs_are_reproducible_and_strict() -> None:
    from hypothesis import settings

    assert settings.default.derandomize is True  # the profile of tests/conftest.py
    assert settings.default.database is None
    pytest_options = PYPROJECT["tool"]["pytest"]["ini_options"]
    assert pytest_options["xfail_strict"] is True
    for option in ("--strict-markers", "--strict-config"):
        assert option in pytest_options["addopts"].split()
