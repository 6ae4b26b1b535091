"""Assessment endpoints: methods, assessments, the priority list, reviews, calibration and equality.

The same selectors, services, policies and audit as the pages; a person out of reach answers 404.
"""

from ninja import Router

router = Router(tags=["assessment"])


# ---------------------------------------------------------------------------------------------------------
# Equality monitoring: endpoints in api_equality.py (/api/equality/...)
# ---------------------------------------------------------------------------------------------------------

from .api_equality import router as equality_router  # noqa: E402

router.add_router("", equality_router)
