"""Fast checks of the packaging files: the spec, installer.iss, the version template, icons.

The frozen build itself takes minutes and is not run here: `make frozen-check`
(python packaging/build.py --check) builds it and runs the frozen app.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
import sys
from pathlib import Path

import pytest

import carequal_desktop

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "packaging" / "carequal.spec"
ISS = REPO / "installer.iss"
VERSION_TEMPLATE = REPO / "packaging" / "version_info.txt.in"
BUILD_SCRIPT = REPO / "packaging" / "build.py"
WORKFLOW = REPO / ".github" / "workflows" / "windows.yml"
ICONS = REPO / "resources" / "icons"
VERSION = carequal_desktop.__version__


def _spec_tree() -> ast.Module:
    return ast.parse(SPEC.read_text(encoding="utf-8"))


def _spec_list(name: str) -> list[str]:
    """A top-level list of strings assigned in the spec, e.g. RESOURCE_DIRS."""
    for node in _spec_tree().body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            and isinstance(node.value, ast.List)
        ):
            return [ast.literal_eval(elt) for elt in node.value.elts]
    raise AssertionError(f"{name} not found in {SPEC.name}")


def _spec_functions(*names: str) -> dict[str, object]:
    """Run the named plain functions of the spec (they need only ast and ROOT)."""
    wanted = [n for n in _spec_tree().body if isinstance(n, ast.FunctionDef) and n.name in names]
    namespace: dict[str, object] = {"ast": ast, "re": re, "ROOT": REPO}
    exec(compile(ast.Module(body=wanted, type_ignores=[]), str(SPEC), "exec"), namespace)
    return namespace


def _iss() -> str:
    return ISS.read_text(encoding="utf-8")


def _iss_section(name: str) -> list[str]:
    lines, inside = [], False
    for line in _iss().splitlines():
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            inside = stripped == f"[{name}]"
            continue
        if inside and stripped and not stripped.startswith(";"):
            lines.append(stripped)
    return lines


def _iss_setup(key: str) -> str:
    for line in _iss_section("Setup"):
        k, _, v = line.partition("=")
        if k.strip() == key:
            return v.strip()
    raise AssertionError(f"{key} not set in [Setup]")


# --- the version is typed once --------------------------------------------------------------


def test_packaging_files_exist() -> None:
    for path in (SPEC, ISS, VERSION_TEMPLATE, BUILD_SCRIPT, WORKFLOW, REPO / "Makefile"):
        assert path.is_file(), path


@pytest.mark.parametrize("path", [SPEC, ISS, VERSION_TEMPLATE, WORKFLOW])
def test_no_literal_version(path: Path) -> None:
    assert VERSION not in path.read_text(encoding="utf-8"), (
        f"{path.name} types the version {VERSION}; it must come from carequal_desktop/__init__.py"
    )


def test_spec_reads_the_package_version() -> None:
    ns = _spec_functions("read_metadata", "version_tuple")
    meta = ns["read_metadata"]()  # type: ignore[operator]
    assert meta["__version__"] == VERSION
    assert meta["APP_NAME"] == carequal_desktop.APP_NAME
    numbers = ns["version_tuple"](VERSION)  # type: ignore[operator]
    assert len(numbers) == 4 and all(isinstance(n, int) for n in numbers)
    assert ns["version_tuple"]("1.2.3rc1") == (1, 2, 3, 0)  # type: ignore[operator]


def test_build_script_reads_the_package_version() -> None:
    spec = importlib.util.spec_from_file_location("carequal_build", BUILD_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.app_version() == VERSION
    # the installer's numeric version agrees with the spec's Windows version resource
    version_tuple = _spec_functions("version_tuple")["version_tuple"]
    for version in (VERSION, "1.2.3rc1", "2.0", "1.2.3.4.5"):
        expected = ".".join(str(n) for n in version_tuple(version))  # type: ignore[operator]
        assert module.numeric_version(version) == expected


_VERSION_RESOURCE_NAMES = (
    "VSVersionInfo",
    "FixedFileInfo",
    "StringFileInfo",
    "StringTable",
    "StringStruct",
    "VarFileInfo",
    "VarStruct",
)


def _version_resource_namespace() -> dict[str, object]:
    """PyInstaller's own classes on Windows; elsewhere stand-ins that record their arguments.

    PyInstaller.utils.win32.versioninfo imports Windows-only modules, so on Linux the
    template is evaluated against look-alikes with the same names and signatures.
    """
    if sys.platform == "win32":
        module = importlib.import_module("PyInstaller.utils.win32.versioninfo")
        return dict(vars(module))

    def recorder(name: str):  # type: ignore[no-untyped-def]
        def make(*args: object, **kwargs: object) -> dict[str, object]:
            return {"type": name, "args": args, **kwargs}

        return make

    return {name: recorder(name) for name in _VERSION_RESOURCE_NAMES}


def test_version_template_is_a_valid_windows_version_resource() -> None:
    text = VERSION_TEMPLATE.read_text(encoding="utf-8")
    placeholders = set(re.findall(r"@[A-Z_]+@", text))
    assert placeholders == {
        "@VERSION_TUPLE@",
        "@VERSION@",
        "@APP_NAME@",
        "@ORGANISATION@",
        "@INTERNAL_NAME@",
    }
    filled = (
        text.replace("@VERSION_TUPLE@", "0, 1, 0, 0")
        .replace("@VERSION@", VERSION)
        .replace("@APP_NAME@", carequal_desktop.APP_NAME)
        .replace("@ORGANISATION@", carequal_desktop.ORGANISATION)
        .replace("@INTERNAL_NAME@", "CareQual")
    )
    # PyInstaller reads version= files by evaluating them, as here.
    info = eval(filled, _version_resource_namespace())  # noqa: S307 (our own template)
    if isinstance(info, dict):
        assert info["type"] == "VSVersionInfo"
        assert info["ffi"]["filevers"] == (0, 1, 0, 0)  # type: ignore[index]
        assert VERSION in repr(info["kids"])
    else:
        assert VERSION in str(info)


def test_installer_takes_the_version_from_the_build() -> None:
    text = _iss()
    assert re.search(r"^#ifndef AppVersion\s*$", text, re.M)
    assert re.search(r"^\s*#error ", text, re.M), "a missing /DAppVersion must stop the compile"
    assert _iss_setup("AppVersion") == "{#AppVersion}"
    assert _iss_setup("OutputBaseFilename") == "CareQual-Setup-{#AppVersion}"
    assert not re.search(r"^\s*#define\s+AppVersion\s+\"?\d", text, re.M)


# --- installer behaviour IT relies on -------------------------------------------------------


def test_installer_app_id_is_a_fixed_guid() -> None:
    assert re.fullmatch(
        r"\{\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}",
        _iss_setup("AppId"),
    )


def test_installer_is_per_user_by_default() -> None:
    assert _iss_setup("PrivilegesRequired") == "lowest"
    assert _iss_setup("PrivilegesRequiredOverridesAllowed") == "dialog commandline"
    assert _iss_setup("DefaultDirName") == r"{autopf}\CareQual"
    assert _iss_setup("ArchitecturesInstallIn64BitMode") == "x64compatible"


def test_installer_registers_carequal_files() -> None:
    assert _iss_setup("ChangesAssociations") == "yes"
    registry = _iss_section("Registry")
    assert all(line.startswith("Root: HKA;") for line in registry), "HKCU or HKLM by mode"
    command = [line for line in registry if r"shell\open\command" in line]
    assert command and r'"""{app}\{#AppExeName}"" ""%1"""' in command[0]
    assert '#define AppExeName "CareQual.exe"' in _iss()
    for line in registry:
        if "uninsdeletekey" in line:
            # only keys that are ours alone: never the shared .carequal extension key
            assert r"Classes\.carequal" not in line, line


def test_silent_install_never_launches_the_app() -> None:
    runs = _iss_section("Run")
    assert runs
    for line in runs:
        assert "postinstall" in line and "skipifsilent" in line and "nowait" in line, line


def test_uninstall_never_deletes_user_data() -> None:
    assert not _iss_section("UninstallDelete")
    assert "{localappdata}" not in _iss().lower()
    assert "{userappdata}" not in _iss().lower()
    for line in _iss_section("InstallDelete"):
        assert "{app}\\" in line, line


def test_installer_files_exist() -> None:
    for value in (_iss_setup("SetupIconFile"), r"resources\icons\carequal-file.ico"):
        assert (REPO / value.replace("\\", "/")).is_file(), value
    assert r'Source: "resources\icons\carequal-file.ico"' in _iss()


# --- the spec bundles what the resolver opens -----------------------------------------------


def _resource_folders_used() -> set[str]:
    used = set()
    for path in (REPO / "carequal_desktop").rglob("*.py"):
        for match in re.finditer(r"resource_path\(\s*[\"']([^\"']+)[\"']", path.read_text("utf-8")):
            used.add(match.group(1))
    return used


def test_every_resource_folder_the_app_opens_is_bundled() -> None:
    bundled = set(_spec_list("RESOURCE_DIRS"))
    used = _resource_folders_used()
    assert {"frameworks", "demo", "exchange", "icons"} <= used | bundled
    assert used <= bundled, f"resource folders not in the spec's RESOURCE_DIRS: {used - bundled}"


def test_every_resources_subfolder_is_bundled() -> None:
    on_disk = {p.name for p in (REPO / "resources").iterdir() if p.is_dir()}
    assert on_disk == set(_spec_list("RESOURCE_DIRS"))


def test_spec_copies_resources_where_the_resolver_looks() -> None:
    text = SPEC.read_text(encoding="utf-8")
    assert 'f"resources/{name}"' in text
    resolver = (REPO / "carequal_desktop" / "resources.py").read_text(encoding="utf-8")
    assert '"_MEIPASS"' in resolver and '/ "resources"' in resolver


def test_spec_bundles_run_time_data_of_libraries() -> None:
    text = SPEC.read_text(encoding="utf-8")
    for package in ("docx", "jsonschema_specifications", "jsonschema"):
        assert f'collect_data_files("{package}")' in text


def test_hidden_imports_exist_and_are_commented() -> None:
    hidden = _spec_list("hiddenimports")
    assert "sqlalchemy.dialects.sqlite" in hidden
    for name in hidden:
        assert importlib.util.find_spec(name) is not None, name
    block = SPEC.read_text(encoding="utf-8").split("hiddenimports = [", 1)[1].split("]", 1)[0]
    lines = [line.strip() for line in block.strip().splitlines()]
    for i, line in enumerate(lines):
        if line.startswith('"'):
            assert any(prev.startswith("#") for prev in lines[:i]), f"{line} has no comment"


def test_excluded_modules_are_not_imported_by_the_app() -> None:
    excluded = set(_spec_list("excludes"))
    for path in (REPO / "carequal_desktop").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for name in names:
                parts = name.split(".")
                prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
                assert not prefixes & excluded, (
                    f"{path.name} imports {name}, which the spec excludes"
                )


def test_two_executables_one_folder() -> None:
    text = SPEC.read_text(encoding="utf-8")
    assert 'name="CareQual",\n    console=False' in text
    assert 'name="carequal-cli",\n    console=True' in text
    # Both on Windows (console or not matters there); one on Linux, where build.py links the
    # command-line name to it.
    assert (
        'programs = [exe_window] if sys.platform.startswith("linux") else [exe_window, exe_cli]'
        in text
    )
    assert "COLLECT(\n    *programs," in text
    assert 'CLI.symlink_to("CareQual")' in (SPEC.parent / "build.py").read_text(encoding="utf-8")


# --- icons ----------------------------------------------------------------------------------


def test_icons() -> None:
    from PIL import Image as image  # pillow: a test requirement (it comes with matplotlib too)

    with image.open(ICONS / "carequal.png") as png:
        assert png.size == (256, 256)
    for name in ("carequal.ico", "carequal-file.ico"):
        with image.open(ICONS / name) as ico:
            assert ico.info["sizes"] >= {(s, s) for s in (16, 24, 32, 48, 64, 128, 256)}, name


def test_makefile_targets() -> None:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    for target in ("help", "build", "frozen-check", "installer"):
        assert re.search(rf"^{re.escape(target)}:", text, re.M), target
