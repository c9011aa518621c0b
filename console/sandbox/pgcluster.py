"""A private PostgreSQL cluster in a temporary folder, for tests, benchmarks and the sandbox.

Debian's server binaries (``/usr/lib/postgresql/<ver>/bin``) are used directly: ``initdb``
into a folder we own, on a free port on 127.0.0.1, stopped (and the folder removed) at the
end. ``initdb`` refuses to run as root, so as root the cluster runs as ``postgres``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def find_pg_bin() -> Path | None:
    env = os.environ.get("SHIHOU_TEST_PG_BIN")
    if env:
        return Path(env)
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgCluster:
    """``with PgCluster() as pg: pg.url("dbname")``."""

    def __init__(self, *, base: Path | None = None, extra_conf: dict[str, str] | None = None) -> None:
        bin_dir = find_pg_bin()
        if bin_dir is None:
            raise RuntimeError("PostgreSQL server binaries not found: apt-get install postgresql")
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="shihou-pg-", dir=base))
        self.port = free_port()
        self.extra_conf = extra_conf or {}
        self._as_user: str | None = "postgres" if os.geteuid() == 0 else None

    def _run(self, *args: str | Path) -> None:
        cmd = [str(a) for a in args]
        if self._as_user:
            cmd = ["runuser", "-u", self._as_user, "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> PgCluster:
        data, sock = self.dir / "data", self.dir / "sock"
        sock.mkdir(parents=True)
        if self._as_user:
            pw = pwd.getpwnam(self._as_user)
            for p in (self.dir, sock):
                os.chown(p, pw.pw_uid, pw.pw_gid)
        self._run(self.bin / "initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "--no-sync",
                  "-E", "UTF8", "--locale=C.UTF-8")
        self._write_hba(data)
        self._start_server()
        return self

    def _write_hba(self, data: Path) -> None:
        """The superuser ``postgres`` signs in without a password (tests, the sandbox and benchmarks own the
        cluster); every other role, operators included, with its SCRAM password, as on a team's server."""
        hba = data / "pg_hba.conf"
        hba.write_text(
            "local all all trust\n"
            "host all postgres 127.0.0.1/32 trust\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
            "host all all ::1/128 scram-sha-256\n", encoding="utf-8")
        if self._as_user:
            pw = pwd.getpwnam(self._as_user)
            os.chown(hba, pw.pw_uid, pw.pw_gid)

    def _start_server(self) -> None:
        """``pg_ctl start`` on the existing data folder, 127.0.0.1 and ``self.port`` only."""
        opts = {
            "listen_addresses": "127.0.0.1", "port": str(self.port),
            "unix_socket_directories": str(self.dir / "sock"),
            "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
            "max_connections": "200", "shared_buffers": "256MB",
        } | self.extra_conf
        o = " ".join(f"-c {k}={v}" for k, v in opts.items())
        self._run(self.bin / "pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "server.log"), "-w",
                  "-o", o, "start")

    def stop_server(self, mode: str = "fast") -> None:
        """Stop the server and keep its folder (``start_server`` brings it back on the same port)."""
        self._run(self.bin / "pg_ctl", "-D", str(self.dir / "data"), "-m", mode, "-w", "stop")

    def start_server(self) -> None:
        self._start_server()

    def restart(self, mode: str = "fast") -> None:
        """Stop and start again on the same port (clients see their connections end, then reconnect)."""
        self.stop_server(mode)
        self._start_server()

    def stop(self) -> None:
        try:
            self._run(self.bin / "pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql+asyncpg://{user}@127.0.0.1:{self.port}/{dbname}"

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        out = subprocess.run(
            [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", dbname,
             "-v", "ON_ERROR_STOP=1", "-Atqc", sql],
            check=True, capture_output=True, text=True,
        )
        return out.stdout

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
