"""Middleware of the service: headers Django's SecurityMiddleware does not set, control characters,
JSON errors under /api/, hidden records answered as missing ones, and high-risk processing switched off."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

from .errors import NotFoundOrForbidden
from .processing import route_switched_off

# Self-hosted assets only; the one inline script GOV.UK needs (adding the js-enabled class) is
# replaced by a static file, so no 'unsafe-inline' is needed for scripts.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)
# Swagger UI at /api/docs loads its own inline bootstrapping.
API_DOCS_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = API_DOCS_POLICY if request.path.startswith("/api/docs") else CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if request.user.is_authenticated if hasattr(request, "user") else False:
            # Personal data must not linger in shared caches or the browser's back button.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class RejectControlCharactersMiddleware:
    """A NUL or a lone surrogate in a parameter cannot be stored or logged (PostgreSQL refuses NUL):
    refuse the request plainly instead of failing halfway through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @staticmethod
    def _bad(value: str) -> bool:
        return "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        params = list(request.GET.items())
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            params += list(request.POST.items())
        for name, value in params:
            if self._bad(name) or self._bad(str(value)):
                return HttpResponseBadRequest(
                    f"The field '{name.encode('unicode_escape').decode()}' contains a control character "
                    "that cannot be accepted (NUL or an unpaired surrogate). Nothing was changed.",
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)


# What the API says for an answer that did not come from its own handlers (core.api_errors), in the
# same shape: Django's own 400, 404, 405 and 500 pages are HTML, which an API client cannot read.
API_STATUS_DETAIL = {
    400: "The request could not be read: check its body and headers",
    404: "Not found",
    405: "This method is not allowed here",
    413: "The request body is too large",
    500: "The request failed on our side: try again later, and tell the service team if it keeps failing",
}


class ApiJsonErrorsMiddleware:
    """Every failure under /api/ answers JSON in the API's one error shape ({"detail", "errors"}),
    whoever produced it: Django (an oversized or unreadable body, an unknown address, a crash) or
    another middleware. A body larger than Django accepts is refused before it is read (413)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") or request.path.startswith("/api/docs"):
            return self.get_response(request)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return JsonResponse(
                {
                    "detail": f"The request body is {length:,} bytes; the API accepts at most {limit:,}",
                    "errors": [{"field": "body", "message": f"At most {limit:,} bytes"}],
                },
                status=413,
            )
        response = self.get_response(request)
        if response.status_code < 400 or response.get("Content-Type", "").startswith("application/json"):
            return response
        detail = (
            API_STATUS_DETAIL.get(response.status_code)
            or API_STATUS_DETAIL[500 if response.status_code >= 500 else 400]
        )
        if response.get("Content-Type", "").startswith("text/plain") and not response.streaming:
            detail = response.content.decode("utf-8", errors="replace").strip() or detail
        body = JsonResponse({"detail": detail, "errors": []}, status=response.status_code)
        for header in ("Allow", "WWW-Authenticate", "Retry-After"):
            if header in response:
                body[header] = response[header]
        return body


class HiddenAsMissingMiddleware:
    """A page whose record the actor may not see (NotFoundOrForbidden from the access façade) answers
    exactly as for an id that does not exist: Django's 404 page, raised from the same place, so that
    nothing (status, body, headers) tells a hidden record from a missing one. Views need no try/except
    of their own. The API maps the same exception in core.api_errors."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFoundOrForbidden):
            return response_for_exception(request, Http404("Not found"))
        return None


class ProcessingSwitchMiddleware:
    """High-risk processing the deployment does not run (core/processing.py): its pages, exports and
    endpoints answer as an address that does not exist, before any view runs. Keyed by the URL namespace
    of its pages and the paths of its endpoints, so no view of it needs a check of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., HttpResponse], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        match = request.resolver_match
        off = route_switched_off(
            namespace=match.namespace if match else "",
            url_name=(match.url_name or "") if match else "",
            path=request.path_info,
        )
        if off is None:
            return None
        return response_for_exception(request, Http404("Not found"))
