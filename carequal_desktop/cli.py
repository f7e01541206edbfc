"""The one entry point: the window, and the commands that work without it.

``carequal`` and ``python main.py`` both land here. A user's mistake exits 2 with one
sentence on stderr; a bug exits 1, with its traceback in the log file, never on screen.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from carequal_desktop import APP_NAME, __version__
from carequal_desktop.errors import UserError

PROG = "carequal"

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USER = 2


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(message)


def _window_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description=f"{APP_NAME} {__version__}: run a multi-agency self-evaluation workshop "
        "offline and draft a position statement.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "commands (each has --help):\n"
            "  import-json IN.json OUT.carequal   make a workshop from exchange JSON\n"
            "  export-json FILE OUT.json          write a workshop as exchange JSON\n"
            "  export-docx FILE OUT.docx          write the draft position statement in Word\n"
            "  export-csv FILE OUT.csv            write the improvement plan or evidence register as CSV\n"
            "  new-cycle PREVIOUS NEW.carequal    start the next self-evaluation from a previous one\n"
            "  merge INTO FROM [--json]           merge another copy (file or location) into INTO\n"
            "  conflicts FILE [--json]            list merge conflicts still to decide\n"
            "  resolve FILE ID --ours|--theirs|--text TEXT   decide one conflict\n"
            "  update FILE EDITED.json            apply an edited exchange document as edits\n"
            "  check FILE [--json]                list what to look at before the statement goes out\n"
            "  server init|list|grant|revoke      set up a PostgreSQL server, list or share its workshops\n"
            "  push FILE URL                      put a workshop on a server and print its location\n"
            "  pull LOCATION OUT.carequal         take an offline copy of a server workshop\n"
            "\n"
            "FILE may also be a server location: postgresql://USER@HOST/DB#WORKSHOP-ID\n"
            "\n"
            "examples:\n"
            "  carequal                     open the start screen\n"
            "  carequal my.carequal         open a workshop\n"
            "  carequal --demo              open the demo workshop\n"
        ),
    )
    p.add_argument(
        "file",
        nargs="?",
        type=_source,
        help="workshop file to open (.carequal), or a server location "
        "postgresql://USER@HOST/DB#WORKSHOP-ID",
    )
    p.add_argument("--demo", action="store_true", help="open the bundled demo workshop")
    p.add_argument(
        "--smoke",
        action="store_true",
        help="open the file (or the demo), paint the main window and exit 0; for checks",
    )
    p.add_argument("--screenshot", type=Path, metavar="PNG", help=argparse.SUPPRESS)
    p.add_argument(
        "--tour",
        type=Path,
        metavar="DIR",
        help="with --demo: show every page, the facilitation mode and every main dialog, "
        "save a PNG of each into DIR, exit 1 if any is larger than the screen",
    )
    p.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    return p


def _command_parsers() -> dict[
    str, tuple[argparse.ArgumentParser, Callable[[argparse.Namespace], int]]
]:
    commands: dict[str, tuple[argparse.ArgumentParser, Callable[[argparse.Namespace], int]]] = {}

    p = _Parser(prog=f"{PROG} import-json", description="Make a workshop file from exchange JSON.")
    p.add_argument("source", type=Path, metavar="IN.json")
    p.add_argument("target", type=Path, metavar="OUT.carequal")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    commands["import-json"] = (p, _import_json)

    p = _Parser(prog=f"{PROG} export-json", description="Write a workshop as exchange JSON.")
    p.add_argument("source", type=_source, metavar="FILE")
    p.add_argument("target", type=Path, metavar="OUT.json")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    commands["export-json"] = (p, _export_json)

    p = _Parser(
        prog=f"{PROG} export-docx",
        description="Write the draft position statement as a Word document.",
    )
    p.add_argument("source", type=_source, metavar="FILE")
    p.add_argument("target", type=Path, metavar="OUT.docx")
    p.add_argument("--no-grades", action="store_true", help="leave out the team's grades")
    p.add_argument(
        "--no-evidence-appendix", action="store_true", help="leave out the evidence index appendix"
    )
    p.add_argument("--no-plan", action="store_true", help="leave out the improvement plan")
    p.add_argument(
        "--no-agency-views",
        action="store_true",
        help="leave out where agencies' proposed grades differed and their dissent",
    )
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    _add_personal_data_flag(p)
    commands["export-docx"] = (p, _export_docx)

    p = _Parser(
        prog=f"{PROG} export-csv",
        description="Write the improvement plan or the evidence register as CSV for Excel.",
    )
    p.add_argument("source", type=_source, metavar="FILE")
    p.add_argument("target", type=Path, metavar="OUT.csv")
    p.add_argument(
        "--table",
        choices=("plan", "evidence"),
        default="plan",
        help="which table to write (default: plan)",
    )
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    _add_personal_data_flag(p)
    commands["export-csv"] = (p, _export_csv)
    commands["new-cycle"] = _new_cycle_parser()
    _server_parsers(commands)
    _add_merge_commands(commands)
    _add_check_command(commands)
    return commands


def _source(text: str) -> Path | str:
    """A workshop file, or a server location kept as text (a Path would fold its //)."""
    from carequal_desktop.store.server import is_location

    return text if is_location(text) else Path(text)


def _server_parsers(
    commands: dict[str, tuple[argparse.ArgumentParser, Callable[[argparse.Namespace], int]]],
) -> None:
    p = _Parser(
        prog=f"{PROG} server",
        description="Set up a PostgreSQL server for CareQual, list its workshops, or say who "
        "may open one. URL is postgresql://USER@HOST/DB; LOCATION adds #WORKSHOP-ID.",
    )
    sub = p.add_subparsers(dest="action", required=True, parser_class=_Parser)
    sub.add_parser("init", help="create or upgrade CareQual's tables (idempotent)").add_argument(
        "url", metavar="URL"
    )
    lister = sub.add_parser("list", help="the workshops your role may open")
    lister.add_argument("url", metavar="URL")
    lister.add_argument("--json", action="store_true", help="print JSON")
    for name, text in (("grant", "let ROLE open and change"), ("revoke", "stop ROLE opening")):
        g = sub.add_parser(name, help=f"{text} the workshop at LOCATION")
        g.add_argument("location", metavar="LOCATION")
        g.add_argument("role", metavar="ROLE")
    commands["server"] = (p, _server)

    p = _Parser(prog=f"{PROG} push", description="Put a workshop file on a PostgreSQL server.")
    p.add_argument("source", type=Path, metavar="FILE.carequal")
    p.add_argument("url", metavar="URL")
    commands["push"] = (p, _push)

    p = _Parser(prog=f"{PROG} pull", description="Take an offline copy of a server workshop.")
    p.add_argument("location", metavar="LOCATION")
    p.add_argument("target", type=Path, metavar="OUT.carequal")
    p.add_argument("--force", action="store_true", help="replace OUT if it exists")
    commands["pull"] = (p, _pull)


def _server(args: argparse.Namespace) -> int:
    from carequal_desktop.services import server
    from carequal_desktop.store.server import init_server, parse_location

    if args.action == "init":
        loc = parse_location(args.url)
        outcome = init_server(loc)
        print(
            f"The server {loc.server} is {'ready' if outcome != 'up to date' else 'already up to date'} for CareQual ({outcome})."
        )
    elif args.action == "list":
        rows = server.list_workshops(args.url)
        if args.json:
            import json

            print(
                json.dumps(
                    [{"location": loc, "title": t, "partnership": p} for loc, t, p in rows],
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            for loc, title, partnership in rows:
                print(f"{title} ({partnership})\t{loc}")
    else:
        server.grant(args.location, args.role, revoke=args.action == "revoke")
        print(
            f"{args.role} {'may now open' if args.action == 'grant' else 'may no longer open'} {parse_location(args.location).display}"
        )
    return EXIT_OK


def _push(args: argparse.Namespace) -> int:
    from carequal_desktop.services.server import push

    print(push(args.source, args.url).display)
    return EXIT_OK


def _pull(args: argparse.Namespace) -> int:
    from carequal_desktop.services.server import pull

    _check_target(args.target, args.force)
    print(f"Offline copy written to {pull(args.location, args.target, overwrite=args.force)}")
    return EXIT_OK


def _check_target(target: Path, force: bool, *, export: bool = False) -> None:
    if export:
        from carequal_desktop.services.files import check_target

        check_target(target, overwrite=True)  # a workshop is never an export's target
    if target.exists() and not force:
        raise UserError(f"{target} already exists; add --force to replace it.")


def _open(source: Path | str):  # type: ignore[no-untyped-def]
    if isinstance(source, str):
        from carequal_desktop.services.server import open_server_workshop

        return open_server_workshop(source, read_only=True)
    from carequal_desktop.services.workshop import WorkshopService

    service = WorkshopService.open(source, read_only=True)
    for notice in getattr(service, "notices", []):
        print(f"{PROG}: note: {notice}", file=sys.stderr)
    return service


def _import_json(args: argparse.Namespace) -> int:
    from carequal_desktop.services.exchange import import_json

    _check_target(args.target, args.force)
    result = import_json(args.source, args.target, overwrite=args.force)
    for warning in result.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    print(f"Workshop written to {result.path}")
    return EXIT_OK


def _export_json(args: argparse.Namespace) -> int:
    from carequal_desktop.services.exchange import export_json

    _check_target(args.target, args.force, export=True)
    service = _open(args.source)
    try:
        export_json(service, args.target, overwrite=args.force)
    finally:
        service.close()
    print(f"Exchange JSON written to {args.target}")
    return EXIT_OK


def _export_docx(args: argparse.Namespace) -> int:
    from carequal_desktop.reports.position_statement import ExportOptions, write_position_statement

    _check_target(args.target, args.force, export=True)
    options = ExportOptions(
        include_grades=not args.no_grades,
        include_evidence_appendix=not args.no_evidence_appendix,
        include_plan=not args.no_plan,
        include_agency_views=not args.no_agency_views,
    )
    service = _open(args.source)
    try:
        _refuse_personal_data(service, args.allow_personal_data)
        result = write_position_statement(service, args.target, options, overwrite=args.force)
        conflict_warning = _merge_export_warning(service)
    finally:
        service.close()
    for warning in [*getattr(result, "warnings", []), *conflict_warning]:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    print(f"Position statement written to {args.target}")
    return EXIT_OK


def _export_csv(args: argparse.Namespace) -> int:
    from carequal_desktop.reports.csv_export import write_evidence_csv, write_plan_csv

    _check_target(args.target, args.force, export=True)
    service = _open(args.source)
    try:
        _refuse_personal_data(service, args.allow_personal_data)
        writer = write_plan_csv if args.table == "plan" else write_evidence_csv
        result = writer(service, args.target, overwrite=args.force)
    finally:
        service.close()
    for warning in result.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    print(f"CSV written to {args.target}")
    return EXIT_OK


def _new_cycle_parser() -> tuple[argparse.ArgumentParser, Callable[[argparse.Namespace], int]]:
    p = _Parser(
        prog=f"{PROG} new-cycle",
        description="Start the next self-evaluation from a previous workshop: same team, "
        "evidence with its dates, open actions; every indicator not started, last cycle's "
        "grade kept as its previous grade.",
    )
    p.add_argument("source", type=_source, metavar="PREVIOUS")
    p.add_argument("target", type=Path, metavar="NEW.carequal")
    p.add_argument(
        "--title", help="title of the new workshop (default: the previous one's, a year on)"
    )
    p.add_argument(
        "--framework",
        default="same",
        metavar="ID",
        help="'same' (default: the previous workshop's own copy) or a built-in framework id, "
        "e.g. qf-2019; indicators are matched by code",
    )
    p.add_argument("--force", action="store_true", help="replace NEW if it exists")
    return p, _new_cycle


def _new_cycle(args: argparse.Namespace) -> int:
    from carequal_desktop.services.new_cycle import start_next_cycle

    _check_target(args.target, args.force)
    service = _open(args.source)
    try:
        result = start_next_cycle(
            service,
            args.target,
            title=args.title,
            framework=args.framework,
            overwrite=args.force,
        )
    finally:
        service.close()
    for warning in result.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)
    print(f"New workshop written to {result.path}")
    print(result.summary(with_warnings=False))
    return EXIT_OK


def _import_window_modules() -> None:
    """Import what the window needs, in the order and manner that starts it fastest.

    The measurements are in docs/performance.md ("What made the difference").
    """
    import gc

    # Some 1,000 modules' objects are made here and live until the process ends: the
    # garbage collector would only walk them again and again while they are imported,
    # and once more at exit (about 70 ms for SQLAlchemy and pydantic alone).
    gc.disable()
    try:
        # The storage layer (SQLAlchemy, SQLModel, pydantic) comes BEFORE PySide6: once
        # PySide6 is loaded, shiboken's import hook reads the source of every module
        # imported after it (looking for ``__feature__``), which costs about 0.07 s and
        # 20 MB.
        import sqlalchemy.dialects.sqlite  # noqa: F401  (loaded by the first engine otherwise)

        import carequal_desktop.log  # noqa: F401
        import carequal_desktop.services.workshop  # noqa: F401
        import carequal_desktop.ui.main_window  # noqa: F401
    finally:
        gc.freeze()  # leave what was imported out of every later collection
        gc.enable()


def _run_window(args: argparse.Namespace) -> int:
    if args.file is not None and args.demo:
        raise _UsageError("give a file or --demo, not both")
    if (
        args.smoke
        and sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _import_window_modules()
    from carequal_desktop.ui.app import run

    try:
        return run(
            file=args.file,
            demo=args.demo,
            smoke=args.smoke,
            screenshot=args.screenshot,
            tour=args.tour,
        )
    finally:
        import gc

        # The window has closed and the process ends next: nothing it made needs one last
        # walk by the collector at exit (about 10 ms).
        gc.freeze()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run it; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in _command_names():
            _log_to_file()
            parser, handler = _command_parsers()[argv[0]]
            return handler(parser.parse_args(argv[1:]))
        return _run_window(_window_parser().parse_args(argv))
    except _UsageError as exc:
        print(f"{PROG}: {exc}. Run '{PROG} --help' for how to use it.", file=sys.stderr)
        return EXIT_USER
    except UserError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return EXIT_USER
    except KeyboardInterrupt:
        return 130
    except MemoryError:
        print(
            f"{PROG}: this computer ran out of memory; the input is too large. Nothing was changed.",
            file=sys.stderr,
        )
        return EXIT_USER
    except Exception as exc:  # a bug: log it, never show a traceback
        from carequal_desktop.log import log_bug

        log = log_bug(exc)
        print(
            f"{PROG}: something went wrong that should not have ({type(exc).__name__}). "
            f"Nothing was changed. Details are in {log}.",
            file=sys.stderr,
        )
        return EXIT_BUG


def _log_to_file() -> None:
    """What the store logs (a refused file's reason, a recovery) goes to the log file, never
    to stderr, where only the one sentence belongs."""
    import logging

    try:
        from carequal_desktop.log import setup_logging

        setup_logging()
    except OSError:
        logging.getLogger("carequal").addHandler(logging.NullHandler())


def _command_names() -> tuple[str, ...]:
    return (
        "import-json",
        "export-json",
        "export-docx",
        "export-csv",
        "new-cycle",
        "server",
        "push",
        "pull",
        "check",
        *_MERGE_COMMANDS,
    )


# ------------------------------------------------ readiness: check, personal-data guard


def _add_check_command(
    commands: dict[str, tuple[argparse.ArgumentParser, Callable[[argparse.Namespace], int]]],
) -> None:
    p = _Parser(
        prog=f"{PROG} check",
        description="List what to look at before the position statement goes out: possible "
        "personal data, grades with no or one-sided evidence, old evidence, agreed indicators "
        "with something missing and actions that are not yet SMART. Exits 0 whether or not "
        "there are findings (see docs/command-line.md).",
    )
    p.add_argument("source", type=_source, metavar="FILE")
    p.add_argument("--json", action="store_true", help="print the findings as a JSON list")
    commands["check"] = (p, _check)


def _add_personal_data_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--allow-personal-data",
        action="store_true",
        help="write even though the text may hold personal data (see 'carequal check')",
    )


def _check(args: argparse.Namespace) -> int:
    import json

    from carequal_desktop.domain.readiness import FINDING_KINDS
    from carequal_desktop.services.readiness import ReadinessService

    service = _open(args.source)
    try:
        findings = ReadinessService(service).findings()
    finally:
        service.close()
    if args.json:
        print(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not findings:
        print("Nothing to look at: no findings.")
        return EXIT_OK
    for kind, heading in FINDING_KINDS.items():
        of_kind = [f for f in findings if f.kind == kind]
        if of_kind:
            print(f"{heading} ({len(of_kind)}):")
            for f in of_kind:
                print(f"  - {f.message}")
    print(f"{len(findings)} finding{'s' if len(findings) != 1 else ''} in all.")
    return EXIT_OK


class PersonalDataError(UserError):
    """Possible personal data is still in the workshop; ``findings`` lists where."""


def _refuse_personal_data(service: object, allowed: bool) -> None:
    from carequal_desktop.services.readiness import ReadinessService

    if allowed:
        return
    findings = ReadinessService(service).personal_data()
    if findings:
        lines = "\n".join(f"  - {f.message}" for f in findings)
        raise PersonalDataError(
            f"Nothing was written: the workshop may hold personal data in "
            f"{len(findings)} place{'s' if len(findings) != 1 else ''}. Remove it, or mark it as "
            "not personal on the Readiness page, or add --allow-personal-data.\n" + lines
        )


# ------------------------------------------------------------------ merging (issue 11)
# merge, conflicts, resolve, update: see docs/merging.md for what they do and the --json.

_MERGE_COMMANDS = ("merge", "conflicts", "resolve", "update")


def _add_merge_commands(
    commands: dict[str, tuple[argparse.ArgumentParser, Callable[[argparse.Namespace], int]]],
) -> None:
    p = _Parser(
        prog=f"{PROG} merge",
        description="Merge another copy of the workshop (FROM) into INTO, field by field. "
        "Changes made only in FROM are taken; a field changed differently in both is kept as a "
        "conflict to decide with 'carequal resolve'. FROM is never changed. Either may be a "
        "server location (postgresql://USER@HOST/DB#WORKSHOP-ID), so an offline copy taken "
        "with 'carequal pull' merges back into the server workshop.",
    )
    p.add_argument("into", type=_source, metavar="INTO", help="a workshop file or server location")
    p.add_argument("source", type=_source, metavar="FROM", help="a workshop file or location")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    commands["merge"] = (p, _merge)

    p = _Parser(prog=f"{PROG} conflicts", description="List the merge conflicts still to decide.")
    p.add_argument("file", type=_source, metavar="FILE")
    p.add_argument("--json", action="store_true", help="print them as JSON")
    commands["conflicts"] = (p, _conflicts)

    p = _Parser(
        prog=f"{PROG} resolve",
        description="Decide one merge conflict: keep this file's version, the incoming one, or "
        "a text of your own.",
    )
    p.add_argument("file", type=_source, metavar="FILE")
    p.add_argument("id", type=int, metavar="ID", help="the conflict's number (carequal conflicts)")
    choice = p.add_mutually_exclusive_group(required=True)
    choice.add_argument("--ours", action="store_true", help="keep this file's version")
    choice.add_argument("--theirs", action="store_true", help="take the incoming version")
    choice.add_argument("--text", metavar="TEXT", help="keep this text instead (a combination)")
    commands["resolve"] = (p, _resolve)

    p = _Parser(
        prog=f"{PROG} update",
        description="Apply an edited exchange document to an existing workshop as edits: records "
        "matched by id, changed fields updated, new records added.",
    )
    p.add_argument("file", type=_source, metavar="FILE.carequal")
    p.add_argument("source", type=Path, metavar="EDITED.json")
    p.add_argument(
        "--delete-missing",
        action="store_true",
        help="also delete participants, evidence and actions the document no longer has",
    )
    commands["update"] = (p, _update)


def _print_json(value: object) -> None:
    import json

    print(json.dumps(value, ensure_ascii=False, indent=2))


def _merge(args: argparse.Namespace) -> int:
    from carequal_desktop.services.merge import merge_paths

    report = merge_paths(args.into, args.source)
    if args.json:
        _print_json(report.to_json())
    else:
        print(report.summary())
        for c in report.conflicts:
            print(f"  conflict {c.id}: {c.record}, {c.field_label}")
        if report.conflicts:
            print(f"Decide them in the window (Merge page) or with '{PROG} resolve'.")
    return EXIT_OK


def _conflicts(args: argparse.Namespace) -> int:
    from carequal_desktop.services.collisions import origins
    from carequal_desktop.services.merge import open_conflicts

    service = _open(args.file)
    try:
        conflicts = open_conflicts(service)
        came_from = origins(service) if conflicts else {}
    finally:
        service.close()
    if args.json:
        _print_json({"conflicts": [c.to_json() for c in conflicts]})
        return EXIT_OK
    if not conflicts:
        print("No conflicts to decide.")
    for c in conflicts:
        print(f"{c.id}: {c.record}, {c.field_label}")
        origin = came_from.get(c.id)
        if origin is not None:  # this file = the saved text; incoming = the typing kept
            print(f"    from a simultaneous edit by {origin.by} (incoming: the typing not saved)")
        if c.base_known:
            print(f"    original:  {c.base!r}")
        print(f"    this file: {c.ours!r}")
        print(f"    incoming:  {c.theirs!r}")
    return EXIT_OK


def _resolve(args: argparse.Namespace) -> int:
    from carequal_desktop.services.merge import resolve

    choice = "ours" if args.ours else "theirs" if args.theirs else "text"
    service = _open_to_change(args.file)
    try:
        resolve(service, args.id, choice, args.text)
    finally:
        service.close()
    print(f"Conflict {args.id} decided.")
    return EXIT_OK


def _update(args: argparse.Namespace) -> int:
    from carequal_desktop.services.exchange import read_json_file
    from carequal_desktop.services.update import apply_document, update_file

    if isinstance(args.file, str):  # a server location: the same edits, on the server
        doc = read_json_file(args.source)
        service = _open_to_change(args.file)
        try:
            report = apply_document(service, doc, delete_missing=args.delete_missing)
        finally:
            service.close()
    else:
        report = update_file(args.file, args.source, delete_missing=args.delete_missing)
    print(report.summary())
    return EXIT_OK


def _open_to_change(source: Path | str):  # type: ignore[no-untyped-def]
    """A workshop file or server location, opened for changing."""
    if isinstance(source, str):
        from carequal_desktop.services.server import open_server_workshop

        return open_server_workshop(source)
    from carequal_desktop.services.workshop import WorkshopService

    return WorkshopService.open(source, read_only=False)


def _merge_export_warning(service: object) -> list[str]:
    from carequal_desktop.services.merge import export_warning

    warning = export_warning(service)  # type: ignore[arg-type]
    return [warning] if warning else []
