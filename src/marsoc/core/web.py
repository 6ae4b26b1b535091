"""What every app's pages and API share: who is acting, the purpose gate in front of a record, and
sending an export.

The purpose gate is written once here and configured per kind of record (nominal, intelligence item,
nominal summary): fetch the record through the access façade, ask why it is being opened (once per
record per session), record the consultation in the app's service, then show the page. A record the
actor may not see raises NotFoundOrForbidden, which `HiddenAsMissingMiddleware` answers with the same
404 page as an id that does not exist."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial, wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .dates import long_date
from .errors import PermissionDenied, ValidationFailed
from .exports import ExportFile
from .forms import PurposeForm, apply_service_errors
from .sorting import SortLinks, SortOrder

View = Callable[..., HttpResponse]
# (actor, record, purpose, surface): the app's service that writes the consultation record.
Consult = Callable[..., object]


def actor(request: HttpRequest) -> Any:
    """Who is acting: the user an API token or session authenticated (`request.auth`, set by the API's
    authentication), else the signed-in user of a page (behind login_required)."""
    authenticated = getattr(request, "auth", None)
    return authenticated if authenticated is not None else request.user


def query_without_page(request: HttpRequest) -> str:
    """The page's filters as a query string, without the page number: for the pagination links and
    the export buttons of a filtered list."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def sort_links(
    request: HttpRequest, order: SortOrder, *, default_key: str = "", default_descending: bool = False
) -> SortLinks:
    """The reader's sort (`?sort=`) on a list whose columns `order` whitelists, with the list's other
    parameters for the headings' links (`{% table ... sort=... %}`)."""
    raw = request.GET.get("sort", "")
    rest = _other_params(request, lambda key: key in ("sort", "page"))
    return SortLinks(order, order.parse(raw), rest, default_key, default_descending)


def _other_params(request: HttpRequest, drop: Callable[[str], bool]) -> str:
    """The query string without the keys `drop` names and without empty values (a form's blank fields)."""
    params = request.GET.copy()
    for key in list(params):
        values = [v for v in params.getlist(key) if v != ""]
        if drop(key) or not values:
            params.pop(key)
        else:
            params.setlist(key, values)
    return params.urlencode()


@dataclass(frozen=True)
class FilterTag:
    text: str
    href: str  # the list without this filter (the other filters and the sort kept, from the first page)


@dataclass(frozen=True)
class FilterCategory:
    heading: str
    tags: tuple[FilterTag, ...]


def selected_filters(request: HttpRequest, form: Any) -> list[FilterCategory]:
    """The filters a list applies, for the MoJ filter's "Selected filters": one category per field with a
    valid value, headed by the field's label, its tag a link removing it (a date's three boxes together)."""
    data = getattr(form, "cleaned_data", None) or {}
    categories = []
    for name, field in form.fields.items():
        value = data.get(name)
        if value in (None, "", [], ()) or name in form.errors:
            continue
        rest = _other_params(request, partial(_of_field, name))
        tag = FilterTag(_filter_text(field, value), f"?{rest}" if rest else request.path)
        categories.append(FilterCategory(str(field.label or name), (tag,)))
    return categories


def _of_field(name: str, key: str) -> bool:
    """Is `key` the field's own parameter (a date's three boxes are name_day, name_month, name_year)?"""
    return key in (name, "page") or key.startswith(f"{name}_")


def _filter_text(field: Any, value: Any) -> str:
    if isinstance(value, date):
        return long_date(value)
    choices = getattr(field, "choices", None)
    if choices is not None and not hasattr(value, "pk"):
        labels = {str(key): label for key, label in choices}
        return str(labels.get(str(value), value))
    return str(value)


def uploaded_text(request: HttpRequest, form: Any, field: str, *, limit: int, what: str) -> str | None:
    """The UTF-8 text of the file uploaded as `field`; None when there is none, it is larger than
    `limit` bytes or it is not UTF-8, with the reason put on the form's field ("Choose a method file")."""
    upload = request.FILES.get(field)
    if upload is None:
        form.add_error(field, f"Choose a {what}")
    elif upload.size is not None and upload.size > limit:
        form.add_error(field, f"The {what} must be smaller than {_size(limit)}")
    else:
        try:
            return str(upload.read().decode("utf-8"))
        except UnicodeDecodeError:
            form.add_error(field, f"The {what} must be UTF-8 text")
    return None


def _size(limit: int) -> str:
    return f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit // 1000} KB"


def send_export(export: ExportFile) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


def form_page(
    request: HttpRequest,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    *,
    success: str | Callable[[Any], str],
    done: str | Callable[[Any], str],
    template: str,
    context: dict[str, Any],
    field_map: dict[str, str] | None = None,
) -> HttpResponse:
    """The one shape of a page with a form that calls a service: a valid POST calls `save` with the
    cleaned data; the service's ValidationFailed is shown against the form's fields (`field_map` renames
    the service's fields), a PermissionDenied as the form's own error, nothing changed; on success the
    message is flashed and the browser sent to `done`. Otherwise the form is shown (again). `success`
    and `done` may be functions of what `save` returned (the record it made, say)."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except ValidationFailed as exc:
            apply_service_errors(form, exc, field_map)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, success(saved) if callable(success) else success)
            return redirect(done(saved) if callable(done) else done)
    return render(request, template, {"form": form, **context})


@dataclass(frozen=True)
class PurposeGate:
    """The purpose gate for one kind of record.

    `fetch(actor, pk)` returns the record or raises NotFoundOrForbidden (an `access_*_by_id` selector);
    `consult(actor=, <record_arg>=, purpose=, surface=)` writes the consultation in the app's service;
    `ask_url` names the page asking the purpose (wired to `purpose_view`), `home_url` the record's page."""

    session_key: str
    fetch: Callable[[Any, int], Any]
    consult: Consult
    record_arg: str
    ask_url: str
    home_url: str

    def stated(self, request: HttpRequest, pk: int) -> str | None:
        purposes: dict[str, str] = request.session.get(self.session_key, {})
        return purposes.get(str(pk))

    def remember(self, request: HttpRequest, pk: int, purpose: str) -> None:
        """Store the purpose for this record for the rest of the session (a record just created by the
        user, for instance, is opened for the purpose it was created for)."""
        purposes = dict(request.session.get(self.session_key, {}))
        purposes[str(pk)] = purpose
        request.session[self.session_key] = purposes

    def ask(self, request: HttpRequest, pk: int) -> HttpResponse:
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse(self.ask_url, args=[pk])}?{query}")

    def open(self, request: HttpRequest, pk: int, surface: str) -> tuple[Any, str] | HttpResponse:
        """The record and the stated purpose, with the consultation recorded; or the redirect to the
        purpose page when none is stated yet."""
        who = actor(request)
        record = self.fetch(who, pk)
        purpose = self.stated(request, record.pk)
        if purpose is None:
            return self.ask(request, record.pk)
        # Every request that shows the record is a consultation, a form shown again with errors too.
        self.consult(actor=who, **{self.record_arg: record}, purpose=purpose, surface=surface)
        return record, purpose

    def page(self, surface: str) -> Callable[[View], View]:
        """Decorator for a page about one record: `view(request, record, purpose, *args)`."""

        def decorate(view: View) -> View:
            @wraps(view)
            def wrapper(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
                opened = self.open(request, pk, surface)
                if isinstance(opened, HttpResponse):
                    return opened
                return view(request, *opened, *args, **kwargs)

            return login_required(wrapper)

        return decorate

    def purpose_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The page asking why the record is opened; returns to `next` (on this site only)."""
        record = self.fetch(actor(request), pk)
        default = reverse(self.home_url, args=[record.pk])
        next_url = request.GET.get("next") or default
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
            next_url = default
        form = PurposeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            self.remember(request, record.pk, form.justification())
            return redirect(next_url)
        return render(request, "core/purpose.html", {"form": form, "nominal_ref": record.reference})
