"""The users bench/load.py drives with locust (headless): each signs in through the real password and
authenticator pages as its own hub manager (bench/load_users.py), then works a realistic mix until
the run ends. The sign-in requests are named "sign-in ..." so the figures can leave them out.

With MARSOC_LOAD_RECORD set, every request (its name, start time, time taken and whether it failed) and
the moment each user finished signing in are written to that file as JSON lines when locust stops, so
that bench/load.py can compute the figures of the steady state: after the last user signed in."""

import json
import os
import random
import re
import time
from itertools import count
from typing import Any

from django_otp.oath import TOTP
from locust import HttpUser, between, events, task

USERS = json.loads(open(os.environ["MARSOC_LOAD_USERS"]).read())  # noqa: SIM115 - read once at import
NEXT = count()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PURPOSES = ("case_management", "tasking", "risk_assessment")
RECORD = os.environ.get("MARSOC_LOAD_RECORD", "")
REQUESTS: list[tuple[str, float, float, bool]] = []  # name, start (epoch s), time taken (ms), failed
SIGNED_IN: list[float] = []  # when each user finished signing in (epoch s)


@events.request.add_listener
def _record(name: str, response_time: float, exception: object, start_time: float = 0.0, **_: Any) -> None:
    if RECORD:
        REQUESTS.append((name, start_time, response_time, exception is not None))


@events.quitting.add_listener
def _write(**_: Any) -> None:
    if not RECORD:
        return
    with open(RECORD, "w") as out:
        for moment in SIGNED_IN:
            out.write(json.dumps({"signed_in": moment}) + "\n")
        for name, start, taken, failed in REQUESTS:
            out.write(json.dumps({"name": name, "start": start, "ms": taken, "failed": failed}) + "\n")


def totp(key_hex: str) -> str:
    return f"{TOTP(bytes.fromhex(key_hex)).token():06d}"


class Officer(HttpUser):
    wait_time = between(0.5, 2.0)  # a person reading a page, not a script hammering one

    def on_start(self) -> None:
        self.me = USERS[next(NEXT) % len(USERS)]
        page = self.client.get("/sign-in/", name="sign-in page")
        self.client.post(
            "/sign-in/",
            {
                "username": self.me["username"],
                "password": self.me["password"],
                "csrfmiddlewaretoken": _csrf(page.text),
            },
            name="sign-in password",
            allow_redirects=False,
        )
        page = self.client.get("/sign-in/code/", name="sign-in code page")
        answer = self.client.post(
            "/sign-in/code/",
            {"code": totp(self.me["totp_key"]), "csrfmiddlewaretoken": _csrf(page.text)},
            name="sign-in code",
            allow_redirects=False,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"{self.me['username']} could not sign in: {answer.status_code}")
        SIGNED_IN.append(time.time())
        self.api = {"Authorization": f"Bearer {self.me['token']}"}

    def _person(self) -> int:
        return int(random.choice(self.me["nominal_ids"]))

    @task(4)
    def cohort(self) -> None:
        self.client.get("/cohort/", name="cohort list")

    def _record_page(self, pk: int, path: str, name: str) -> None:
        """A page about one person: the purpose gate asks why, once per person and session."""
        page = self.client.get(path, name=name)
        if "/purpose/" in page.url:
            self.client.post(
                page.url,
                {"purpose": random.choice(PURPOSES), "csrfmiddlewaretoken": _csrf(page.text)},
                name=f"{name} (stating the purpose)",
            )

    @task(3)
    def person(self) -> None:
        pk = self._person()
        self._record_page(pk, f"/cohort/{pk}/", "person page")

    @task(2)
    def search(self) -> None:
        self.client.get(f"/cohort/?q={random.choice(self.me['surnames'])}", name="search")

    @task(2)
    def priority(self) -> None:
        self.client.get("/priority/", name="priority list")

    @task(2)
    def plan(self) -> None:
        pk = int(random.choice(self.me["plan_ids"] or self.me["nominal_ids"]))
        self._record_page(pk, f"/cohort/{pk}/plan/", "plan page")

    @task(2)
    def api_list(self) -> None:
        self.client.get("/api/nominals?page_size=50", headers=self.api, name="API list")

    @task(2)
    def api_get(self) -> None:
        self.client.get(
            f"/api/nominals/{self._person()}?purpose=Case+management", headers=self.api, name="API get"
        )


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    return match.group(1) if match else ""
