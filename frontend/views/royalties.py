"""The royalty ledger's staff pages (/staff/nhuan-but/, ADR 0029): this month's lines and
totals, the items waiting for a royalty, past months; an item's assignment form (assigned
again = corrected, with a reason); a month's ledger with its totals, statements per person,
sign-off and exports. Only where the profile in force pays royalties (Thái Nguyên Art. 24):
elsewhere (Huế) every page is a 404. Writes go through royalties.services."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.forms import formset_factory
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from unidecode import unidecode

from core.errors import ErrorKind, ServiceError
from frontend.access import staff_required
from provinces.loader import today_in_vietnam
from royalties import exports, selectors, services
from royalties.models import LedgerMonth, Share

MAX_SHARES = services.MAX_SHARES


def _words_of_range(category) -> str:
    return _("%(name)s — hệ số từ %(min)s đến %(max)s") % {
        "name": category.name,
        "min": f"{category.min_coefficient.normalize():f}".replace(".", ","),
        "max": f"{category.max_coefficient.normalize():f}".replace(".", ","),
    }


class AssignForm(forms.Form):
    category_code = forms.ChoiceField(label=gettext_lazy("Thể loại"))
    coefficient = forms.DecimalField(
        label=gettext_lazy("Hệ số"),
        max_digits=6,
        decimal_places=2,
        min_value=0.01,
        max_value=9999,
        localize=True,
    )
    reason = forms.CharField(
        label=gettext_lazy("Lý do điều chỉnh"),
        required=False,
        max_length=services.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Bắt buộc khi điều chỉnh nhuận bút đã chấm."),
    )

    def __init__(self, *args, rates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_code"].choices = [("", _("— Chọn thể loại —"))] + [
            (category.code, _words_of_range(category)) for category in rates.categories
        ]


class ShareForm(forms.Form):
    person_name = forms.CharField(label=gettext_lazy("Họ tên người hưởng"), max_length=200)
    contribution = forms.ChoiceField(
        label=gettext_lazy("Đóng góp"), choices=Share.Contribution.choices
    )
    percent = forms.DecimalField(
        label=gettext_lazy("Tỷ lệ (%)"),
        max_digits=5,
        decimal_places=2,
        min_value=0.01,
        max_value=100,
        localize=True,
    )


ShareFormSet = formset_factory(
    ShareForm,
    extra=2,
    min_num=1,
    max_num=MAX_SHARES,
    absolute_max=MAX_SHARES,
    validate_min=True,
    validate_max=True,
)


def _enabled_or_404() -> None:
    # Huế's regulation pays no royalty: no page at all.
    if not selectors.royalties_on():
        raise Http404


def _reader_or_403(request) -> None:
    """The ledger names people and what they are owed: its readers only (the approvers, the
    signer, portal staff; royalties.services.may_read_ledger)."""
    _enabled_or_404()
    if not services.may_read_ledger(user=request.user):
        raise PermissionDenied(
            _("Sổ nhuận bút chỉ dành cho người chấm, người ký duyệt và lãnh đạo cổng.")
        )


def _month_or_404(text: str) -> LedgerMonth:
    month = selectors.parse_month(text)
    ledger = selectors.month_get(month) if month is not None else None
    if ledger is None:
        raise Http404
    return ledger


@never_cache
@staff_required
def royalties_home(request):
    _reader_or_403(request)
    this_month = selectors.current_month()
    ledger = selectors.month_get(this_month)
    lines = list(selectors.month_lines(ledger)) if ledger is not None else []
    return render(
        request,
        "frontend/royalties/home.html",
        {
            "this_month": this_month,
            "ledger": ledger,
            "lines": lines,
            "totals": selectors.month_totals(lines),
            "queue": selectors.unassigned_items(user=request.user),
            "months": list(selectors.month_list()),
            "former_months": list(selectors.month_list(former=True)),
            "rates": selectors.rate_table(),
        },
    )


def _share_initial(item, assignment) -> list[dict]:
    if assignment is not None:
        return [
            {
                "person_name": share.person_name,
                "contribution": share.contribution,
                "percent": share.percent,
            }
            for share in assignment.shares.all()
        ]
    author = item.author
    return [
        {
            "person_name": author.full_name or author.get_username(),
            "contribution": Share.Contribution.AUTHOR,
            "percent": 100,
        }
    ]


def _put_error(error: ServiceError, form: AssignForm, formset, rows: list[int]) -> None:
    """The service's refusal on the field it blames (a share's field on its row)."""
    for path, messages_ in (error.field_errors() or {None: [str(error.message)]}).items():
        for message in messages_:
            if path in ("category_code", "coefficient", "reason"):
                form.add_error(path, message)
                continue
            if path and path.startswith("shares[") and "]." in path:
                index = int(path[len("shares[") : path.index("]")])
                name = path.split("].", 1)[1]
                if index < len(rows) and name in ShareForm.base_fields:
                    formset.forms[rows[index]].add_error(name, message)
                    continue
            form.add_error(None, message)


@never_cache
@staff_required
def royalties_assign(request, item_pk: int):
    _enabled_or_404()
    item = selectors.item_for_royalty(item_pk)
    if item is None or item.status != item.Status.PUBLISHED:
        raise Http404
    day = services.publication_day(item)
    rates = selectors.rate_table_on(day) if day is not None else None
    if rates is None:
        raise Http404
    assignment = selectors.current_assignment(item)
    status = 200
    if request.method == "POST":
        form = AssignForm(request.POST, rates=rates)
        formset = ShareFormSet(request.POST, prefix="shares")
        if form.is_valid() and formset.is_valid():
            rows = [
                index
                for index, share_form in enumerate(formset.forms)
                if share_form.cleaned_data and share_form.has_changed()
            ]
            shares = [{**formset.forms[index].cleaned_data, "person": None} for index in rows]
            try:
                services.assign(
                    item=item,
                    category_code=form.cleaned_data["category_code"],
                    coefficient=form.cleaned_data["coefficient"],
                    shares=shares,
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except ServiceError as error:
                _put_error(error, form, formset, rows)
                status = 403 if error.kind == ErrorKind.FORBIDDEN else 400
            else:
                messages.success(
                    request,
                    _("Đã điều chỉnh nhuận bút.") if assignment else _("Đã chấm nhuận bút."),
                )
                return redirect(reverse("frontend:staff_royalties_assign", args=[item.pk]))
        else:
            status = 400
    else:
        initial = {}
        if assignment is not None:
            initial = {
                "category_code": assignment.category_code,
                "coefficient": assignment.coefficient,
            }
        form = AssignForm(initial=initial, rates=rates)
        formset = ShareFormSet(prefix="shares", initial=_share_initial(item, assignment))
    return render(
        request,
        "frontend/royalties/assign.html",
        {
            "item": item,
            "title": selectors.item_title(item),
            "published_on": day,
            "rates": rates,
            "base": rates.base_on(day),
            "assignment": assignment,
            "history": list(selectors.assignment_history(item)),
            "may_assign": services.may_assign(item=item, user=request.user),
            "form": form,
            "formset": formset,
        },
        status=status,
    )


def _month_page(request, ledger: LedgerMonth, *, status: int = 200, error: str = ""):
    lines = list(selectors.month_lines(ledger))
    month_ended = services.next_month(ledger.month) <= today_in_vietnam()
    return render(
        request,
        "frontend/royalties/month.html",
        {
            "ledger": ledger,
            "lines": lines,
            "totals": selectors.month_totals(lines),
            "statements": selectors.statements(lines),
            "may_sign_off": ledger.status == LedgerMonth.Status.OPEN
            and month_ended
            and services.may_sign_off(user=request.user),
            "month_ended": month_ended,
            "error": error,
        },
        status=status,
    )


@never_cache
@staff_required
def royalties_month(request, month: str):
    _reader_or_403(request)
    return _month_page(request, _month_or_404(month))


@require_POST
@staff_required
def royalties_sign_off(request, month: str):
    _enabled_or_404()
    ledger = _month_or_404(month)
    try:
        services.sign_off_month(month=ledger.month, actor=request.user)
    except ServiceError as error:
        status = {ErrorKind.FORBIDDEN: 403, ErrorKind.CONFLICT: 409}.get(error.kind, 400)
        return _month_page(request, ledger, status=status, error=str(error.message))
    messages.success(
        request, _("Đã ký duyệt và khoá sổ nhuận bút tháng %(m)s.") % {"m": f"{ledger.month:%m/%Y}"}
    )
    return redirect(reverse("frontend:staff_royalties_month", args=[month]))


def _xlsx_response(content: bytes, filename: str) -> FileResponse:
    import io

    return FileResponse(
        io.BytesIO(content),
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@never_cache
@staff_required
def royalties_month_xlsx(request, month: str):
    _reader_or_403(request)
    ledger = _month_or_404(month)
    lines = list(selectors.month_lines(ledger))
    return _xlsx_response(exports.month_xlsx(ledger, lines), f"nhuan-but-{month}.xlsx")


@never_cache
@staff_required
def royalties_month_csv(request, month: str):
    _reader_or_403(request)
    ledger = _month_or_404(month)
    lines = list(selectors.month_lines(ledger))
    response = StreamingHttpResponse(
        exports.month_csv(ledger, lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="nhuan-but-{month}.csv"'
    return response


@never_cache
@staff_required
def royalties_statement_xlsx(request, month: str):
    _reader_or_403(request)
    ledger = _month_or_404(month)
    name = request.GET.get("ten", "")[: services.MAX_NAME + 1]
    statement = selectors.statement_of(list(selectors.month_lines(ledger)), name)
    if statement is None:
        raise Http404
    slug = slugify(unidecode(name))[:60] or "nguoi-huong"
    return _xlsx_response(
        exports.statement_xlsx(ledger, statement), f"bang-ke-nhuan-but-{month}-{slug}.xlsx"
    )
