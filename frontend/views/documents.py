"""Legal documents of the portal and of every component site (`/van-ban/`): a faceted search
by number, type, issuing body, field, year of issue and status, most recently issued first.

Each facet lists the values of the current result set with their counts; the filters combine.
A filter that cannot be read (a year that is not one, an unknown status, an overlong value) is
refused with the page and its message (400); an unreadable page number is read as the first.
A document's own page is the item page (frontend/views/public.py)."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from editorial.content import FIELD_LABELS, LEGAL_STATUS_LABELS, MAX_YEAR, MIN_YEAR
from editorial.selectors import LegalDocumentFilters, legal_document_facets, legal_documents
from frontend.forms import no_nul
from frontend.links import item_path
from frontend.page_cache import public_page
from frontend.public_cache import cached

PAGE_SIZE = 20
MAX_PAGE = 10_000
NUMBER_MAX = 100  # as LegalDocumentFields.number
VALUE_MAX = 300  # the longest facet value (an issuing body)

# The query string's names, in Vietnamese as the page's addresses are.
PARAMETERS = {
    "number": "so",
    "document_type": "loai",
    "issuing_body": "co-quan",
    "field": "linh-vuc",
    "year": "nam",
    "status": "hieu-luc",
}


# A status in the address is written in words (?hieu-luc=con-hieu-luc), never its code.
STATUS_SLUGS = {
    "in_force": "con-hieu-luc",
    "partly_expired": "het-hieu-luc-mot-phan",
    "expired": "het-hieu-luc",
    "pending": "chua-co-hieu-luc",
}
STATUS_OF_SLUG = {slug: code for code, slug in STATUS_SLUGS.items()}


class DocumentSearchForm(forms.Form):
    """The query string of the search, each value bounded; the choices come from the facets."""

    number = forms.CharField(
        label=FIELD_LABELS["number"], required=False, max_length=NUMBER_MAX, validators=[no_nul]
    )
    document_type = forms.CharField(
        label=FIELD_LABELS["document_type"],
        required=False,
        max_length=VALUE_MAX,
        validators=[no_nul],
    )
    issuing_body = forms.CharField(
        label=FIELD_LABELS["issuing_body"],
        required=False,
        max_length=VALUE_MAX,
        validators=[no_nul],
    )
    field = forms.CharField(
        label=FIELD_LABELS["field"], required=False, max_length=VALUE_MAX, validators=[no_nul]
    )
    year = forms.IntegerField(
        label=_("Năm ban hành"),
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        error_messages={"invalid": _("Năm ban hành phải là một năm, ví dụ 2024.")},
    )
    status = forms.ChoiceField(
        label=FIELD_LABELS["status"],
        required=False,
        choices=[("", ""), *((STATUS_SLUGS[c], label) for c, label in LEGAL_STATUS_LABELS.items())],
        error_messages={"invalid_choice": _("Tình trạng hiệu lực không có trong danh sách.")},
    )

    def add_prefix(self, field_name):
        # The inputs are named as the query string is (?so=…&loai=…): the last value of each
        # name counts, other parameters are ignored.
        return PARAMETERS.get(field_name, field_name)

    def filters(self) -> LegalDocumentFilters:
        data = self.cleaned_data
        return LegalDocumentFilters(
            number=data["number"],
            document_type=data["document_type"],
            issuing_body=data["issuing_body"],
            field=data["field"],
            year=data["year"],
            status=STATUS_OF_SLUG.get(data["status"], ""),
        )


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) <= MAX_PAGE else 1


def _in_address(name: str, value) -> str:
    """A filter's value as the query string writes it (a status by its words)."""
    return STATUS_SLUGS.get(value, value) if name == "status" else str(value)


def _shown(name: str, value) -> str:
    """A filter's value as a citizen reads it (a status by its label)."""
    return str(LEGAL_STATUS_LABELS.get(value, value)) if name == "status" else str(value)


def _query_string(filters: LegalDocumentFilters, *, without: str = "") -> str:
    """The filters as a query string (the one named `without` left out), for links."""
    return urlencode(
        {
            PARAMETERS[name]: _in_address(name, getattr(filters, name))
            for name in PARAMETERS
            if name != without and getattr(filters, name) not in ("", None)
        }
    )


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _row(item) -> dict:
    revision = item.published_revision
    fields = revision.fields
    return {
        "url": item_path(item),
        "number": fields.get("number", ""),
        "issued_on": _date(fields.get("issued_on")),
        "title": revision.title,
        "summary": revision.summary,
        "document_type": fields.get("document_type", ""),
        "issuing_body": fields.get("issuing_body", ""),
        "status": LEGAL_STATUS_LABELS.get(fields.get("status", ""), ""),
    }


def _facet_options(facets, filters: LegalDocumentFilters) -> dict[str, list[dict]]:
    """Each facet's options: its values with their counts, the chosen value always among
    them (with 0 when nothing matches any more)."""
    options: dict[str, list[dict]] = {}
    for name, values in facets.values.items():
        chosen = getattr(filters, name)
        chosen = "" if chosen is None else str(chosen)
        counts = {facet.value: facet.count for facet in values}
        listed = ([chosen] if chosen and chosen not in counts else []) + list(counts)
        options[name] = [
            {
                "value": _in_address(name, value),
                "label": _shown(name, value),
                "count": counts.get(value, 0),
                "selected": value == chosen,
            }
            for value in listed
        ]
    return options


def _chosen(filters: LegalDocumentFilters, form: DocumentSearchForm) -> list[dict]:
    """The filters in force, each with a link that removes it."""
    return [
        {
            "label": form.fields[name].label,
            "value": _shown(name, getattr(filters, name)),
            "remove": _query_string(filters, without=name),
        }
        for name in PARAMETERS
        if getattr(filters, name) not in ("", None)
    ]


@public_page
def document_list(request):
    site = request.component_site
    form = DocumentSearchForm(request.GET)
    if not form.is_valid():
        return render(
            request, "frontend/documents/list.html", {"form": form, "refused": True}, status=400
        )
    filters = form.filters()
    number = _page_number(request.GET.get("trang"))

    def build() -> dict:
        items = legal_documents(site=site, filters=filters)
        facets = legal_document_facets(items=items)
        paginator = Paginator(items, PAGE_SIZE)
        paginator.count = facets.total  # counted with the facets: no second COUNT query
        page = paginator.get_page(number)
        context = {
            "form": form,
            "rows": [_row(item) for item in page],
            "page": page,
            "total": facets.total,
            "options": _facet_options(facets, filters),
            "chosen": _chosen(filters, form),
            "query": _query_string(filters),
            "filtered": bool(_query_string(filters)),
        }
        html = render_to_string("frontend/documents/_results.html", context, request=request)
        return {"html": html}

    parts = (*(getattr(filters, name) for name in PARAMETERS), number)
    part = cached(request, "documents", parts, build)
    assert part is not None  # build() always returns a page
    return render(
        request,
        "frontend/documents/list.html",
        {"fragment": mark_safe(part["html"])},  # noqa: S308 - rendered by our own templates
    )
