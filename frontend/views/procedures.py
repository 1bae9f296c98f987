"""Thủ tục hành chính (`/thu-tuc/`): the public-service catalogue of a province's portal and of
each component site (its own agency's procedures), and a procedure's page (`/thu-tuc/<code>/`)
with everything a citizen needs to do it (Decree 42/2022 Art. 4; Thái Nguyên Art. 12(2), 13;
Huế Art. 7, 13–15).

The list narrows by words (matched by the search module: with or without diacritics, a one-letter
typo forgiven), field, agency, level and online service, each facet counting the current
results. A filter that cannot be read is refused with the page and its message (400), a page
past the last is a 404. `public_services.catalogue_published = false` takes both pages away
from citizens (404); the staff pages are another matter. A procedure no longer published
(abolished, replaced, withdrawn) is a 410 with the reason. The parts that are the same for every
visitor are cached (frontend.public_cache)."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from catalog.selectors import (
    LEVELS,
    ONLINE_ANY,
    ONLINE_NONE,
    FilterError,
    ProcedureFilters,
    national_portal_url,
    procedure_end_reason,
    procedure_facets,
    procedure_label,
    procedure_versions,
    public_procedure,
    public_procedures,
)
from editorial.content import FIELD_LABELS, PROCEDURE_CODE, PROCEDURE_LABELS
from frontend.context_processors import SiteContext
from frontend.forms import no_nul
from frontend.links import component_site_url
from frontend.page_cache import public_page
from frontend.profiles import profile_for
from frontend.public_cache import cached
from frontend.sections import url_or_none

PAGE_SIZE = 20
MAX_PAGE = 500  # 10,000 procedures at 20 a page
QUERY_MAX = 200  # as search.selectors.MAX_QUERY
VALUE_MAX = 200  # the longest field (lĩnh vực)
CODE = re.compile(PROCEDURE_CODE)

# The query string's names, in Vietnamese as the page's addresses are.
PARAMETERS = {
    "query": "q",
    "field": "linh-vuc",
    "agency": "co-quan",
    "level": "cap",
    "online": "truc-tuyen",
}
PAGE = "trang"
# Levels and online services in the address are written in words, never their codes.
LEVEL_SLUGS = {"province": "tinh", "commune": "xa"}
ONLINE_SLUGS = {
    "full": "toan-trinh",
    "partial": "mot-phan",
    "level1": "muc-do-1",
    "level2": "muc-do-2",
    "level3": "muc-do-3",
    "level4": "muc-do-4",
    ONLINE_ANY: "co",
    ONLINE_NONE: "khong",
}
SLUG_CODES = {
    "level": {slug: code for code, slug in LEVEL_SLUGS.items()},
    "online": {slug: code for code, slug in ONLINE_SLUGS.items()},
}
ONLINE_CHOICE_LABELS = {ONLINE_ANY: _("Có dịch vụ công trực tuyến")}

# The services a regulation says the portal offers from the start (public_services.
# initial_services; Huế Art. 12, 13), by their code: what citizens read, and the platform's
# page that provides it (None: not provided yet, and said so).
INITIAL_SERVICES = {
    "procedure_information": _("Thông tin về thủ tục hành chính"),
    "legal_lookup": _("Tra cứu văn bản quy phạm pháp luật"),
    "complaints": _("Tiếp nhận khiếu nại, tố cáo"),
    "project_dossier_receipt": _("Tiếp nhận hồ sơ dự án"),
}


def _online_choice(code: str):
    if code in ONLINE_CHOICE_LABELS:
        return ONLINE_CHOICE_LABELS[code]
    return PROCEDURE_LABELS["online_level"]["" if code == ONLINE_NONE else code]


class ProcedureSearchForm(forms.Form):
    """The query string of the catalogue, each value bounded; the choices come from the facets."""

    query = forms.CharField(
        label=_("Tên thủ tục hoặc từ khoá"),
        required=False,
        max_length=QUERY_MAX,
        validators=[no_nul],
    )
    field = forms.CharField(
        label=FIELD_LABELS["field"], required=False, max_length=VALUE_MAX, validators=[no_nul]
    )
    agency = forms.IntegerField(
        label=_("Cơ quan thực hiện"),
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={"invalid": _("Cơ quan thực hiện không có trong danh sách.")},
    )
    level = forms.ChoiceField(
        label=FIELD_LABELS["level"],
        required=False,
        choices=[("", ""), *((LEVEL_SLUGS[c], PROCEDURE_LABELS["level"][c]) for c in LEVELS)],
        error_messages={"invalid_choice": _("Cấp thực hiện không có trong danh sách.")},
    )
    online = forms.ChoiceField(
        label=FIELD_LABELS["online_level"],
        required=False,
        choices=[("", ""), *((slug, _online_choice(code)) for code, slug in ONLINE_SLUGS.items())],
        error_messages={
            "invalid_choice": _("Mức độ dịch vụ công trực tuyến không có trong danh sách.")
        },
    )
    page = forms.IntegerField(
        label=_("Trang"),
        required=False,
        min_value=1,
        max_value=MAX_PAGE,
        error_messages={"invalid": _("Số trang phải là một số.")},
    )

    def add_prefix(self, field_name):
        # The inputs are named as the query string is (?q=…&linh-vuc=…): the last value of each
        # name counts, other parameters are ignored.
        return {**PARAMETERS, "page": PAGE}.get(field_name, field_name)

    def filters(self) -> ProcedureFilters:
        data = self.cleaned_data
        return ProcedureFilters(
            query=" ".join(data["query"].split()),
            field=data["field"].strip(),
            agency=data["agency"],
            level=SLUG_CODES["level"].get(data["level"], ""),
            online=SLUG_CODES["online"].get(data["online"], ""),
        )


def catalogue_open(request) -> bool:
    """Whether citizens may read the catalogue here (public_services.catalogue_published)."""
    profile = profile_for(request)
    return profile is not None and profile.public_services.catalogue_published


# --- the list ---------------------------------------------------------------------------------


def _in_address(name: str, value) -> str:
    if name == "level":
        return LEVEL_SLUGS.get(value, value)
    if name == "online":
        return ONLINE_SLUGS.get(value, value)
    return str(value)


def _shown(name: str, value, agencies: dict[str, str]) -> str:
    """A filter's value as a citizen reads it (a level, an online service, an agency by name)."""
    if name == "level":
        return procedure_label("level", value)
    if name == "online":
        if value in ONLINE_CHOICE_LABELS:
            return str(ONLINE_CHOICE_LABELS[value])
        return procedure_label("online_level", "" if value == ONLINE_NONE else value)
    if name == "agency":
        return agencies.get(str(value), "")
    return str(value)


def _query_string(filters: ProcedureFilters, *, without: str = "") -> str:
    """The filters as a query string (the one named `without` left out), for links."""
    return urlencode(
        {
            PARAMETERS[name]: _in_address(name, getattr(filters, name))
            for name in PARAMETERS
            if name != without and getattr(filters, name) not in ("", None)
        }
    )


def _options(facets, filters: ProcedureFilters, agencies: dict[str, str]) -> dict[str, list]:
    """Each facet's options: its values with their counts, the chosen value always among them
    (with 0 when nothing matches any more)."""
    listed = {
        "field": facets.fields,
        "agency": facets.agencies,
        "level": facets.levels,
        "online": facets.online_levels,
    }
    options: dict[str, list] = {}
    for name, values in listed.items():
        chosen = getattr(filters, name)
        chosen = "" if chosen is None else str(chosen)
        counts = {facet.value: facet.count for facet in values}
        labels = {facet.value: facet.label for facet in values}
        order = list(counts)
        if name == "online" and facets.online_levels:
            order.insert(0, ONLINE_ANY)
            counts[ONLINE_ANY] = sum(f.count for f in values if f.value != ONLINE_NONE)
        if chosen and chosen not in counts:
            order.insert(0, chosen)
        options[name] = [
            {
                "value": _in_address(name, value),
                "label": labels.get(value) or _shown(name, value, agencies),
                "count": counts.get(value, 0),
                "selected": value == chosen,
            }
            for value in order
            if labels.get(value) or _shown(name, value, agencies)
        ]
    return options


def _processing_time(fields: dict) -> str:
    """ "15 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ"; "" when no time is set."""
    days = fields.get("processing_days")
    if not isinstance(days, int | float) or isinstance(days, bool):
        return ""
    amount = number_format(days, decimal_pos=0 if float(days).is_integer() else 1)
    unit = procedure_label("processing_unit", fields.get("processing_unit") or "working_days")
    start = (fields.get("processing_from") or "").strip()
    return " ".join(part for part in (amount, unit, start) if part)


def _online(fields: dict) -> str:
    return procedure_label("online_level", fields.get("online_level") or "")


def _row(item) -> dict:
    fields = item.published_revision.fields
    return {
        "url": reverse("frontend:procedure", kwargs={"code": item.code}),
        "code": item.code,
        "title": item.published_revision.title,
        "agency": item.agency.name if item.agency_id else "",
        "level": procedure_label("level", fields.get("level") or ""),
        "online": _online(fields),
        "field": fields.get("field", ""),
    }


def _chosen(filters: ProcedureFilters, form, agencies: dict[str, str]) -> list[dict]:
    """The filters in force, each with a link that removes it."""
    return [
        {
            "label": form.fields[name].label,
            "value": _shown(name, getattr(filters, name), agencies) or getattr(filters, name),
            "remove": _query_string(filters, without=name),
        }
        for name in PARAMETERS
        if getattr(filters, name) not in ("", None)
    ]


def initial_services(request) -> list[dict]:
    """The services the profile says the portal offers from the start (public_services.
    initial_services), each with the page that provides it, or None when the platform does not
    provide it yet (shown as such, never hidden)."""
    profile = profile_for(request)
    if profile is None or request.component_site is not None:
        return []
    pages = {
        "procedure_information": url_or_none("frontend:procedures"),
        "legal_lookup": url_or_none("frontend:documents"),
        "complaints": None,
        "project_dossier_receipt": None,
    }
    submit = url_or_none("frontend:qa_submit")
    if submit and "complaint" in profile.qa.intake:
        pages["complaints"] = f"{submit}?{urlencode({'loai': 'complaint'})}"
    return [
        {"label": INITIAL_SERVICES.get(code, _("Dịch vụ công khác")), "url": pages.get(code)}
        for code in profile.public_services.initial_services
    ]


def _refused(request, form, *, status: int = 400):
    return render(
        request,
        "frontend/procedures/list.html",
        {"form": form, "refused": True, "services": initial_services(request)},
        status=status,
    )


@public_page
def procedure_list(request):
    if not catalogue_open(request):
        raise Http404
    site = request.component_site
    form = ProcedureSearchForm(request.GET)
    if not form.is_valid():
        return _refused(request, form)
    filters = form.filters()
    number = form.cleaned_data["page"] or 1

    def build() -> dict | None:
        items = public_procedures(site=site, filters=filters)
        facets = procedure_facets(items=items)
        agencies = {facet.value: facet.label for facet in facets.agencies}
        paginator = Paginator(items, PAGE_SIZE)
        paginator.count = facets.total  # counted with the facets: no second COUNT query
        try:
            page = paginator.page(number)
        except EmptyPage:
            return None  # past the last page
        context = {
            "form": form,
            "rows": [_row(item) for item in page],
            "page": page,
            "total": facets.total,
            "options": _options(facets, filters, agencies),
            "chosen": _chosen(filters, form, agencies),
            "query": _query_string(filters),
            "filtered": bool(_query_string(filters)),
            "on_component_site": site is not None,
        }
        html = render_to_string("frontend/procedures/_results.html", context, request=request)
        return {"html": html}

    parts = (*(getattr(filters, name) for name in PARAMETERS), number)
    try:
        part = cached(request, "procedures", parts, build)
    except FilterError as error:
        form.add_error(error.field if error.field in PARAMETERS else "query", error.message)
        return _refused(request, form)
    if part is None:
        raise Http404
    return render(
        request,
        "frontend/procedures/list.html",
        {
            "fragment": mark_safe(part["html"]),  # noqa: S308 - rendered by our own templates
            "services": initial_services(request),
        },
    )


# --- a procedure's page -----------------------------------------------------------------------


def _date(value) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _item_host(request, item) -> str:
    """The base address of the host the item belongs to ("" for this one): its forms are
    served there (public.attachment_download serves a site's own items)."""
    here = request.component_site
    if (here.pk if here is not None else None) == item.site_id:
        return ""
    if item.site_id is not None:
        return component_site_url(request, item.site).rstrip("/")
    return (SiteContext(request).portal_url or "").rstrip("/")


def _forms(request, item, dossier: list) -> list[dict]:
    """The dossier's components, each with its form's download (an attachment of the item named
    by `form_file`), where there is one."""
    files = {attachment.original_name: attachment for attachment in item.attachments.all()}
    base = _item_host(request, item)
    components = []
    for component in dossier:
        if not isinstance(component, dict):
            continue
        attachment = files.get(component.get("form_file") or "")
        download = None
        if attachment is not None:
            path = reverse("frontend:attachment", kwargs={"pk": attachment.pk})
            download = {
                "url": base + path,
                "size": attachment.size,
                "name": attachment.original_name,
            }
        components.append({**component, "download": download})
    return components


def _agency(request, item) -> dict | None:
    agency = item.agency
    if agency is None:
        return None
    site = getattr(agency, "site", None)
    url = None
    if site is not None and site.is_active and site != request.component_site:
        url = component_site_url(request, site)
    return {"name": agency.name, "url": url}


def _build_procedure(request, code: str) -> dict | None:
    item = public_procedure(code=code, site=request.component_site)
    if item is None:
        return None
    revision = item.published_revision
    fields = revision.fields
    meta = {
        "title": revision.title,
        "description": revision.summary
        or _("Thủ tục %(name)s: trình tự, hồ sơ, thời hạn, phí và lệ phí.")
        % {"name": revision.title},
        "path": reverse("frontend:procedure", kwargs={"code": item.code}),
    }
    if not item.is_public:
        html = render_to_string(
            "frontend/procedures/_gone.html",
            {
                "title": revision.title,
                "code": item.code,
                "reason": procedure_end_reason(item=item),
            },
            request=request,
        )
        return {"status": 410, "html": html, "meta": meta}
    versions = procedure_versions(item=item)
    context = {
        "item": item,
        "revision": revision,
        "fields": fields,
        "labels": FIELD_LABELS,
        "agency": _agency(request, item),
        "level": procedure_label("level", fields.get("level") or ""),
        "methods": [
            label
            for method in fields.get("methods") or []
            if (label := procedure_label("methods", method))
        ],
        "steps": [step for step in fields.get("steps") or [] if isinstance(step, dict)],
        "dossier": _forms(request, item, fields.get("dossier") or []),
        "processing_time": _processing_time(fields),
        "online": _online(fields),
        "national_portal": national_portal_url(
            code=item.code, online_level=fields.get("online_level") or ""
        ),
        "legal_basis": _lines(fields.get("legal_basis", "")),
        "effective_on": _date(fields.get("effective_on")),
        "issued_on": _date(fields.get("issued_on")),
        "body": mark_safe(revision.body),  # noqa: S308 - sanitised by nh3 when saved
        "versions": [
            {"effective_on": effective_on, "current": revision_.pk == revision.pk}
            for revision_, effective_on in versions
        ],
    }
    html = render_to_string("frontend/procedures/_procedure.html", context, request=request)
    return {"status": 200, "html": html, "meta": meta}


@public_page
def procedure_page(request, code: str):
    if not catalogue_open(request) or not CODE.fullmatch(code) or len(code) > 60:
        raise Http404
    part = cached(request, "procedure", (code,), lambda: _build_procedure(request, code))
    if part is None:
        raise Http404
    return render(
        request,
        "frontend/procedures/page.html",
        {
            "fragment": mark_safe(part["html"]),  # noqa: S308 - rendered by our own templates
            "meta": part["meta"],
            "canonical": request.build_absolute_uri(part["meta"]["path"]),
            "gone": part["status"] == 410,
        },
        status=part["status"],
    )
