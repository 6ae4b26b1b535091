"""What an agreement lets go, in words for the sharing forms: which parts of an item or a summary the
agreement does not cover, and why. (Who may share is the access rule "intel_item.share".)"""

from datetime import date

from marsoc.nominals.models import Nominal
from marsoc.sharing.agreements import covers_classification, not_in_force_reason
from marsoc.sharing.models import SharingAgreement

from .models import IntelItem
from .vocabulary import DataCategory, SanitisationStatus

# An item reaches recipients only as an original or an approved sanitised version.
USABLE_SANITISATION = [SanitisationStatus.ORIGINAL.value, SanitisationStatus.APPROVED.value]
# The parts of a summary besides its items, and the category of data each needs.
SUMMARY_PART_CATEGORIES = {"identity": DataCategory.IDENTITY, "status": DataCategory.CUSTODY}


def agreement_not_in_force(agreement: SharingAgreement, *, today: date | None = None) -> str:
    """Why the agreement is not in force today ("" when it is)."""
    return not_in_force_reason(agreement, today=today)


def summary_part_refusals(agreement: SharingAgreement, nominal: Nominal) -> dict[str, str]:
    """Why the agreement does not let each part of the person's record go (a part not named may go).
    The agreement itself (status, parties, purpose) is checked separately."""
    reasons: dict[str, str] = {}
    categories = set(agreement.category_codes)
    too_high = not covers_classification(agreement, nominal.classification)
    for part, category in SUMMARY_PART_CATEGORIES.items():
        if category not in categories:
            reasons[part] = f"The agreement does not cover the data category '{category.label}'"
        elif too_high:
            reasons[part] = (
                f"The agreement covers material up to {agreement.max_classification}, "
                f"the person's record is {nominal.classification}"
            )
    return reasons


def agreement_refusals(
    agreement: SharingAgreement, item: IntelItem, recipient_agency_id: int, *, today: date | None = None
) -> list[str]:
    """Why `agreement` does not allow sharing `item` with the recipient today (empty: it does)."""
    reasons = []
    not_in_force = not_in_force_reason(agreement, today=today)
    if not_in_force:
        reasons.append(not_in_force)
    party_ids = {a.pk for a in agreement.parties.all()}
    if recipient_agency_id not in party_ids:
        reasons.append("The recipient agency is not a party to the agreement")
    if item.originating_agency_id not in party_ids:
        reasons.append("The originating agency is not a party to the agreement")
    if not covers_classification(agreement, item.classification):
        reasons.append(
            f"The agreement covers material up to {agreement.max_classification}, this item is {item.classification}"
        )
    if item.purpose not in agreement.purpose_codes:
        reasons.append(f"The agreement does not cover the purpose '{item.get_purpose_display()}'")
    if item.data_category not in agreement.category_codes:
        reasons.append(f"The agreement does not cover the data category '{item.get_data_category_display()}'")
    return reasons
