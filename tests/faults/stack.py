"""A whole service on a private PostgreSQL cluster (tests/faults/cluster.py), as real processes: the
web server (`marsoc runserver`, threaded), the task worker (`marsoc db_worker`), and commands run
against it. Used by the fault tests that restart the database or kill processes."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from .cluster import Cluster

ROOT = Path(__file__).resolve().parents[2]
MARSOC = [sys.executable, "-m", "marsoc"]
WEB_PORT = 18101

SETTINGS = """
from marsoc.config.settings.test import *
TASKS = {{"default": {{"BACKEND": "django_tasks_db.DatabaseBackend"}}}}
LINKAGE_STAGING_DIR = {staging!r}
MARSOC_LOCK_DIR = {locks!r}
MARSOC_WORKER_HEARTBEAT_SECONDS = 1
# runserver starts a thread per request, and a persistent connection would outlive each thread (one
# left open per finished request, until PostgreSQL has "too many clients"); a production WSGI server
# keeps a fixed set of threads. Each request opens its own connection here.
DATABASES["default"]["CONN_MAX_AGE"] = 0
"""

SETUP = """
import django
django.setup()
from marsoc.accounts.models import Agency, Hub
from marsoc.accounts.services import api_token_issue, user_create
from marsoc.core.vocabulary import Role
user = user_create(actor=None, username="faults.manager", password=None, agency=Agency.objects.get(code="mps"),
                   hub=Hub.objects.get(code="london"), roles=[Role.HUB_MANAGER], clearance="SECRET",
                   first_name="Fault", last_name="Tester")
print(api_token_issue(user=user, name="faults")[1])
"""


@dataclass
class Stack:
    root: Path
    cluster: Cluster
    url: str
    env: dict[str, str]
    token: str = ""
    processes: dict[str, subprocess.Popen[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, root: Path) -> "Stack":
        cluster = Cluster().init()
        url = cluster.createdb("marsoc_faults")
        (root / "staged").mkdir()
        (root / "faults_settings.py").write_text(
            SETTINGS.format(staging=str(root / "staged"), locks=str(root / "locks"))
        )
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("MARSOC_")},
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "faults_settings",
            "PYTHONPATH": f"{root}{os.pathsep}{ROOT / 'src'}",
        }
        stack = cls(root=root, cluster=cluster, url=url, env=env)
        stack.command("migrate", "--no-input", "-v", "0")
        stack.token = stack.python(SETUP).strip().splitlines()[-1]
        return stack

    def command(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([*MARSOC, *args], env=self.env, capture_output=True, text=True, timeout=300)
        if check:
            assert done.returncode == 0, done.stderr[-3000:]
        return done

    def python(self, code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code], env=self.env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def start_worker(self, name: str = "worker") -> subprocess.Popen[str]:
        log = open(self.root / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            [
                *MARSOC,
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
                "--worker-id",
                name,
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.processes[name] = process
        return process

    def start_web(self) -> subprocess.Popen[str]:
        log = open(self.root / "web.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [*MARSOC, "runserver", "--noreload", f"127.0.0.1:{WEB_PORT}"],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.processes["web"] = process
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.get("/api/nominals")[0] == 200:
                return process
            time.sleep(0.3)
        raise AssertionError("the web server did not answer: " + (self.root / "web.log").read_text()[-2000:])

    def get(self, path: str) -> tuple[int, str, bytes]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{WEB_PORT}{path}", headers={"Authorization": f"Bearer {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type", ""), error.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            return 0, "", str(error).encode()

    def sql(self, query: str, *params: object) -> list[tuple]:
        with psycopg.connect(self.url.replace("postgres://", "postgresql://"), autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    def wait_for(self, query: str, expected: object, timeout: float = 90.0, *params: object) -> object:
        deadline, value = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            try:
                rows = self.sql(query, *params)
                value = rows[0][0] if rows else None
                if value == expected:
                    return value
            except psycopg.OperationalError:
                pass
            time.sleep(0.3)
        logs = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in self.root.glob("*.log"))
        raise AssertionError(f"{query} gave {value!r}, not {expected!r}, within {timeout} s\n{logs}")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.cluster.destroy()


def police_csv(path: Path, rows: int, prefix: str = "R") -> Path:
    columns = "PERSON_REF,GIVEN_NAME,FAMILY_NAME,AKA,DATE_OF_BIRTH,SEX,LAST_KNOWN_POSTCODE,PNC_ID,CRO_NO,FORCE,TRUTH"
    lines = [columns] + [
        f"{prefix}{i},Given{i % 97},Family{i % 1013},,{1 + i % 28:02d}/{1 + i % 12:02d}/{1950 + i % 50},M,,,,MPS,{prefix}{i}"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def json_body(content: bytes) -> dict:
    return json.loads(content.decode())
