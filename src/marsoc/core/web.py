"""What every app's pages and API share: who is acting, and sending an export."""

from typing import Any

from django.http import HttpRequest, HttpResponse

from .exports import ExportFile


def actor(request: HttpRequest) -> Any:
    """The signed-in user (pages are behind login_required, API routes behind the token check)."""
    return request.user


def send_export(export: ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
