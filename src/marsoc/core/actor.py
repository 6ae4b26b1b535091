"""What the policy modules need to know about whoever is acting (a user or a service account)."""

from typing import Protocol


class Actor(Protocol):
    pk: int
    username: str
    clearance: str
    hub_id: int | None
    agency_id: int | None

    @property
    def role_codes(self) -> frozenset[str]: ...

    @property
    def is_national(self) -> bool: ...

    @property
    def display_label(self) -> str: ...
