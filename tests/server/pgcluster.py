"""A throwaway PostgreSQL cluster for the tests: made, started and stopped by the test run.

Debian's ``postgresql`` package provides the programs (scripts/bootstrap.sh installs it).
The server refuses to run as root, so when the tests run as root the cluster belongs to
the ``postgres`` user. It listens on 127.0.0.1 only, on a free port, with trust login
(roles still only reach what they were granted), and is deleted when the run ends.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def _bindir() -> Path | None:
    # Debian keeps the server's programs out of PATH, one folder per major version.
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    if versions:
        return Path(versions[0]).parent
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and Path(found).with_name("psql").exists() else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    """A running cluster: connect as ``superuser`` on 127.0.0.1:``port``."""

    bindir: Path
    base: Path
    port: int
    superuser: str = "postgres"

    def url(self, user: str | None = None, database: str = "postgres") -> str:
        """An address for ``user`` (no TLS: the cluster is on this machine)."""
        return (
            f"postgresql://{user or self.superuser}@127.0.0.1:{self.port}/{database}"
            "?sslmode=disable"
        )

    def psql(self, sql: str, database: str = "postgres", user: str | None = None) -> str:
        """Run SQL as the superuser (or ``user``) and return psql's output."""
        out = subprocess.run(
            [
                str(self.bindir / "psql"),
                "-h", "127.0.0.1", "-p", str(self.port), "-U", user or self.superuser,
                "-d", database, "-v", "ON_ERROR_STOP=1", "-At", "-c", sql,
            ],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if out.returncode != 0:
            raise RuntimeError(out.stderr.strip())
        return out.stdout.strip()

    def stop(self) -> None:
        """Stop the server and delete its files."""
        _run_as_owner(
            [str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"), "-m", "immediate", "stop"],
            check=False,
        )
        shutil.rmtree(self.base, ignore_errors=True)


def _run_as_owner(cmd: list[str], check: bool = True) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, check=check)


def start() -> Cluster:
    """Make and start a cluster; raises RuntimeError with the reason if it cannot."""
    bindir = _bindir()
    if bindir is None:
        raise RuntimeError(
            "PostgreSQL's programs are not installed; run scripts/bootstrap.sh --test "
            "(it installs Debian's postgresql package)."
        )
    base = Path(tempfile.mkdtemp(prefix="carequal-pg-"))
    os.chmod(base, 0o755)
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
    data = base / "data"
    try:
        _run_as_owner(
            [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
             "--no-sync", "-E", "UTF8", "--locale=C"]
        )  # fmt: skip
        # One role must give a password (scram), so asking for and remembering passwords is
        # tested for real; every other role logs in on trust.
        hba = data / "pg_hba.conf"
        hba.write_text(
            "host all carequal_pw 127.0.0.1/32 scram-sha-256\n" + hba.read_text(), encoding="utf-8"
        )
        # Each test process (xdist worker) has its own cluster: its own folder and socket
        # folder, and a free port. Another process may take the same free port between the
        # look and the start, so a refused start is tried again on another port.
        for attempt in range(5):
            port = free_port()
            try:
                _run_as_owner(
                    [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(base / "server.log"),
                     "-w", "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1 "
                     "-c fsync=off -c full_page_writes=off -c synchronous_commit=off", "start"]
                )  # fmt: skip
                break
            except subprocess.CalledProcessError:
                log = (base / "server.log").read_text(errors="replace")
                if attempt == 4 or "Address already in use" not in log:
                    raise
    except subprocess.CalledProcessError as exc:
        log = (
            (base / "server.log").read_text(errors="replace")
            if (base / "server.log").exists()
            else ""
        )
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr or exc.stdout}\n{log}") from None
    return Cluster(bindir=bindir, base=base, port=port)
