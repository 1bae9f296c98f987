"""Forms of the editorial back office and the public comment form.

The forms only shape input (types, required fields, a readable error per field); every rule
of the content and the workflow is the services' to apply. Errors the services raise are put
back on the field they name with `add_service_error` (frontend.errors)."""

from __future__ import annotations

import json
from datetime import date, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from config.bounds import MAX_JSON_DEPTH, json_depth
from core.errors import ServiceError
from core.profiles import current_profile
from editorial.content import COLUMN_LABELS, FIELD_LABELS, MAX_TITLE, REQUIREMENT_LABELS
from editorial.dashboard import dashboard_scope
from editorial.models import Kind
from frontend import errors
from frontend.item_fields import KindField, kind_fields, parse_value, readable_paths
from organization.selectors import agency_list

FIELD_PREFIX = "fields__"
DATETIME_INPUT = "%Y-%m-%dT%H:%M"
# The kinds whose list fields are edited as rows of inputs (the others keep a JSON text area).
ROW_KINDS = frozenset({Kind.PROCEDURE})
BLANK_ROWS = 3  # empty rows offered under a list's rows, to add as many in one save
MAX_ROWS = 200  # no list field reads more rows than this from a form (the models allow fewer)


def service_message(error) -> str:
    return errors.service_message(error)


def _path_label(path: str) -> str:
    name = path.removeprefix(errors.KIND_FIELDS).split(".")[0]
    labels = {"title": _("Tiêu đề"), "agency": REQUIREMENT_LABELS["agency"]}
    return str(labels.get(name) or FIELD_LABELS.get(name) or COLUMN_LABELS.get(name) or name)


def add_service_error(form: forms.Form, error, *, field_map: dict | None = None) -> None:
    """A service's refusal on an editorial form (the one web helper): kind fields named
    `fields.<name>…` land on their `fields__<name>` inputs; the messages of fields the form
    does not have (publishing an incomplete procedure from the approver's page) are listed on
    the form, each with its field's name, under the refusal's own message."""
    readable = readable_paths(error.fields)
    if getattr(form, "kind", None) in ROW_KINDS and error.fields:
        # The same refusal with its rows' paths named for people (the rows' editor).
        error = ServiceError(
            error.code, error.message, error.field, kind=error.kind, fields=readable
        )
    errors.add_service_error(form, error, field_map=field_map, kind_field_prefix=FIELD_PREFIX)
    field_map = field_map or {}
    shown = {str(text) for text in form.non_field_errors()}
    for path, messages in readable.items():
        name = field_map.get(path, path)
        if path.startswith(errors.KIND_FIELDS):
            name = FIELD_PREFIX + path.removeprefix(errors.KIND_FIELDS).split(".")[0]
        if name in form.fields:
            continue
        label = _path_label(path)
        for message in messages:
            text = str(message)
            text = text if label in text else f"{label}: {text}"
            if text not in shown:
                shown.add(text)
                form.add_error(None, text)


def _datetime_field(label, *, required: bool) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[DATETIME_INPUT, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )


def _date_field(label, *, required: bool) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _list_hint(field: KindField) -> str:
    keys = ", ".join(
        f"{column.name}{'' if column.required else '?'} ({column.label})"
        for column in field.columns
    )
    example = {
        column.name: {
            "datetime": "2026-01-05T08:00+07:00",
            "date": "2026-01-05",
            "bool": False,
        }.get(column.type, "…")
        for column in field.columns
        if column.required
    }
    return str(
        _(
            "Danh sách JSON: mỗi phần tử là một đối tượng với các khoá %(keys)s; "
            "khoá có dấu ? không bắt buộc. Ví dụ: %(example)s"
        )
    ) % {"keys": keys, "example": json.dumps([example], ensure_ascii=False)}


class JSONListField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 8, "spellcheck": "false"})

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return []
        try:
            parsed = json.loads(text)
        except RecursionError as error:  # the same bound as the API's JSON (ADR 0012)
            raise forms.ValidationError(
                _("JSON lồng quá sâu (tối đa %(depth)d cấp)."), params={"depth": MAX_JSON_DEPTH}
            ) from error
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("Không đọc được JSON (dòng %(line)d, cột %(column)d)."),
                params={"line": error.lineno, "column": error.colno},
            ) from error
        if json_depth(parsed) > MAX_JSON_DEPTH:
            raise forms.ValidationError(
                _("JSON lồng quá sâu (tối đa %(depth)d cấp)."), params={"depth": MAX_JSON_DEPTH}
            )
        if not isinstance(parsed, list):
            raise forms.ValidationError(_("Phải là một danh sách JSON: [ {…}, {…} ]."))
        return parsed

    def prepare_value(self, value):
        if isinstance(value, list):
            return json.dumps(value, ensure_ascii=False, indent=2)
        return value


class RowsWidget(forms.Widget):
    """A list field as rows of inputs (one per column) with a "remove" tick box each, and
    BLANK_ROWS empty rows to add more; works without JavaScript. Its inputs are named
    `<name>-<row>-<column>`; rows left empty or ticked for removal are dropped."""

    template_name = "frontend/staff/catalogue/_rows_widget.html"

    def __init__(self, columns: tuple[KindField, ...], attrs=None):
        super().__init__(attrs)
        self.columns = columns

    def value_from_datadict(self, data, files, name):
        rows = []
        for index in range(MAX_ROWS + BLANK_ROWS):
            cells = {
                column.name: str(data.get(f"{name}-{index}-{column.name}", "") or "")
                for column in self.columns
            }
            if data.get(f"{name}-{index}-remove") or not any(v.strip() for v in cells.values()):
                continue
            rows.append(cells)
        if data.get(f"{name}-{MAX_ROWS + BLANK_ROWS}-{self.columns[0].name}"):
            rows.append({})  # more than the form reads: the field refuses the list
        return rows

    def value_omitted_from_data(self, data, files, name):
        return False

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        rows = value if isinstance(value, list) else []
        shown = [row for row in rows[:MAX_ROWS] if isinstance(row, dict)]
        context["widget"]["rows"] = [
            {
                "number": index + 1,
                "prefix": f"{name}-{index}",
                "cells": [
                    {
                        "column": column,
                        "label": column.label,
                        "value": "" if row.get(column.name) is None else row.get(column.name),
                    }
                    for column in self.columns
                ],
                "blank": not row,
            }
            for index, row in enumerate([*shown, *[{}] * BLANK_ROWS])
        ]
        context["widget"]["columns"] = self.columns
        return context


class RowsField(forms.Field):
    """The rows of a list field as the service takes them: a list of dicts, whole numbers
    parsed; each row is checked by the kind's model (the service's refusal names the row)."""

    def __init__(self, *, columns: tuple[KindField, ...], max_rows: int = MAX_ROWS, **kwargs):
        self.columns = columns
        self.max_rows = min(max_rows, MAX_ROWS)
        kwargs.setdefault("widget", RowsWidget(columns))
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value:
            return []
        if len(value) > self.max_rows:
            raise forms.ValidationError(
                _("Tối đa %(n)d dòng."), code="max_rows", params={"n": self.max_rows}
            )
        rows = []
        problems = []
        for number, row in enumerate(value, start=1):
            clean = {}
            for column in self.columns:
                text = str(row.get(column.name, "")).strip()
                if column.type in ("integer", "number"):
                    if not text:
                        continue
                    try:
                        clean[column.name] = _number(text, whole=column.type == "integer")
                    except ValueError:
                        problems.append(
                            _("Dòng %(n)d – %(column)s: phải là một số.")
                            % {"n": number, "column": column.label}
                        )
                elif text or column.required:
                    clean[column.name] = text
            rows.append(clean)
        if problems:
            raise forms.ValidationError(problems)
        return rows

    def prepare_value(self, value):
        if isinstance(value, str):  # a JSON list typed on the old form: shown as rows
            try:
                value = json.loads(value)
            except ValueError:
                return []
        return value if isinstance(value, list) else []


def _number(text: str, *, whole: bool):
    """A number as staff type it: "15", "0,5" or "0.5" (Vietnamese writes a decimal comma)."""
    text = text.replace(" ", "").replace(",", ".")
    if len(text) > 20:
        raise ValueError(text)
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    if whole:
        if not value.is_integer():
            raise ValueError(text)
        return int(value)
    return value


class NumberField(forms.Field):
    """A number typed with a decimal comma or point; bounds from the kind's model."""

    def __init__(self, *, whole: bool, minimum=None, maximum=None, **kwargs):
        self.whole = whole
        self.minimum, self.maximum = minimum, maximum
        attrs = {"inputmode": "numeric" if whole else "decimal", "maxlength": "20"}
        kwargs.setdefault("widget", forms.TextInput(attrs=attrs))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        try:
            number = _number(text, whole=self.whole)
        except ValueError:
            raise forms.ValidationError(
                _("Phải là một số nguyên.")
                if self.whole
                else _("Phải là một số, ví dụ 15 hoặc 0,5.")
            ) from None
        if (self.minimum is not None and number < self.minimum) or (
            self.maximum is not None and number > self.maximum
        ):
            raise forms.ValidationError(
                _("Phải trong khoảng %(low)s – %(high)s.")
                % {"low": _plain(self.minimum), "high": _plain(self.maximum)}
            )
        return number

    def prepare_value(self, value):
        if isinstance(value, float):
            return str(_plain(value)).replace(".", ",")
        return value


def _plain(number):
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def _form_field(field: KindField) -> forms.Field:
    label = field.label
    if field.type == "datetime":
        return _datetime_field(label, required=field.required)
    if field.type == "date":
        return _date_field(label, required=field.required)
    if field.type == "bool":
        return forms.BooleanField(label=label, required=False)
    if field.type == "choice":
        return forms.ChoiceField(
            label=label,
            required=field.required,
            choices=[(code, text) for code, text in field.choices.items()],
        )
    if field.type == "choices":
        return forms.MultipleChoiceField(
            label=label,
            required=field.required,
            choices=[(code, text) for code, text in field.choices.items()],
            widget=forms.CheckboxSelectMultiple,
        )
    if field.type in ("integer", "number"):
        return NumberField(
            label=label,
            required=field.required,
            whole=field.type == "integer",
            minimum=field.minimum,
            maximum=field.maximum,
        )
    if field.type == "list" and field.kind in ROW_KINDS:
        return RowsField(
            label=label,
            required=field.required,
            columns=field.columns,
            help_text=_(
                "Mỗi dòng một mục; điền vào các dòng trống để thêm, đánh dấu “Xoá” để bỏ một "
                "dòng. Cần thêm dòng: lưu, các dòng trống mới hiện ra."
            ),
        )
    if field.type == "list":
        return JSONListField(label=label, required=field.required, help_text=_list_hint(field))
    widget = forms.Textarea(attrs={"rows": 6}) if field.type == "textarea" else None
    return forms.CharField(
        label=label, required=field.required, max_length=field.max_length, widget=widget
    )


def _json_ready(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _picked(item) -> bool:
    """Whether the item's deadline is one its author picked (not its kind's own)."""
    sla = current_profile().sla(item.sla_content_type) if item.sla_content_type else None
    target = sla.target(item.kind) if sla is not None else None
    return target is not None and target.chosen


def procedure_agencies(*, user, kind: str, site) -> list | None:
    """The implementing agencies a new portal procedure may name: those `user` acts for (every
    agency for a holder of a portal role). None where the form asks for none: another kind, or
    a component site (its procedures are its own agency's)."""
    if kind != Kind.PROCEDURE or site is not None:
        return None
    scope = dashboard_scope(user=user)
    if user.is_superuser:
        return list(agency_list())
    return list(scope.agencies(agency_list()))


class ItemForm(forms.Form):
    """The content of an item: common fields, then the fields of its kind (`fields__<name>`)."""

    title = forms.CharField(label=_("Tiêu đề"), max_length=MAX_TITLE)
    summary = forms.CharField(
        label=_("Tóm tắt"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # A plain textarea of HTML that works without JavaScript; editor.js puts the rich-text
    # editor (ADR 0018) over it and writes its HTML back. The server sanitises either way.
    body = forms.CharField(
        label=_("Nội dung"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "true", "data-rich-text": "body"}),
        help_text=_(
            "Tiêu đề mục, chữ đậm, chữ nghiêng, danh sách, liên kết, bảng và ảnh; ảnh phải có "
            "mô tả thay thế. Khi dán từ Word hay Google Docs, màu, phông chữ và kiểu trình "
            "bày riêng được bỏ."
        ),
    )
    is_repost = forms.BooleanField(
        label=_("Tin đăng lại từ nguồn khác"),
        required=False,
        help_text=_("Tin đăng lại phải ghi rõ nguồn khi quy chế của tỉnh yêu cầu."),
    )
    source_name = forms.CharField(label=_("Nguồn tin"), required=False, max_length=300)
    source_url = forms.URLField(
        label=_("Địa chỉ nguồn tin"), required=False, max_length=500, assume_scheme="https"
    )
    featured = forms.BooleanField(label=_("Tin nổi bật"), required=False)
    category = forms.TypedChoiceField(
        label=_("Chuyên mục"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Chuyên mục không thuộc trang của bài viết.")},
    )
    sla_content_type = forms.ChoiceField(label=_("Thời hạn cập nhật áp dụng"), required=False)

    def __init__(
        self,
        *args,
        kind: str,
        profile=None,
        categories=(),
        with_comment: bool = False,
        agencies=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == Kind.PROCEDURE:
            self._procedure_fields(agencies)
        # Only the categories of the item's own site are offered (a posted other id is refused).
        self.categories = {category.pk: category for category in categories}
        self.fields["category"].choices = [
            ("", _("— Không xếp chuyên mục —")),
            *[(pk, category.name) for pk, category in self.categories.items()],
        ]
        self.fields["category"].help_text = (
            _("Các chuyên mục của trang đăng bài; quản trị cổng đặt tên và thứ tự.")
            if self.categories
            else _("Trang này chưa có chuyên mục nào.")
        )
        # The deadlines the author may pick for this kind; the others follow from the kind and
        # its flags (ADR 0005).
        slas = profile.update_slas if profile is not None else []
        self.fields["sla_content_type"].choices = [
            ("", _("Theo loại nội dung và các ô đánh dấu")),
            *[
                (sla.content_type, sla.label)
                for sla in slas
                if (target := sla.target(kind)) is not None and target.chosen
            ],
        ]
        self.fields["sla_content_type"].help_text = _(
            "Để trống: thời hạn theo loại nội dung (hội nghị, sự kiện quan trọng hay thông tin "
            "khẩn cấp: đánh dấu ở trường tương ứng)."
        )
        if len(self.fields["sla_content_type"].choices) == 1:  # nothing to pick for this kind
            del self.fields["sla_content_type"]
        self.kind_fields = kind_fields(kind)
        for field in self.kind_fields:
            self.fields[FIELD_PREFIX + field.name] = _form_field(field)
            if not self.is_bound and isinstance(self.fields[FIELD_PREFIX + field.name], RowsField):
                self._rows_from_typed_input(FIELD_PREFIX + field.name)
        if with_comment:
            self.fields["comment"] = forms.CharField(
                label=_("Ghi chú về lần sửa này"), required=False, max_length=2000
            )

    def _procedure_fields(self, agencies) -> None:
        """A procedure: its name is the title, its extra guidance the body; the news-only
        fields go; on a new portal procedure, the implementing agency is chosen among
        `agencies` (those the author may act for)."""
        self.fields["title"].label = _("Tên thủ tục")
        self.fields["summary"].label = _("Tóm tắt")
        self.fields["body"].label = _("Hướng dẫn thêm")
        for name in ("is_repost", "source_name", "source_url", "featured"):
            del self.fields[name]
        if agencies is None:
            return
        self.agencies = {agency.pk: agency for agency in agencies}
        self.fields["agency"] = forms.TypedChoiceField(
            label=REQUIREMENT_LABELS["agency"],
            # Required: a procedure's implementing agency is not changed after it is created.
            required=True,
            coerce=int,
            empty_value=None,
            choices=[
                ("", _("— Chọn cơ quan —")),
                *[(pk, agency.name) for pk, agency in self.agencies.items()],
            ],
            help_text=_("Cơ quan thực hiện thủ tục; chỉ các cơ quan bạn được làm việc cho."),
            error_messages={"invalid_choice": _("Bạn không làm việc cho cơ quan này.")},
        )
        self.order_fields(["title", "agency"])

    def _rows_from_typed_input(self, name: str) -> None:
        """An unbound form shown again with what was typed (the new-item form's uploads):
        the rows' inputs come back as `<name>-<row>-<column>` keys."""
        typed = self.initial or {}
        if name in typed or not any(key.startswith(name + "-") for key in typed):
            return
        self.initial = {
            **typed,
            name: self.fields[name].widget.value_from_datadict(typed, None, name),
        }

    @classmethod
    def initial_from(cls, revision, item) -> dict:
        initial = {
            "title": revision.title,
            "summary": revision.summary,
            "body": revision.body,
            "source_name": revision.source_name,
            "source_url": revision.source_url,
            "is_repost": bool(revision.source_name),
            "featured": item.featured,
            "category": item.category_id,
            # Only a deadline the author picked is shown as picked (ADR 0005).
            "sla_content_type": item.sla_content_type if _picked(item) else "",
        }
        for field in kind_fields(item.kind):
            value = revision.fields.get(field.name)
            if field.type in ("datetime", "date"):
                value = parse_value(field, value)
            initial[FIELD_PREFIX + field.name] = value
        return initial

    def common_field_names(self) -> list[str]:
        return [name for name in self.fields if not name.startswith(FIELD_PREFIX)]

    def kind_bound_fields(self):
        return [self[FIELD_PREFIX + field.name] for field in self.kind_fields]

    def other_bound_fields(self):
        return [self[name] for name in self.common_field_names()]

    def kind_values(self) -> dict:
        """The kind's fields as the service takes them (blank values left to the defaults)."""
        values = {}
        for field in self.kind_fields:
            value = self.cleaned_data.get(FIELD_PREFIX + field.name)
            if value in (None, "") and field.type != "bool":
                continue
            values[field.name] = _json_ready(value)
        return values

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            "title": data["title"],
            "summary": data["summary"],
            "body": data["body"],
            "fields": self.kind_values(),
            "source_name": data.get("source_name", ""),
            "source_url": data.get("source_url", ""),
            "is_repost": data.get("is_repost", False),
            "featured": data.get("featured", False),
            "category": self.categories.get(data["category"]),
            # "" goes back to the deadline of the kind and its flags.
            "sla_content_type": data.get("sla_content_type", ""),
        }
        if "agency" in self.fields:  # a new portal procedure: its implementing agency
            kwargs["agency"] = self.agencies.get(data.get("agency"))
        return kwargs


class ForwardForm(forms.Form):
    comment = forms.CharField(
        label=_("Ý kiến"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, schedulable: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if schedulable:
            self.fields["publish_at"] = _datetime_field(
                _("Hẹn giờ đăng (để trống để đăng ngay)"), required=False
            )


class RejectForm(forms.Form):
    comment = forms.CharField(
        label=_("Lý do trả lại"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Trả lại phải kèm lý do.")},
    )


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do đính chính"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Hiển thị công khai cùng bài, kèm ngày đính chính."),
        error_messages={"required": _("Hãy nêu lý do đính chính.")},
    )
    text = forms.CharField(
        label=_("Nội dung đính chính"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Hãy nhập nội dung đính chính.")},
    )
    title = forms.CharField(label=_("Tiêu đề sau đính chính"), max_length=MAX_TITLE)
    body = forms.CharField(
        label=_("Nội dung bài sau đính chính"),
        required=False,
        # The same rich-text editor as the item form (editor.js, ADR 0018).
        widget=forms.Textarea(attrs={"rows": 10, "data-rich-text": "body"}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do thu hồi"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Lý do này hiển thị công khai tại địa chỉ của bài."),
        error_messages={"required": _("Thu hồi phải nêu lý do công khai.")},
    )


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do gỡ bài"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp đính kèm"),
        help_text=_("PDF, Word, Excel, PowerPoint, PNG, JPEG hoặc GIF; tối đa 20 MB."),
        error_messages={"required": _("Hãy chọn một tệp.")},
    )


class CommentForm(forms.Form):
    name = forms.CharField(
        label=_("Họ và tên"),
        max_length=200,
        error_messages={"required": _("Hãy nhập họ và tên.")},
    )
    email = forms.EmailField(
        label=_("Thư điện tử (không công khai)"), required=False, max_length=254
    )
    text = forms.CharField(
        label=_("Nội dung góp ý"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Hãy nhập nội dung góp ý.")},
    )
    # The citizen's consent to publish their name and comment (never their e-mail): without it
    # the service stores nothing.
    consent = forms.BooleanField(
        label=_(
            "Tôi đồng ý để họ tên và nội dung góp ý của tôi được công khai trên trang này "
            "(thư điện tử không được công khai)."
        ),
        error_messages={
            "required": _("Hãy đồng ý cho công khai họ tên và nội dung góp ý để gửi góp ý.")
        },
    )


class DelegationForm(forms.Form):
    assignment = forms.TypedChoiceField(label=_("Vai trò uỷ quyền"), coerce=int)
    delegate = forms.TypedChoiceField(label=_("Người được uỷ quyền"), coerce=int)
    starts_at = _datetime_field(_("Từ"), required=True)
    ends_at = _datetime_field(_("Đến"), required=True)
    reason = forms.CharField(
        label=_("Lý do"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, assignments, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].choices = [
            (a.pk, f"{a.role.name} – {a.agency.name}" if a.agency else a.role.name)
            for a in assignments
        ]
        self.fields["delegate"].choices = [
            ("", _("— Chọn người —")),
            *[
                (u.pk, f"{u.full_name} ({u.username})" if u.full_name else u.username)
                for u in candidates
            ],
        ]
