"""The wheel: it carries resources/, declares what the code imports, and works once installed.

The install test builds the wheel from a copy of the sources, installs it into a new virtual
environment and runs the ``carequal`` command from a folder outside the repository. It needs
no network: the wheel is built with the setuptools of the running environment
(``--no-build-isolation``), and the new environment borrows the running one's libraries
through a path file instead of downloading them.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE_JSON, REPO

PACKAGE = REPO / "carequal_desktop"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared_distributions() -> set[str]:
    names = set()
    for requirement in PYPROJECT["project"]["dependencies"]:
        names.add(_normalise(re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]))
    return names


def _imported_top_level_modules() -> dict[str, Path]:
    """Top-level names the package imports (lazily or not), with one file that does."""
    found: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], path)
    return found


def test_every_imported_library_is_declared() -> None:
    declared = _declared_distributions()
    owners = packages_distributions()
    missing = []
    for module, path in _imported_top_level_modules().items():
        if module in sys.stdlib_module_names or module in {"__future__", "carequal_desktop"}:
            continue
        distributions = {_normalise(d) for d in owners.get(module, [])}
        assert distributions, f"{module} (imported in {path.name}) is not installed"
        if not distributions & declared:
            missing.append(f"{module} ({path.relative_to(REPO)}): one of {sorted(distributions)}")
    assert not missing, "imported but not in pyproject's dependencies: " + "; ".join(missing)


def test_python_docx_is_capped_below_its_next_major_version() -> None:
    (docx,) = [r for r in PYPROJECT["project"]["dependencies"] if r.startswith("python-docx")]
    assert "<2" in docx.replace(" ", "")


def test_every_resources_folder_is_a_wheel_package() -> None:
    packages = PYPROJECT["tool"]["setuptools"]["packages"]
    folders = {p.name for p in (REPO / "resources").iterdir() if p.is_dir()}
    assert {f"carequal_desktop._resources.{name}" for name in folders} <= set(packages)
    code_packages = {
        ".".join(p.parent.relative_to(REPO).parts) for p in PACKAGE.rglob("__init__.py")
    }
    assert code_packages <= set(packages), "a package is missing from [tool.setuptools]"


def _run(cmd: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, (
        f"{cmd} exited {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}"
    )
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built from a copy of the sources (the checkout is left untouched)."""
    root = tmp_path_factory.mktemp("wheel")
    src = root / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(PACKAGE, src / "carequal_desktop", ignore=ignore)
    shutil.copytree(REPO / "resources", src / "resources", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    dist = root / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", dist, src],
        cwd=root,
    )  # fmt: skip
    (found,) = dist.glob("carequal_desktop-*.whl")
    return found


def test_wheel_carries_the_code_and_every_resource(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (REPO / "resources").rglob("*"):
        if path.is_file():
            inside = (
                "carequal_desktop/_resources/" + path.relative_to(REPO / "resources").as_posix()
            )
            assert inside in names, inside
    for path in PACKAGE.rglob("*.py"):
        assert path.relative_to(REPO).as_posix() in names, path


@pytest.mark.slow
def test_installed_wheel_imports_and_exports_from_anywhere(
    wheel: Path, tmp_path: Path, data_dir: Path
) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / ("python.exe" if os.name == "nt" else "python")
    # The new environment sees the running one's libraries (PySide6, SQLModel, ...) as plain
    # path entries: their .pth files, and so an editable install of this checkout, are not run.
    site = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                     cwd=tmp_path).strip())  # fmt: skip
    borrowed = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "borrowed.pth").write_text("\n".join(sorted(borrowed)) + "\n", encoding="utf-8")
    _run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
         "--no-index", wheel],
        cwd=tmp_path,
    )  # fmt: skip

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "PYTHONHOME"}}
    env.update(QT_QPA_PLATFORM="offscreen", CAREQUAL_DATA_DIR=str(data_dir))
    where = _run(
        [python, "-c", "import carequal_desktop.resources as r; print(r.__file__); "
         "print(r.resource_path('exchange', 'workshop.schema.json'))"],
        cwd=outside, env=env,
    ).splitlines()  # fmt: skip
    assert all(Path(line).resolve().is_relative_to(site.resolve()) for line in where), where
    assert Path(where[1]).is_file()

    carequal = bindir / ("carequal.exe" if os.name == "nt" else "carequal")
    example = outside / "example.json"
    shutil.copy2(EXAMPLE_JSON, example)
    _run([carequal, "import-json", "example.json", "x.carequal"], cwd=outside, env=env)
    _run([carequal, "export-docx", "x.carequal", "x.docx"], cwd=outside, env=env)
    with zipfile.ZipFile(outside / "x.docx") as docx:
        body = docx.read("word/document.xml").decode("utf-8")
    assert "Glenmuir" in body


def test_resolver_prefers_a_frozen_bundle_then_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from carequal_desktop import resources

    assert resources.resources_dir() == REPO / "resources"  # this checkout
    bundle = tmp_path / "bundle"
    (bundle / "resources" / "exchange").mkdir(parents=True)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert resources.resource_path("exchange", "x.json") == bundle / "resources/exchange/x.json"
    # A bundle without the folder is not taken for one.
    (bundle / "resources" / "exchange").rmdir()
    assert resources.resources_dir() == REPO / "resources"
