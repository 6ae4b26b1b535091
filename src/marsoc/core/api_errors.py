"""The one error shape of the API (docs/decisions/0010-api-error-shape.md) and the one handler that
produces it: endpoints raise the service errors and never build error bodies themselves."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError

from .api_fields import (
    GROUP_PATTERN,
    MAX_ID,
    NOT_BLANK,
    PERSON_PATTERN,
    PURPOSE_PATTERN,
    REFERENCE_PATTERN,
)
from .errors import (
    Conflict,
    NotFoundOrForbidden,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
    refused_only_in_context,
)

NOT_FOUND = "Not found"
__all__ = ["MAX_ID", "ApiError", "error_body", "required_purpose"]
NOT_SAVED = "Nothing was saved: correct the errors listed"
REFUSED_IN_CONTEXT = "Nothing was saved: the records as they stand do not allow this (see the errors listed)"
# Plain messages for the patterns of core.api_fields, instead of the regular expression itself.
PATTERN_MESSAGES = {
    NOT_BLANK: "Enter a value",
    PURPOSE_PATTERN: "State the purpose of this consultation (at least 3 characters)",
    REFERENCE_PATTERN: "Give a reference: MH, OCG or AS and digits",
    GROUP_PATTERN: "Give the reference of a group (OCG and digits)",
    PERSON_PATTERN: "Give the reference of a nominal (MH and digits) or an associate (AS and digits)",
}


class FieldError(Schema):
    field: str
    message: str


class ApiError(Schema):
    """Every 4xx answer: a plain sentence, and the fields at fault (an empty list when none is)."""

    detail: str
    errors: list[FieldError] = []


def error_body(detail: str, errors: Mapping[str, Sequence[str]] | None = None) -> dict[str, Any]:
    return {
        "detail": detail,
        "errors": [
            {"field": field, "message": m} for field, messages in (errors or {}).items() for m in messages
        ],
    }


def _schema_field(location: Sequence[Any]) -> str:
    # ninja reports ("body", "payload", "due_date") or ("query", "purpose"): keep what a client sent.
    parts = [str(p) for p in location]
    if len(parts) >= 3 and parts[0] == "body":
        parts = parts[2:]
    elif len(parts) >= 2 and parts[0] in ("query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def _schema_message(error: Mapping[str, Any]) -> str:
    if error.get("type") == "string_pattern_mismatch":
        pattern = (error.get("ctx") or {}).get("pattern")
        if pattern in PATTERN_MESSAGES:
            return PATTERN_MESSAGES[pattern]
    message = str(error.get("msg") or "This value is not accepted")
    return message.removeprefix("Value error, ")


def register_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(NotFoundOrForbidden)
    def not_found(request: HttpRequest, exc: NotFoundOrForbidden) -> HttpResponse:
        return respond(request, 404, error_body(NOT_FOUND))  # the same body for missing and hidden

    @api.exception_handler(Http404)
    def http_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return respond(request, 404, error_body(NOT_FOUND))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return respond(request, 403, error_body(str(exc) or "You may not do this"))

    @api.exception_handler(Conflict)
    def conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        return respond(request, 409, error_body(exc.detail, exc.errors))

    @api.exception_handler(ValidationFailed)
    def refused(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
        if refused_only_in_context(exc.errors):
            return respond(request, 409, error_body(REFUSED_IN_CONTEXT, exc.errors))
        return respond(request, 422, error_body(NOT_SAVED, exc.errors))

    @api.exception_handler(SchemaValidationError)
    def schema_refused(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(_schema_field(error.get("loc", ())), []).append(_schema_message(error))
        return respond(
            request, 422, error_body("The request was not accepted: correct the errors listed", errors)
        )

    @api.exception_handler(RateLimited)
    def too_many(request: HttpRequest, exc: RateLimited) -> HttpResponse:
        response = respond(request, 429, error_body(TOO_MANY))
        response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return respond(request, 401, error_body("Sign in or give a valid API token"))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return respond(request, exc.status_code, error_body(str(exc) or "The request was not accepted"))


TOO_MANY = "Too many requests with this token: wait the seconds Retry-After gives, then try again"


def rate_limited_response(exc: RateLimited) -> HttpResponse:
    """A 429 for answers outside ninja's handlers (the document and /api/docs)."""
    response = JsonResponse(error_body(TOO_MANY), status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


# The body of a 404, for endpoints that decide "not found" themselves (a check that is not an exception).
NOT_FOUND_BODY: dict[str, Any] = {"detail": NOT_FOUND, "errors": []}

# An API read of personal data needs a stated purpose (the s.62 justification).
PURPOSE_NEEDED = {"purpose": "State the purpose of this consultation (at least 3 characters)"}


def required_purpose(purpose: str) -> str:
    """The purpose an API caller states for a consultation (s.62), stripped; refused when too short to
    mean anything, before anything is recorded."""
    stated = purpose.strip()
    if len(stated) < 3:
        raise ValidationFailed(PURPOSE_NEEDED)
    return stated


# What each 4xx means, for the OpenAPI document. Every operation can answer any of these (the handlers
# above and core.middleware.ApiJsonErrorsMiddleware), always with ApiError.
ERROR_RESPONSES: dict[int, str] = {
    400: "The request could not be read (an unparsable body, a control character in a parameter)",
    401: "No valid API token or signed-in session",
    403: "You may see this but not do it",
    404: "Not found, or not yours to see (the two answer the same)",
    405: "This method is not allowed here",
    409: (
        "The records as they stand refuse this: someone else changed or is changing it (reload and try"
        " again), or the request names a record you may not use, a date the records do not allow, or a"
        " step already taken"
    ),
    413: "The request body is too large",
    429: "Too many requests with this token this minute: wait the seconds the Retry-After header gives",
    422: "The request breaks a constraint this document states (length, choice, pattern, range): the fields at fault are listed",
}


RETRY_AFTER = {
    "description": "Seconds until the token may call again",
    "schema": {"type": "integer", "minimum": 1},
}


def document_error_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Document the one error shape once (components.schemas.ApiError) and refer every operation's
    4xx answers to it, so a client's generated code knows every status it may meet."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault(
        "FieldError", FieldError.model_json_schema(ref_template="#/components/schemas/{model}")
    )
    components.setdefault("ApiError", ApiError.model_json_schema(ref_template="#/components/schemas/{model}"))
    components["ApiError"].pop("$defs", None)
    reference = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}}
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in ERROR_RESPONSES.items():
                operation["responses"].setdefault(status, {"description": description, **reference})
            operation["responses"][429].setdefault("headers", {"Retry-After": RETRY_AFTER})
    return schema
