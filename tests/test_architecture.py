"""Layer rules that do not rely on memory (docs/decisions/0009-access-facade.md):

1. Only the access façade (marsoc.core.access) reads role codes, role names or clearance; everyone else
   asks it. (accounts stores roles, and the demo generator creates users with them.)
2. Nobody imports an app's `policies` module but another policies module: the façade finds them.
3. Only services write the audit log (services.py, a services/ package or records.py; the audit module
   itself; the demo generator).
4. Views and API modules do not query the ORM directly (no `.objects`, no managers, no raw SQL): they
   ask selectors and services.

Each rule is checked on the tree, and shown to fail on a small fixture module written by the test.
"""

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "marsoc"
ROLE_CODES = {
    "hub_manager",
    "hub_officer",
    "analyst",
    "partner_officer",
    "national_analyst",
    "board_member",
    "inspector",
    "system_admin",
    "finance_officer",
    "decision_maker",
}
ROLE_NAMES = {"Role", "CASE_ROLES", "CASE_WRITE_ROLES", "HUB_STAFF_ROLES", "AGENCY_VOICE_ROLES"}
# Where roles and clearance may be read: the façade, the vocabulary, the identity store and the demo.
ROLE_READERS = ("core/access/", "core/vocabulary.py", "core/actor.py", "accounts/", "demo/")
AUDIT_WRITERS = ("core/audit.py", "demo/")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _is_view_module(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    # (The Django admin's ModelAdmin classes are configuration of a framework that queries by design.)
    return (
        name in ("views.py", "api.py", "context_processors.py")
        or (name.startswith("api_") and name.endswith(".py"))
        or "/views/" in f"/{rel}"  # a views package: every module in it
    )


def _is_services_module(rel: str) -> bool:
    return rel.endswith(("/services.py", "/records.py")) or "/services/" in rel


def check_module(rel: str, source: str) -> list[Finding]:
    """Every rule broken by one module (`rel` is its path under src/marsoc, with forward slashes)."""
    found: list[Finding] = []
    tree = ast.parse(source)
    reads_roles = not rel.startswith(ROLE_READERS) and "/migrations/" not in rel
    for node in ast.walk(tree):
        # 1. role codes, role names and clearance
        if reads_roles:
            if isinstance(node, ast.Attribute) and node.attr in ("role_codes", "clearance"):
                found.append(Finding(rel, node.lineno, f"reads .{node.attr} (ask marsoc.core.access)"))
            if isinstance(node, ast.Name) and node.id in ROLE_NAMES:
                found.append(Finding(rel, node.lineno, f"uses {node.id} (ask marsoc.core.access)"))
            if isinstance(node, ast.Compare):
                for part in [node.left, *node.comparators]:
                    if isinstance(part, ast.Constant) and part.value in ROLE_CODES:
                        found.append(Finding(rel, node.lineno, f"compares with the role code {part.value!r}"))
            if isinstance(node, ast.keyword) and node.arg and node.arg.startswith("role_grants__role"):
                found.append(Finding(rel, node.lineno, "filters on role grants (use access.holders_q)"))
        # 2. policies imported
        if isinstance(node, ast.ImportFrom) and not rel.endswith("/policies.py"):
            module = node.module or ""
            names = {a.name for a in node.names}
            if module.endswith("policies") or "policies" in names:
                found.append(Finding(rel, node.lineno, f"imports {module or '.'}policies (ask the façade)"))
        # 3. audit written outside services
        writes_audit = isinstance(node, ast.ImportFrom) and any(
            a.name in ("audit_record", "audit_about") for a in node.names
        )
        if writes_audit and not _is_services_module(rel) and not rel.startswith(AUDIT_WRITERS):
            found.append(Finding(rel, node.lineno, "imports audit_record outside a services module"))
        # 4. the ORM in a view or API module
        if _is_view_module(rel):
            if isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager", "raw"):
                found.append(
                    Finding(rel, node.lineno, f"queries the ORM (.{node.attr}) in a view or API module")
                )
            if (
                isinstance(node, ast.ImportFrom)
                and node.module == "django.db"
                and any(a.name == "connection" for a in node.names)
            ):
                found.append(Finding(rel, node.lineno, "uses a database connection in a view or API module"))
    return found


def check_tree(root: Path = SRC) -> list[Finding]:
    found: list[Finding] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if "/migrations/" in f"/{rel}":
            continue
        found += check_module(rel, path.read_text(encoding="utf-8"))
    return found


def test_the_tree_keeps_every_rule():
    findings = check_tree()
    assert not findings, "\n".join(str(f) for f in findings)


# --- each rule fails on a module that breaks it --------------------------------------------------------

ROLE_CHECK_IN_A_VIEW = """
from django.http import HttpResponse

def secret_page(request):
    if "hub_manager" in request.user.role_codes:
        return HttpResponse("managers only")
    return HttpResponse("no")
"""

ROLE_NAME_IN_A_SELECTOR = """
from marsoc.core.vocabulary import Role

def managers_only(actor):
    return Role.HUB_MANAGER
"""

CLEARANCE_IN_A_SERVICE = """
def above(actor, classification):
    return classification > actor.clearance
"""

POLICY_IMPORT = """
from marsoc.nominals.policies import can_view_nominal
"""

AUDIT_IN_A_VIEW = """
from marsoc.core.audit import audit_record

def page(request):
    audit_record(actor=request.user, action=None)
"""

ORM_IN_A_VIEW = """
from marsoc.nominals.models import Nominal

def page(request):
    return Nominal.objects.filter(pk=1).first()
"""


@pytest.mark.parametrize(
    ("rel", "source", "expected"),
    [
        ("nominals/views.py", ROLE_CHECK_IN_A_VIEW, "role code 'hub_manager'"),
        ("nominals/views.py", ROLE_CHECK_IN_A_VIEW, "reads .role_codes"),
        ("network/selectors.py", ROLE_NAME_IN_A_SELECTOR, "uses Role"),
        ("funding/services.py", CLEARANCE_IN_A_SERVICE, "reads .clearance"),
        ("reporting/views.py", POLICY_IMPORT, "imports marsoc.nominals.policies"),
        ("plans/views.py", AUDIT_IN_A_VIEW, "imports audit_record outside a services module"),
        ("plans/api.py", ORM_IN_A_VIEW, "queries the ORM (.objects)"),
        ("assessment/views/priority.py", ORM_IN_A_VIEW, "queries the ORM (.objects)"),
    ],
)
def test_a_module_that_breaks_a_rule_is_caught(rel, source, expected):
    findings = check_module(rel, source)
    assert any(expected in str(f) for f in findings), findings


def test_a_deliberate_role_check_added_to_a_real_view_fails_the_tree(tmp_path):
    """The tree passes; the same tree with a role check added to one view does not."""
    import shutil

    copy = tmp_path / "marsoc"
    shutil.copytree(
        SRC, copy, ignore=shutil.ignore_patterns("migrations", "static", "templates", "__pycache__")
    )
    assert check_tree(copy) == []
    view = copy / "plans" / "views.py"
    view.write_text(view.read_text(encoding="utf-8") + "\n" + ROLE_CHECK_IN_A_VIEW, encoding="utf-8")
    findings = check_tree(copy)
    assert [f.path for f in findings] == ["plans/views.py", "plans/views.py"]


def test_the_same_rules_pass_where_they_belong():
    """The façade may read roles; services may write the audit; selectors may query."""
    assert check_module("core/access/facts.py", ROLE_CHECK_IN_A_VIEW) == []
    assert check_module("plans/services.py", AUDIT_IN_A_VIEW) == []
    assert check_module("plans/records.py", AUDIT_IN_A_VIEW) == []
    assert check_module("nominals/selectors.py", ORM_IN_A_VIEW) == []
