"""What more than one group of assessment pages shares."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from marsoc.core.errors import ValidationFailed
from marsoc.core.forms import apply_service_errors


def _saved(
    request: HttpRequest, form: Any, save: Callable[[], Any], success: str, page: str
) -> HttpResponse | None:
    """Call `save`: once saved, `success` (its `{}` naming what was saved) and on to `page` for it; a
    ValidationFailed goes on the form's fields instead, and None says to show the form again."""
    try:
        saved = save()
    except ValidationFailed as exc:
        apply_service_errors(form, exc)
        return None
    messages.success(request, success.format(saved))
    return redirect(page, pk=saved.pk)
