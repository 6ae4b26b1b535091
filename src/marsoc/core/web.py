"""What every app's pages and API share: who is acting, and sending an export."""

from typing import Any

from django.http import HttpRequest, HttpResponse

from .exports import ExportFile


def actor(request: HttpRequest) -> Any:
    """Who is acting: the user an API token or session authenticated (`request.auth`, set by the API's
    authentication), else the signed-in user of a page (behind login_required)."""
    authenticated = getattr(request, "auth", None)
    return authenticated if authenticated is not None else request.user


def send_export(export: ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
