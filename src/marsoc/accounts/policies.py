"""Account-level rules, registered with the access façade."""

from marsoc.core import access
from marsoc.core.access import Facts


@access.rule("accounts.manage")
def can_manage_accounts(f: Facts) -> bool:
    return f.administrator
