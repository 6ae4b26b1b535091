"""Every audit entry names the kind of record it is about: an action carries its object type
(core.actions.AuditAction), and a call (`audit_record`, `audit_about` or a core.records helper) that
leaves `object_type` out must use an action that has one."""

import ast
from pathlib import Path

from marsoc.core.actions import AuditAction

SRC = Path(__file__).resolve().parents[2] / "src" / "marsoc"
# Writers that take the action second, by position (core.records' helpers end in audit_about).
BY_POSITION = ("audit_about", "save_audited", "create_audited")


def _calls_without_object_type() -> list[tuple[str, int, str]]:
    found = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name not in ("audit_record", *BY_POSITION):
                continue
            keywords = {k.arg: k.value for k in node.keywords}
            # audit_about(actor, action, obj, ...) takes the action second, by position.
            action = node.args[1] if name in BY_POSITION and len(node.args) > 1 else keywords.get("action")
            if "object_type" in keywords or not isinstance(action, ast.Attribute):
                continue
            if isinstance(action.value, ast.Name) and action.value.id == "AuditAction":
                found.append((str(path.relative_to(SRC)), node.lineno, action.attr))
    return found


def test_each_call_without_an_object_type_uses_an_action_that_has_one():
    calls = _calls_without_object_type()
    assert len(calls) > 50  # the scan finds the calls (it would pass vacuously otherwise)
    untyped = [(f, line, name) for f, line, name in calls if not AuditAction[name].object_type]
    assert untyped == []


def test_object_types_are_plain_identifiers():
    for action in AuditAction:
        assert action.object_type == "" or action.object_type.replace("_", "").isalpha(), action
