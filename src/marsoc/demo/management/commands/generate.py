"""`marsoc generate`: deterministic synthetic demonstration data."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from marsoc.demo.generate import DEMO_PASSWORD, generate, reset_case_data
from marsoc.demo.linkage import DEFAULT_PEOPLE as DEFAULT_LINKAGE_PEOPLE
from marsoc.demo.sso import SsoSignIn, demo_config
from marsoc.nominals.models import Nominal


class Command(BaseCommand):
    help = "Generate synthetic users and nominals (deterministic for a given --seed and day)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--nominals", type=int, default=500, help="How many people (default 500)")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1)")
        parser.add_argument("--reset", action="store_true", help="Delete existing nominals first")
        parser.add_argument(
            "--linkage-people",
            type=int,
            default=DEFAULT_LINKAGE_PEOPLE,
            help=f"People in the synthetic partner feeds for identity resolution (default {DEFAULT_LINKAGE_PEOPLE}; 0 for none)",
        )
        parser.add_argument("--quiet-credentials", action="store_true", help="Do not print sign-in details")

    def handle(self, *args: Any, **options: Any) -> None:
        if not getattr(settings, "MARSOC_DEMO", False):
            raise CommandError("Demonstration data can only be generated with demo or test settings.")
        count = options["nominals"]
        if count < 0 or count > 1_000_000:
            raise CommandError("--nominals must be between 0 and 1,000,000")
        if Nominal.objects.exists():
            if not options["reset"]:
                raise CommandError("The database already holds nominals; add --reset to replace them.")
            reset_case_data()
        result = generate(nominals=count, seed=options["seed"], linkage_people=options["linkage_people"])
        rows = ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in result.rows.items())
        self.stdout.write(f"Generated {result.nominals:,} nominals ({rows}) in {result.seconds:.1f} s.")
        if options["quiet_credentials"]:
            return
        self.stdout.write("")
        self.stdout.write("Demo sign-in (http://127.0.0.1:8000/sign-in/)")
        self.stdout.write(f"  Password for every person below: {DEMO_PASSWORD}")
        self.stdout.write(
            "  Second factor: run `make totp USER=<username>` (or `.venv/bin/marsoc totp <username>`)"
        )
        self.stdout.write("  for the current 6-digit code, or add the secret to any authenticator app.")
        self.stdout.write("")
        self.stdout.write(f"  {'username':<20} {'role':<28} {'hub / agency':<38} TOTP secret")
        for c in result.credentials:
            if c.totp_secret:
                self.stdout.write(f"  {c.username:<20} {c.roles:<28} {c.where:<38} {c.totp_secret}")
        self._print_sso(result.sso)
        self.stdout.write("")
        self.stdout.write(
            "API tokens for scripted use (curl -H 'Authorization: Bearer <token>' .../api/nominals):"
        )
        for c in result.credentials:
            self.stdout.write(f"  {c.username:<20} {c.token}")

    def _print_sso(self, sign_ins: list[SsoSignIn]) -> None:
        if not sign_ins:
            return
        self.stdout.write("")
        self.stdout.write(
            f"Single sign-on: `make demo` also starts a demo identity provider at {demo_config()['issuer']}."
        )
        self.stdout.write(
            "  On the sign-in page choose 'Sign in with <provider>', then sign in at the provider as:"
        )
        self.stdout.write(
            f"  {'provider':<28} {'username':<16} {'password':<19} {'signs in as':<19} second factor"
        )
        for s in sign_ins:
            self.stdout.write(
                f"  {s.provider:<28} {s.username:<16} {s.password:<19} {s.becomes or '-':<19} {s.second_factor}"
            )
