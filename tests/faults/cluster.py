"""A private PostgreSQL cluster for the fault suite: initdb into a temporary folder, pg_ctl on a free
loopback port (18150-18199), restartable at will. Never the shared server. Root cannot run a
cluster, so as root the cluster belongs to the `postgres` user (created with the server package)."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PORTS = range(18150, 18200)


def _bin_dir() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def available() -> bool:
    return _bin_dir() is not None


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 18150-18199 for a private PostgreSQL cluster")


class Cluster:
    def __init__(self) -> None:
        bin_dir = _bin_dir()
        assert bin_dir is not None
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="marsoc-faults-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.user = None
        if os.geteuid() == 0:
            self.user = pwd.getpwnam("postgres")
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        kwargs: dict = {"capture_output": True, "text": True, "timeout": 120, "check": check}
        if self.user is not None:
            kwargs["user"] = self.user.pw_uid
            kwargs["group"] = self.user.pw_gid
            kwargs["cwd"] = str(self.root)
        return subprocess.run(list(args), **kwargs)

    def init(self) -> "Cluster":
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync"
        )
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 60\n"
                "shared_buffers = 32MB\n"
            )
        self.start()
        return self

    def start(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "log"),
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False
        )

    def restart(self, down_for: float = 0.0) -> None:
        self.stop("immediate")  # like a crash: every connection is cut
        time.sleep(down_for)
        self.start()

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def createdb(self, name: str) -> str:
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return self.url(name)

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
