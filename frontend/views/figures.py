"""The activity figures of a period, in the back office (issue 14, Must have 1): what the
reports are drafted from (reports.figures), for the whole province or one agency or component
site, for any period up to 366 days; the same as GET /api/v1/reports/figures/.

Who sees what: the province's overseers (portal-scope roles, superusers) any scope; an
agency's staff their own agencies and sites (editorial.dashboard.dashboard_scope)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from editorial.dashboard import dashboard_scope
from frontend.access import staff_required
from organization.selectors import agency_list, component_site_list
from provinces.loader import today_in_vietnam
from reports.figures import activity_figures
from reports.periods import MAX_ON_DEMAND_DAYS

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
WHOLE = "tinh"  # the whole province, in the scope field


class FiguresForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("Từ ngày"), input_formats=DATE_FORMATS)
    end = forms.DateField(label=gettext_lazy("Đến ngày"), input_formats=DATE_FORMATS)
    scope = forms.ChoiceField(label=gettext_lazy("Phạm vi"))

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = choices
        for name in ("start", "end"):
            self.fields[name].widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("Ngày cuối kỳ trước ngày đầu kỳ."))
            elif (end - start).days + 1 > MAX_ON_DEMAND_DAYS:
                self.add_error(
                    "end", _("Một kỳ dài tối đa %(days)d ngày.") % {"days": MAX_ON_DEMAND_DAYS}
                )
        return cleaned


def _choices(user) -> tuple[list[tuple[str, str]], dict[str, tuple]]:
    """The scopes offered ("tinh", "co-quan-<id>", "cong-<id>") and what each stands for."""
    scope = dashboard_scope(user=user)
    whole = user.is_superuser or scope.whole_province
    choices: list[tuple[str, str]] = []
    meaning: dict[str, tuple] = {}
    if whole:
        choices.append((WHOLE, _("Toàn tỉnh")))
        meaning[WHOLE] = (None, None)
    for agency in agency_list():
        if whole or agency.pk in scope.agency_ids:
            key = f"co-quan-{agency.pk}"
            choices.append((key, agency.name))
            meaning[key] = (agency, None)
    for site in component_site_list().select_related("agency"):
        if whole or site.agency_id in scope.agency_ids:
            key = f"cong-{site.pk}"
            choices.append((key, _("Cổng thành phần: %(name)s") % {"name": site.name}))
            meaning[key] = (None, site)
    return choices, meaning


@never_cache
@require_GET
@staff_required
def figures(request):
    choices, meaning = _choices(request.user)
    if not choices:
        raise PermissionDenied(_("Tài khoản chưa được giao vai trò nào của tỉnh."))
    last_day = today_in_vietnam().replace(day=1) - timedelta(days=1)
    initial = {"start": last_day.replace(day=1), "end": last_day, "scope": choices[0][0]}
    data = request.GET if request.GET else None
    form = FiguresForm(data, initial=initial, choices=choices)
    if data is None:
        start, end, key = initial["start"], initial["end"], initial["scope"]
    elif form.is_valid():
        start, end, key = (
            form.cleaned_data["start"],
            form.cleaned_data["end"],
            form.cleaned_data["scope"],
        )
    else:
        return render(request, "frontend/reports/figures.html", {"form": form}, status=400)
    agency, site = meaning[key]
    result = activity_figures(start=start, end=end, agency=agency, site=site)
    return render(
        request,
        "frontend/reports/figures.html",
        {"form": form, "figures": result, "tables": result.tables()},
    )
