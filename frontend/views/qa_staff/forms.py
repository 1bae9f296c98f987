"""The forms of the actions on one staff Q&A item."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from frontend.views.qa import (
    channel_label,
)

TEXT_MAX = 50_000
REASON_MAX = 2_000
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]


def _text_field(label, required_message=None, *, required: bool = True) -> forms.CharField:
    """A reason, note or comment: a text area bounded to REASON_MAX characters."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=REASON_MAX,
        widget=forms.Textarea,
        error_messages={"required": required_message} if required_message else None,
    )


class ReassignForm(forms.Form):
    agency = forms.TypedChoiceField(
        label=gettext_lazy("Chuyển đến cơ quan"),
        coerce=int,
        error_messages={
            "required": gettext_lazy("Hãy chọn cơ quan."),
            "invalid_choice": gettext_lazy("Hãy chọn một cơ quan trong danh sách."),
        },
    )
    reason = _text_field(
        gettext_lazy("Lý do chuyển"), gettext_lazy("Chuyển cơ quan phải nêu lý do.")
    )

    def __init__(self, *args, agencies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", gettext_lazy("— Chọn cơ quan —"))] + [
            (a.pk, a.name) for a in agencies
        ]


class KindForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Loại (thời hạn trả lời)"),
        error_messages={"invalid_choice": gettext_lazy("Hãy chọn một loại trong danh sách.")},
    )
    reason = _text_field(gettext_lazy("Lý do"), required=False)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds)


class AppointmentForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("Ngày hẹn trả lời"),
        input_formats=DATE_FORMATS,
        error_messages={
            "required": gettext_lazy("Hãy nhập ngày hẹn."),
            "invalid": gettext_lazy("Ngày không hợp lệ (dd/mm/yyyy)."),
        },
    )
    # Thái Nguyên Art. 14(4)(c): a special case "cần phải có thời gian nghiên cứu" — the reason
    # is what makes it one, so it is required (ADR 0011).
    reason = _text_field(
        gettext_lazy("Lý do cần nghiên cứu thêm"), gettext_lazy("Hẹn ngày trả lời phải nêu lý do.")
    )


class ProgressForm(forms.Form):
    new_due = forms.DateField(
        label=gettext_lazy("Ngày trả lời mới"),
        input_formats=DATE_FORMATS,
        error_messages={
            "required": gettext_lazy("Hãy nhập ngày trả lời mới."),
            "invalid": gettext_lazy("Ngày không hợp lệ (dd/mm/yyyy)."),
        },
    )
    text = _text_field(
        gettext_lazy("Nội dung thông báo cho người hỏi"), gettext_lazy("Cần nội dung thông báo.")
    )


class PublishForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Quyết định của Ban biên tập"),
        widget=forms.RadioSelect,
        choices=[
            ("publish", gettext_lazy("Đăng công khai trên Cổng")),
            ("decline", gettext_lazy("Không đăng")),
        ],
        error_messages={"required": gettext_lazy("Hãy chọn đăng hoặc không đăng.")},
    )
    reason = _text_field(gettext_lazy("Lý do (bắt buộc khi không đăng)"), required=False)


class ReturnForm(forms.Form):
    reason = _text_field(gettext_lazy("Lý do trả lại"), gettext_lazy("Trả lại phải nêu lý do."))


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Quyết định"),
        widget=forms.RadioSelect,
        choices=[
            ("accept", gettext_lazy("Tiếp nhận")),
            ("refuse", gettext_lazy("Không tiếp nhận")),
        ],
        error_messages={"required": gettext_lazy("Hãy chọn tiếp nhận hoặc không.")},
    )
    reason = _text_field(gettext_lazy("Lý do (bắt buộc khi không tiếp nhận)"), required=False)


class DraftForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Nội dung trả lời"),
        max_length=TEXT_MAX,
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("Nội dung trả lời không được để trống.")},
    )


def _channel_field():
    return forms.ChoiceField(
        label=gettext_lazy("Kênh trả lời"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Hãy chọn kênh trả lời."),
            "invalid_choice": gettext_lazy("Kênh trả lời này không dùng được cho câu hỏi này."),
        },
    )


def _publish_field():
    return forms.BooleanField(
        label=gettext_lazy(
            "Đăng công khai câu hỏi và trả lời trên Cổng (không kèm thông tin cá nhân)"
        ),
        required=False,
    )


class ChannelForm(forms.Form):
    def __init__(self, *args, channels=(), by_board=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c, channel_label(c)) for c in channels]
        if len(channels) == 1:
            self.fields["channel"].initial = channels[0]
        if by_board:  # qa.answer_publisher = "board" (Hà Giang Art. 9(2); Đồng Nai Art. 8(2)(d))
            self.fields["publish"].label = _(
                "Đề nghị Ban biên tập đăng công khai câu hỏi và trả lời trên Cổng "
                "(không kèm thông tin cá nhân)"
            )


class AnswerForm(ChannelForm):
    text = forms.CharField(
        label=gettext_lazy("Nội dung trả lời"),
        max_length=TEXT_MAX,
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("Nội dung trả lời không được để trống.")},
    )
    channel = _channel_field()
    publish = _publish_field()


class ApproveForm(ChannelForm):
    channel = _channel_field()
    publish = _publish_field()


class ReturnDraftForm(forms.Form):
    comment = _text_field(
        gettext_lazy("Góp ý cho người soạn"), gettext_lazy("Cần góp ý cho người soạn.")
    )


class ResultForm(forms.Form):
    result = forms.CharField(
        label=gettext_lazy("Kết quả giải quyết khiếu nại"),
        max_length=TEXT_MAX,
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("Cần nội dung kết quả.")},
    )
