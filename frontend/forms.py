"""Staff sign-in and password forms, and the validators the citizens' search forms share.
Fields are rendered by frontend/includes/field.html."""

from django import forms
from django.utils.translation import gettext_lazy as _

PASSWORD_MAX_LENGTH = 4096


def no_nul(value: str) -> str:
    """A query-string value PostgreSQL can compare: no NUL character (a clear 400, not a 500)."""
    if "\x00" in value:
        raise forms.ValidationError(_("Không được chứa ký tự NUL."), code="null_characters")
    return value


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        error_messages={"required": _("Hãy nhập tên đăng nhập.")},
    )
    password = forms.CharField(
        label=_("Mật khẩu"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        error_messages={"required": _("Hãy nhập mật khẩu.")},
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label=_("Mật khẩu hiện tại"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        error_messages={"required": _("Hãy nhập mật khẩu hiện tại.")},
    )
    new_password1 = forms.CharField(
        label=_("Mật khẩu mới"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        error_messages={"required": _("Hãy nhập mật khẩu mới.")},
    )
    new_password2 = forms.CharField(
        label=_("Nhập lại mật khẩu mới"),
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        error_messages={"required": _("Hãy nhập lại mật khẩu mới.")},
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("Hai lần nhập mật khẩu mới không khớp nhau."))
        return cleaned
