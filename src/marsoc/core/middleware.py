"""Headers Django's SecurityMiddleware does not set."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

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
