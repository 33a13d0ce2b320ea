"""A PostgreSQL cluster of a test's own, to restart under load (never the shared one).

`initdb` and `pg_ctl` come from the newest /usr/lib/postgresql/*/bin (Debian's
layout; or PATH). PostgreSQL refuses to run as root, so under root the
cluster's folder belongs to the `postgres` user and every command runs as it
(runuser). The cluster listens on 127.0.0.1 on a free port, trusts local
connections, and is removed with its folder at the end.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from tests.e2e.test_serve_process import free_port


def postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]))
    initdb = found[-1] if found else shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("initdb not found: install PostgreSQL's server package "
                           "(.ci/run does)")
    return Path(initdb).parent


class ScratchCluster:
    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="casino-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "--no-sync", "-E", "UTF8")
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{self.folder}'\n"
                       "fsync = off\nmax_connections = 100\n")

    def _run(self, tool: str, *args: str) -> str:
        done = subprocess.run([*self.as_user, str(self.bin / tool), *args],
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} {' '.join(args)} failed: {done.stdout}{done.stderr}")
        return done.stdout

    def ctl(self, *args: str) -> str:
        return self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"),
                         "-w", "-t", "30", *args)

    def start(self) -> None:
        self.ctl("start")

    def restart(self, mode: str, down: float = 0) -> None:  # float-ok: seconds
        """`fast` (sessions ended, a clean shutdown) or `immediate` (a crash: recovery
        from the write-ahead log on start), with `down` seconds without a database."""
        if not down:
            self.ctl("-m", mode, "restart")
            return
        self.ctl("-m", mode, "stop")
        time.sleep(down)
        self.start()

    def close(self) -> None:
        try:
            self.ctl("-m", "immediate", "stop")
        except RuntimeError:
            pass  # not running
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self) -> str:
        path = self.folder / "log"
        return path.read_text() if path.exists() else ""
