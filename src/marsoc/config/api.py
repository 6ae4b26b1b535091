from typing import Any

from ninja import NinjaAPI

from marsoc.accounts.api import router as tokens_router
from marsoc.accounts.api_auth import TokenAuth, VerifiedSessionAuth, docs_access
from marsoc.assessment.api import router as assessment_router
from marsoc.core.api import router as audit_router
from marsoc.core.api_errors import document_error_responses, register_error_handlers
from marsoc.core.api_fields import document_parameter_text
from marsoc.core.processing import api_path_switched_off
from marsoc.funding.api import router as funding_router
from marsoc.intelligence.api import router as intelligence_router
from marsoc.linkage.api import router as linkage_router
from marsoc.network.api import router as network_router
from marsoc.nominals.api import router as nominals_router
from marsoc.plans.api import router as plans_router
from marsoc.plans.api_meetings import router as meetings_router
from marsoc.reporting.api import router as reporting_router

from .api_links import LINKS, document_links


def close_form_bodies(document: dict[str, Any]) -> dict[str, Any]:
    """A multipart body (a feed upload) holds only the fields it names: a form field the document does
    not name is never read, and one whose name cannot be stored is refused before any view runs, so the
    document says so (additionalProperties: false) rather than leave clients to find out."""
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            content = (
                operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            )
            form = content.get("multipart/form-data", {}).get("schema")
            if isinstance(form, dict) and form.get("type") == "object":
                form["additionalProperties"] = False
    return document


class MarsocAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        document = close_form_bodies(document_error_responses(super().get_openapi_schema(**kwargs)))
        # High-risk processing switched off is not offered: its operations leave the document.
        paths = document.get("paths", {})
        gone: set[str] = set()
        for path in [p for p in paths if api_path_switched_off(p)]:
            gone |= {
                str(op.get("operationId", "")).removeprefix("marsoc_")
                for op in paths.pop(path).values()
                if isinstance(op, dict)
            }
        links = [link for link in LINKS if link[0] not in gone and link[2] not in gone]
        return document_links(document_parameter_text(document), links)


api = MarsocAPI(
    title="MARSOC Hub API",
    version="1",
    description=(
        "Every call is checked by the same access policy as the web pages and recorded in the s.62 audit log. "
        "Authenticate with `Authorization: Bearer <token>`. A record you may not see answers 404, as a missing one does."
    ),
    auth=[TokenAuth(), VerifiedSessionAuth()],
    urls_namespace="api",
    docs_decorator=docs_access,  # a bearer token or a signed-in session; anyone else 401, not a redirect
)
register_error_handlers(api)
api.add_router("/", nominals_router)
api.add_router("/", assessment_router)
api.add_router("/", plans_router)
api.add_router("/", meetings_router)
api.add_router("/", intelligence_router)
api.add_router("/", network_router)
api.add_router("/", reporting_router)
api.add_router("/", tokens_router)
api.add_router("/", funding_router)
api.add_router("/", linkage_router)
api.add_router("/", audit_router)
