"""The service as real processes on the test's own database: gunicorn with the production server's
configuration (marsoc/config/gunicorn.py) and `marsoc db_worker`. On PostgreSQL the processes use the
test database itself (the test is transactional, so what it wrote is committed); on SQLite the
in-memory test database is copied to a file with VACUUM INTO."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

SETTINGS = """
from marsoc.config.settings.test import *
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
MARSOC_WORKER_HEARTBEAT_SECONDS = 1
"""


def database_url(tmp_path: Path) -> str:
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user, host, port = settings["USER"], settings["HOST"] or "127.0.0.1", settings["PORT"] or 5432
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    copy = tmp_path / "live.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(copy)])
    return f"sqlite:///{copy}"


@dataclass
class Live:
    root: Path
    port: int
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, root: Path, port: int) -> "Live":
        (root / "live_settings.py").write_text(SETTINGS)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("MARSOC_")},
            "DATABASE_URL": database_url(root),
            "DJANGO_SETTINGS_MODULE": "live_settings",
            "PYTHONPATH": f"{root}{os.pathsep}{ROOT / 'src'}",
            "MARSOC_LOG_FORMAT": "json",
        }
        return cls(root=root, port=port, env=env)

    def _start(self, name: str, argv: list[str], **extra: str) -> subprocess.Popen[str]:
        log = open(self.root / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            argv, env={**self.env, **extra}, stdout=log, stderr=subprocess.STDOUT, text=True
        )
        self.processes[name] = process
        return process

    def start_web(self, workers: int = 2, startup_seconds: float = 60) -> None:
        self._start(
            "web",
            [str(BIN / "gunicorn"), "-c", "python:marsoc.config.gunicorn", "marsoc.config.wsgi:application"],
            MARSOC_BIND=f"127.0.0.1:{self.port}",
            MARSOC_WEB_WORKERS=str(workers),
        )
        deadline = time.monotonic() + startup_seconds
        while time.monotonic() < deadline:
            if self.get("/healthz")[0] == 200:
                return
            if self.processes["web"].poll() is not None:
                break
            time.sleep(0.3)
        raise AssertionError("gunicorn did not answer: " + self.log("web")[-3000:])

    def start_worker(self) -> None:
        self._start(
            "worker",
            [
                sys.executable,
                "-m",
                "marsoc",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.5",
            ],
        )

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            return 0, {}, str(error).encode()

    def log(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
