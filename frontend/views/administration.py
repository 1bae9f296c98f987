"""The province administrator's pages under /staff/quan-tri/: staff accounts and their roles,
the Hỏi – Đáp topics with the agency each one routes to, and the news categories of the portal
and of each component site.

Only the province's administrator — the superuser account created at onboarding (`quantri`) —
opens them; every other account gets 403. Writes go through the accounts, organization and qa
services; a refusal shows the form again with the service's message (400), never a 500.

A one-time secret is rendered once, in the response to the POST that issued it: it is never
kept in clear (not in the session, not in a message, not in a log) and no page shows it again."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import security
from accounts.models import User
from accounts.second_factor import second_factor_state
from accounts.services import (
    AccountError,
    user_issue_secret,
    user_second_factor_reset,
    user_set_active,
)
from core.errors import ServiceError
from core.profiles import current_profile
from editorial.models import Category
from editorial.selectors import category_list
from editorial.services import EditorialError, category_create, category_delete, category_update
from frontend.errors import add_service_error, service_message
from frontend.sections import component_site_menu, portal_menu, site_content
from frontend.templatetags.citations import legal_basis
from integrations import selectors as key_selectors
from integrations.models import ApiKey
from integrations.services import (
    DEFAULT_LIFETIME_DAYS,
    MAX_LIFETIME_DAYS,
    NAME_MAX_LENGTH,
    VIA_PAGE,
    ApiKeyError,
    api_key_create,
    api_key_revoke,
)
from organization.models import Agency, Role, RoleAssignment
from organization.selectors import agency_list, component_site_list
from organization.services import OrganizationError, role_grant, role_unassign, staff_create
from qa.models import Topic
from qa.services import QaError, topic_create, topic_update

USERNAME_RULES = {
    "initials_given": gettext_lazy(
        "chữ cái đầu của họ và tên đệm, rồi tên, viết liền không dấu (Nguyễn Văn An → nvan)"
    ),
    "free": gettext_lazy("họ và tên không dấu, nối bằng dấu chấm (Nguyễn Văn An → nguyen.van.an)"),
}


def administrator_required(view):
    """Signed in, and the province's administrator (its superuser); anyone else: 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return never_cache(login_required(wrapped))


def _message(error: ServiceError) -> str:
    return service_message(error)


def _refuse(form: forms.Form, error: ServiceError, field_map: dict | None = None) -> None:
    """Put a service's refusal on the field it names, or on the form."""
    add_service_error(form, error, field_map=field_map)


def _person(user: User) -> str:
    return f"{user.full_name} ({user.username})" if user.full_name else user.username


# --- reads ------------------------------------------------------------------------------------


def _profile_roles() -> list[Role]:
    """The roles of the profile in force, in its order (those onboarding has created)."""
    codes = [role.code for role in current_profile().governance.roles]
    rows = {role.code: role for role in Role.objects.filter(code__in=codes)}
    return [rows[code] for code in codes if code in rows]


def _staff_accounts(query: str):
    users = User.objects.prefetch_related(
        Prefetch(
            "role_assignments",
            queryset=RoleAssignment.objects.select_related("role", "agency").order_by(
                "role__code", "agency__name"
            ),
        )
    ).order_by("-is_superuser", "username")
    if query:
        users = users.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    return users


def _account_get(pk: int) -> User:
    user = _staff_accounts("").filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


def _assignment_rows(user: User) -> list[dict]:
    return [
        {
            "pk": assignment.pk,
            "role": assignment.role.name,
            "code": assignment.role.code,
            "scope": assignment.role.get_scope_display(),
            "agency": assignment.agency.name if assignment.agency_id else None,
        }
        for assignment in user.role_assignments.all()
    ]


# --- forms ------------------------------------------------------------------------------------


def _agency_choices(agencies, *, empty) -> list[tuple]:
    return [("", empty), *[(agency.pk, agency.name) for agency in agencies]]


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label=gettext_lazy("Vai trò"),
        error_messages={"required": gettext_lazy("Hãy chọn vai trò.")},
    )
    agency = forms.TypedChoiceField(
        label=gettext_lazy("Cơ quan"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=gettext_lazy(
            "Bắt buộc với vai trò thuộc một cơ quan; để trống với vai trò cấp Cổng tỉnh."
        ),
    )

    def __init__(self, *args, roles, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            ("", _("— Chọn vai trò —")),
            *[(role.code, f"{role.name} – {role.get_scope_display()}") for role in roles],
        ]
        portal_roles = any(role.scope == Role.Scope.PORTAL for role in roles)
        self.fields["agency"].choices = _agency_choices(
            agencies,
            empty=_("— Không (vai trò cấp Cổng tỉnh) —") if portal_roles else _("— Chọn cơ quan —"),
        )


class StaffForm(RoleForm):
    full_name = forms.CharField(
        label=gettext_lazy("Họ và tên"),
        max_length=200,
        error_messages={"required": gettext_lazy("Hãy nhập họ và tên.")},
    )
    email = forms.EmailField(
        label=gettext_lazy("Thư điện tử"),
        required=False,
        max_length=254,
        error_messages={"invalid": gettext_lazy("Địa chỉ thư điện tử không hợp lệ.")},
    )
    username = forms.CharField(label=gettext_lazy("Tên đăng nhập"), required=False, max_length=150)

    field_order = ["full_name", "email", "username", "role", "agency"]

    def __init__(self, *args, rule: str, rule_source: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].help_text = _(
            "Để trống để đặt theo quy chế của tỉnh: %(rule)s%(source)s."
        ) % {"rule": USERNAME_RULES.get(rule, rule), "source": legal_basis(rule_source)}


class TopicForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Tên lĩnh vực"),
        max_length=200,
        error_messages={"required": gettext_lazy("Hãy nhập tên lĩnh vực.")},
    )
    agency = forms.TypedChoiceField(
        label=gettext_lazy("Cơ quan trả lời"),
        coerce=int,
        error_messages={"required": gettext_lazy("Hãy chọn cơ quan trả lời.")},
    )
    position = forms.IntegerField(
        label=gettext_lazy("Thứ tự hiển thị"),
        min_value=0,
        max_value=100_000,
        required=False,
        help_text=gettext_lazy("Số nhỏ đứng trước; để trống để xếp cuối danh sách."),
        error_messages={"min_value": gettext_lazy("Thứ tự phải là số không âm.")},
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = _agency_choices(agencies, empty=_("— Chọn cơ quan —"))


class TopicEditForm(TopicForm):
    is_active = forms.BooleanField(
        label=gettext_lazy("Đang sử dụng (hiện trong mẫu gửi câu hỏi)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = True
        self.fields["position"].help_text = gettext_lazy("Số nhỏ đứng trước.")
        self.fields["position"].error_messages["required"] = gettext_lazy(
            "Hãy nhập thứ tự hiển thị."
        )


PORTAL = "portal"  # the value of the site choice that means the provincial portal


class CategoryForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Tên chuyên mục"),
        max_length=200,
        error_messages={"required": gettext_lazy("Hãy nhập tên chuyên mục.")},
    )
    position = forms.IntegerField(
        label=gettext_lazy("Thứ tự hiển thị"),
        min_value=0,
        max_value=100_000,
        required=False,
        help_text=gettext_lazy("Số nhỏ đứng trước; để trống để xếp cuối danh sách."),
        error_messages={"min_value": gettext_lazy("Thứ tự phải là số không âm.")},
    )


class CategoryNewForm(CategoryForm):
    site = forms.ChoiceField(
        label=gettext_lazy("Trang"),
        error_messages={"required": gettext_lazy("Hãy chọn trang của chuyên mục.")},
    )

    field_order = ["site", "name", "position"]

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].choices = [
            (PORTAL, _("Cổng tỉnh")),
            *[(str(site.pk), site.agency.name) for site in sites],
        ]


class CategoryEditForm(CategoryForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = True
        self.fields["position"].help_text = gettext_lazy("Số nhỏ đứng trước.")
        self.fields["position"].error_messages["required"] = gettext_lazy(
            "Hãy nhập thứ tự hiển thị."
        )


# --- overview ---------------------------------------------------------------------------------


@administrator_required
def home(request):
    # distinct: the join on role assignments repeats a user once per role.
    accounts = User.objects.aggregate(
        total=Count("pk", distinct=True),
        active=Count("pk", distinct=True, filter=Q(is_active=True)),
        must_change=Count("pk", distinct=True, filter=Q(is_active=True, must_change_password=True)),
        without_role=Count(
            "pk",
            distinct=True,
            filter=Q(is_active=True, is_superuser=False, role_assignments__isnull=True),
        ),
    )
    topics = Topic.objects.aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(is_active=True))
    )
    profile = current_profile()
    statuses = [key_selectors.api_key_status(key) for key in key_selectors.api_key_list()]
    return render(
        request,
        "frontend/administration/home.html",
        {
            "accounts": accounts,
            "topics": topics,
            "api_keys": {
                "usable": statuses.count(key_selectors.ACTIVE),
                # kept for the record, but refused: revoked ones are not counted
                "refused": sum(
                    status not in (key_selectors.ACTIVE, key_selectors.REVOKED)
                    for status in statuses
                ),
            },
            "rule": USERNAME_RULES.get(profile.accounts.username_rule),
            "rule_source": profile.accounts.source,
            "roles": [
                {"name": role.name, "scope": Role.Scope(role.scope).label, "source": role.source}
                for role in profile.governance.roles
            ],
        },
    )


# What each audited action is called on the page (the stored code is never shown).
AUDIT_ACTIONS = {
    "staff_created": gettext_lazy("Tạo tài khoản"),
    "user_activated": gettext_lazy("Mở khoá tài khoản"),
    "user_deactivated": gettext_lazy("Khoá tài khoản"),
    "user_secret_issued": gettext_lazy("Cấp lại mật khẩu dùng một lần"),
    "role_granted": gettext_lazy("Giao vai trò"),
    "role_removed": gettext_lazy("Gỡ vai trò"),
    "topic_created": gettext_lazy("Thêm lĩnh vực Hỏi – Đáp"),
    "topic_updated": gettext_lazy("Sửa lĩnh vực Hỏi – Đáp"),
    "category_created": gettext_lazy("Thêm chuyên mục"),
    "category_updated": gettext_lazy("Sửa chuyên mục"),
    "category_deleted": gettext_lazy("Xoá chuyên mục"),
    "contacts_updated": gettext_lazy("Sửa thông tin liên hệ của cơ quan"),
    "leader_added": gettext_lazy("Thêm lãnh đạo cơ quan"),
    "leader_updated": gettext_lazy("Sửa thông tin lãnh đạo cơ quan"),
    "leader_removed": gettext_lazy("Gỡ lãnh đạo khỏi danh sách liên hệ"),
    "api_key_issued": gettext_lazy("Cấp khoá API"),
    "api_key_revoked": gettext_lazy("Thu hồi khoá API"),
    "compliance_refreshed": gettext_lazy("Cập nhật số liệu tuân thủ của một tỉnh"),
    # The portal's costs (reports.budget): a correction is a cost line too.
    "cost_recorded": gettext_lazy("Ghi khoản chi kinh phí của cổng"),
    # Reports of the profile's `reporting` entries (reports.services).
    "report_drafted": gettext_lazy("Dự thảo báo cáo"),
    "report_redrafted": gettext_lazy("Cập nhật lại số liệu của báo cáo dự thảo"),
    "report_signed_off": gettext_lazy("Ký duyệt báo cáo"),
    # The royalty ledger (royalties.services, ADR 0029).
    "royalty_assigned": gettext_lazy("Chấm nhuận bút một bài"),
    "royalty_corrected": gettext_lazy("Điều chỉnh nhuận bút một bài"),
    "royalty_month_signed_off": gettext_lazy("Ký duyệt, khoá sổ nhuận bút tháng"),
    # Sign-ins and second factor (issue 13): accounts.security records them.
    "sign_in": gettext_lazy("Đăng nhập"),
    "sign_in_failed": gettext_lazy("Đăng nhập không thành công"),
    "sign_in_blocked": gettext_lazy("Tạm chặn đăng nhập do sai nhiều lần"),
    "sign_out": gettext_lazy("Đăng xuất"),
    "session_expired": gettext_lazy("Phiên làm việc hết hạn"),
    "password_changed": gettext_lazy("Đổi mật khẩu"),
    "otp_enrolled": gettext_lazy("Bật xác thực hai lớp"),
    "otp_failed": gettext_lazy("Nhập sai mã xác thực hai lớp"),
    "otp_recovery_used": gettext_lazy("Đăng nhập bằng mã khôi phục"),
    "otp_recovery_renewed": gettext_lazy("Tạo lại mã khôi phục"),
    "otp_reset": gettext_lazy("Đặt lại xác thực hai lớp cho tài khoản"),
    # The profile store's review by two operators (tenants.profile_versions, ADR 0031).
    "profile_submitted": gettext_lazy("Gửi phiên bản hồ sơ quy chế để duyệt"),
    "profile_approved": gettext_lazy("Duyệt phiên bản hồ sơ quy chế"),
    "profile_rejected": gettext_lazy("Từ chối hoặc rút phiên bản hồ sơ quy chế"),
    # A shipped file loaded into the store as an approved version (tenants.profile_store).
    "profile_seeded": gettext_lazy("Nạp hồ sơ quy chế kèm theo nền tảng"),
}
# The words for the details an API key's audit row keeps.
KEY_VIA = {
    "page": gettext_lazy("trang quản trị"),
    "api": gettext_lazy("giao diện lập trình (API)"),
    "command": gettext_lazy("dòng lệnh máy chủ"),
}


# The words for the details of a sign-in, session or second-factor row (the address has its
# own column).
SESSION_END_REASONS = {
    "absolute": gettext_lazy("quá 12 giờ kể từ khi đăng nhập"),
    "idle": gettext_lazy("quá 30 phút không thao tác"),
}
BLOCKED_BY = {
    "account": gettext_lazy("tài khoản bị nhập sai mật khẩu nhiều lần"),
    "address": gettext_lazy("địa chỉ truy cập nhập sai mật khẩu nhiều lần"),
}
OTP_FAILURE_REASONS = {
    "wrong_code": gettext_lazy("mã không đúng"),
    "throttled": gettext_lazy("đang phải chờ sau nhiều lần nhập sai"),
}
OTP_STEPS = {
    "sign_in": gettext_lazy("khi đăng nhập"),
    "enrol": gettext_lazy("khi đăng ký ứng dụng xác thực"),
    "renewal": gettext_lazy("khi tạo lại mã khôi phục"),
}


def _security_details(entry, data: dict) -> list[str]:
    """The details of a sign-in, session or second-factor row in words; what has no words
    here is left out rather than shown as a code."""
    parts: list[str] = []
    action = entry.action
    if action == "sign_in_failed" and data.get("known_account") is False:
        parts.append(_("tên đăng nhập không tồn tại"))
    if action == "sign_in_blocked":
        if data.get("blocked_by") in BLOCKED_BY:
            parts.append(_("lý do: %(why)s") % {"why": BLOCKED_BY[data["blocked_by"]]})
        if isinstance(data.get("minutes"), int):
            minutes = data["minutes"]
            parts.append(
                ngettext("chặn %(minutes)d phút", "chặn %(minutes)d phút", minutes)
                % {"minutes": minutes}
            )
    if action == "session_expired" and data.get("reason") in SESSION_END_REASONS:
        parts.append(str(SESSION_END_REASONS[data["reason"]]))
    if action.startswith("otp_"):
        if data.get("step") in OTP_STEPS:
            parts.append(str(OTP_STEPS[data["step"]]))
        if data.get("reason") in OTP_FAILURE_REASONS:
            parts.append(str(OTP_FAILURE_REASONS[data["reason"]]))
        if isinstance(data.get("recovery_codes_left"), int):
            left = data["recovery_codes_left"]
            parts.append(
                ngettext("còn %(count)d mã khôi phục", "còn %(count)d mã khôi phục", left)
                % {"count": left}
            )
    if data.get("user_agent"):
        parts.append(_("trình duyệt: %(agent)s") % {"agent": data["user_agent"]})
    return parts


def _is_security(action: str) -> bool:
    return action in security.SECURITY_ACTIONS or action.startswith(security.SECURITY_PREFIXES)


def _audit_details(entry) -> str:
    data = dict(entry.data or {})
    parts = []
    if data.get("via") in KEY_VIA:
        parts.append(_("qua %(via)s") % {"via": KEY_VIA[data.pop("via")]})
    if _is_security(entry.action):
        return "; ".join([*parts, *_security_details(entry, data)])
    if not entry.action.startswith("api_key_"):
        return "; ".join([*parts, *(f"{key}: {value}" for key, value in data.items())])
    if data.get("scopes"):
        parts.append(_("quyền: %(scopes)s") % {"scopes": _scope_words(data["scopes"])})
    if data.get("expires_at"):
        parts.append(_("hết hạn: %(date)s") % {"date": _iso_date_words(data["expires_at"])})
    return "; ".join(parts)


def _iso_date_words(value: str) -> str:
    year, _sep, rest = value.partition("-")
    month, _sep, day = rest.partition("-")
    return f"{day}/{month}/{year}" if day else value


def audit_rows(entries) -> list[dict]:
    """Audit rows as the pages show them (the province's log, the operator console's)."""
    return [
        {
            "created_at": entry.created_at,
            "actor_name": entry.actor_name,
            # "topic_updated name,agency": the code, then the fields changed
            "action": AUDIT_ACTIONS.get(entry.action.split(" ")[0], entry.action),
            "target": entry.target,
            "details": _audit_details(entry),
            # the client's address of a security row (sign-ins, second factor, sessions)
            "address": (entry.data or {}).get("address") or "",
        }
        for entry in entries
    ]


# The kinds of the audit as the pages filter them: the query value, the kind(s), the words.
AUDIT_PAGE_SIZE = 50
AUDIT_FILTERS = {
    "": ((*security.AUDIT_KINDS, security.OTHER), gettext_lazy("Tất cả")),
    "bao-mat": (("security",), gettext_lazy("Đăng nhập và bảo mật")),
    "tai-khoan": (("accounts",), gettext_lazy("Tài khoản và vai trò")),
    "khoa-api": (("api_keys",), gettext_lazy("Khoá API")),
    "khac": ((security.OTHER,), gettext_lazy("Nội dung và cấu hình")),
}


def audit_page(request, filters: dict, *, default: str = "") -> tuple[dict, int]:
    """One page of the active schema's audit as `filters` (a subset of AUDIT_FILTERS) and the
    query (`loai`, `trang`) ask: the context of frontend/includes/audit_page.html and the
    status. An unknown kind is a 400 with the choices shown; a page number that is not one
    gives the first page, one past the end the last."""
    from django.core.paginator import Paginator
    from django.utils.http import urlencode

    chosen = request.GET.get("loai", default)[:20]
    status = 200
    error = ""
    if chosen not in filters:
        chosen, status = default, 400
        error = _("Loại nhật ký không hợp lệ: hãy chọn một loại trong danh sách.")
    kinds, _label = filters[chosen]
    paginator = Paginator(security.audit_entries_of(kinds), AUDIT_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("trang", "1")[:9])
    return (
        {
            "entries": audit_rows(page.object_list),
            "page": page,
            "kind": chosen,
            "kinds": [
                {"value": value, "label": label, "current": value == chosen}
                for value, (_kinds, label) in filters.items()
            ],
            "filter_error": error,
            "query": urlencode({"loai": chosen}) if chosen else "",
        },
        status,
    )


@administrator_required
def audit_log(request):
    """Who signed in, failed or was held, changed a password or a second factor, and who
    changed accounts, roles, topics, categories and API keys, and when; by kind, by pages."""
    context, status = audit_page(request, AUDIT_FILTERS)
    return render(request, "frontend/administration/audit.html", context, status=status)


# --- staff accounts ---------------------------------------------------------------------------


@administrator_required
def users(request):
    query = request.GET.get("q", "").strip()[:100]
    rows = [
        {
            "pk": user.pk,
            "username": user.username,
            "full_name": user.full_name,
            "is_superuser": user.is_superuser,
            "is_active": user.is_active,
            "must_change": user.must_change_password,
            "assignments": _assignment_rows(user),
            "is_self": user.pk == request.user.pk,
        }
        for user in _staff_accounts(query)
    ]
    return render(request, "frontend/administration/users.html", {"rows": rows, "query": query})


def _staff_form(data=None) -> StaffForm:
    profile = current_profile()
    return StaffForm(
        data,
        roles=_profile_roles(),
        agencies=agency_list(),
        rule=profile.accounts.username_rule,
        rule_source=profile.accounts.source,
    )


def _secret_page(request, issued, *, created: bool):
    # Rendered in the response to the POST that issued it; never_cache keeps it out of caches.
    return render(
        request,
        "frontend/administration/secret.html",
        {
            "account": issued.user,
            "person": _person(issued.user),
            "secret": issued.one_time_secret,
            "created": created,
        },
    )


@sensitive_variables()  # the one-time secret, in every frame below
@administrator_required
@require_http_methods(["GET", "POST"])
def user_new(request):
    if request.method != "POST":
        return render(request, "frontend/administration/user_new.html", {"form": _staff_form()})
    form = _staff_form(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        agency = Agency.objects.filter(pk=data["agency"]).first() if data["agency"] else None
        try:
            issued = staff_create(
                actor=request.user,
                full_name=data["full_name"],
                email=data["email"],
                username=data["username"],
                username_rule=current_profile().accounts.username_rule,
                role_code=data["role"],
                agency=agency,
            )
        except (AccountError, OrganizationError) as error:
            _refuse(form, error)
        else:
            return _secret_page(request, issued, created=True)
    return render(request, "frontend/administration/user_new.html", {"form": form}, status=400)


def _user_page(request, account: User, *, role_form=None, error: str | None = None, status=200):
    if role_form is None:
        role_form = RoleForm(roles=_profile_roles(), agencies=agency_list())
    return render(
        request,
        "frontend/administration/user.html",
        {
            "account": account,
            "person": _person(account),
            "assignments": _assignment_rows(account),
            "is_self": account.pk == request.user.pk,
            "second_factor": second_factor_state(account),
            "form": role_form,
            "action_error": error,
        },
        status=status,
    )


@administrator_required
def user_detail(request, pk: int):
    return _user_page(request, _account_get(pk))


@sensitive_variables()  # the one-time secret, in every frame below
@administrator_required
@require_POST
def user_reset(request, pk: int):
    account = _account_get(pk)
    try:
        issued = user_issue_secret(user=account, actor=request.user)
    except AccountError as error:
        return _user_page(request, account, error=_message(error), status=400)
    return _secret_page(request, issued, created=False)


@administrator_required
@require_POST
def user_second_factor_reset_view(request, pk: int):
    """The administrator's "Đặt lại xác thực hai lớp": the account's authenticator and
    recovery codes are removed; it enrols again at its next sign-in (ADR 0022). Audited
    `otp_reset`."""
    from config.client import client_address

    account = _account_get(pk)
    if request.POST.get("confirm") != "1":
        return _user_page(
            request,
            account,
            error=_("Hãy đánh dấu ô xác nhận trước khi đặt lại xác thực hai lớp."),
            status=400,
        )
    try:
        address = client_address(request)
        user_second_factor_reset(user=account, actor=request.user, address=address)
    except AccountError as error:
        return _user_page(request, account, error=_message(error), status=400)
    messages.success(
        request,
        _(
            "Đã đặt lại xác thực hai lớp của %(name)s: người dùng sẽ đăng ký lại ứng dụng xác "
            "thực ở lần đăng nhập tới."
        )
        % {"name": account.username},
    )
    return redirect("frontend:staff_admin_user", pk=account.pk)


@administrator_required
@require_POST
def user_active(request, pk: int):
    account = _account_get(pk)
    active = request.POST.get("active") == "1"
    try:
        user_set_active(user=account, active=active, actor=request.user)
    except AccountError as error:
        return _user_page(request, account, error=_message(error), status=400)
    if active:
        messages.success(request, _("Đã mở khoá tài khoản %(name)s.") % {"name": account.username})
    else:
        messages.success(request, _("Đã khoá tài khoản %(name)s.") % {"name": account.username})
    return redirect("frontend:staff_admin_user", pk=account.pk)


@administrator_required
@require_POST
def user_role_add(request, pk: int):
    account = _account_get(pk)
    form = RoleForm(request.POST, roles=_profile_roles(), agencies=agency_list())
    if form.is_valid():
        agency_pk = form.cleaned_data["agency"]
        agency = Agency.objects.filter(pk=agency_pk).first() if agency_pk else None
        try:
            role_grant(
                user=account, role_code=form.cleaned_data["role"], agency=agency, actor=request.user
            )
        except OrganizationError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("Đã giao vai trò."))
            return redirect("frontend:staff_admin_user", pk=account.pk)
    return _user_page(request, account, role_form=form, status=400)


@administrator_required
@require_POST
def user_role_remove(request, pk: int, assignment_pk: int):
    account = _account_get(pk)
    assignment = RoleAssignment.objects.filter(pk=assignment_pk, user=account).first()
    if assignment is None:
        raise Http404
    try:
        role_unassign(assignment=assignment, actor=request.user)
    except OrganizationError as error:
        return _user_page(request, account, error=_message(error), status=400)
    messages.success(request, _("Đã gỡ vai trò."))
    return redirect("frontend:staff_admin_user", pk=account.pk)


# --- Hỏi – Đáp topics -------------------------------------------------------------------------


def _topics_page(request, *, form=None, error: str | None = None, status: int = 200):
    agencies = agency_list()
    if form is None:
        form = TopicForm(agencies=agencies)
    topics = Topic.objects.select_related("agency").order_by("position", "name")
    return render(
        request,
        "frontend/administration/topics.html",
        {"topics": topics, "form": form, "action_error": error},
        status=status,
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def topics(request):
    if request.method != "POST":
        return _topics_page(request)
    form = TopicForm(request.POST, agencies=agency_list())
    if form.is_valid():
        data = form.cleaned_data
        try:
            topic = topic_create(
                name=data["name"],
                agency=Agency.objects.get(pk=data["agency"]),
                position=data["position"],
                actor=request.user,
            )
        except QaError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("Đã thêm lĩnh vực %(name)s.") % {"name": topic.name})
            return redirect("frontend:staff_admin_topics")
    return _topics_page(request, form=form, status=400)


def _topic_get(pk: int) -> Topic:
    topic = Topic.objects.select_related("agency").filter(pk=pk).first()
    if topic is None:
        raise Http404
    return topic


def _topic_agencies(topic: Topic) -> list[Agency]:
    # The topic's agency stays selectable even if it has since stopped.
    agencies = list(agency_list())
    if all(agency.pk != topic.agency_id for agency in agencies):
        agencies.append(topic.agency)
    return agencies


@administrator_required
@require_http_methods(["GET", "POST"])
def topic_edit(request, pk: int):
    topic = _topic_get(pk)
    agencies = _topic_agencies(topic)
    if request.method != "POST":
        form = TopicEditForm(
            agencies=agencies,
            initial={
                "name": topic.name,
                "agency": topic.agency_id,
                "position": topic.position,
                "is_active": topic.is_active,
            },
        )
        return render(request, "frontend/administration/topic.html", {"topic": topic, "form": form})
    form = TopicEditForm(request.POST, agencies=agencies)
    if form.is_valid():
        data = form.cleaned_data
        try:
            topic_update(
                topic=topic,
                name=data["name"],
                agency=next(agency for agency in agencies if agency.pk == data["agency"]),
                is_active=data["is_active"],
                position=data["position"],
                actor=request.user,
            )
        except QaError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("Đã lưu lĩnh vực %(name)s.") % {"name": data["name"]})
            return redirect("frontend:staff_admin_topics")
    return render(
        request, "frontend/administration/topic.html", {"topic": topic, "form": form}, status=400
    )


@administrator_required
@require_POST
def topic_active(request, pk: int):
    topic = _topic_get(pk)
    active = request.POST.get("active") == "1"
    try:
        topic_update(topic=topic, is_active=active, actor=request.user)
    except QaError as error:
        return _topics_page(request, error=_message(error), status=400)
    if active:
        messages.success(request, _("Đã mở lại lĩnh vực %(name)s.") % {"name": topic.name})
    else:
        messages.success(request, _("Đã ngừng lĩnh vực %(name)s.") % {"name": topic.name})
    return redirect("frontend:staff_admin_topics")


# --- news categories --------------------------------------------------------------------------


def _category_groups(sites) -> list[dict]:
    """The portal's categories, then each component site's, from one query."""
    by_site: dict = {}
    for category in category_list():
        by_site.setdefault(category.site_id, []).append(category)
    groups = [{"key": PORTAL, "name": _("Cổng tỉnh"), "categories": by_site.get(None, [])}]
    groups += [
        {"key": str(site.pk), "name": site.agency.name, "categories": by_site.get(site.pk, [])}
        for site in sites
    ]
    return groups


def _categories_page(request, *, sites, form=None, error: str | None = None, status=200):
    if form is None:
        chosen = request.GET.get("trang", PORTAL)
        form = CategoryNewForm(sites=sites, initial={"site": chosen})
    return render(
        request,
        "frontend/administration/categories.html",
        {"groups": _category_groups(sites), "form": form, "action_error": error},
        status=status,
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def categories(request):
    sites = list(component_site_list())
    if request.method != "POST":
        return _categories_page(request, sites=sites)
    form = CategoryNewForm(request.POST, sites=sites)
    if form.is_valid():
        data = form.cleaned_data
        site = next((s for s in sites if str(s.pk) == data["site"]), None)
        try:
            category = category_create(
                name=data["name"],
                site=site,
                position=data["position"],
                actor=request.user,
                existing_ok=False,
            )
        except EditorialError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("Đã thêm chuyên mục %(name)s.") % {"name": category.name})
            return redirect("frontend:staff_admin_categories")
    return _categories_page(request, sites=sites, form=form, status=400)


def _category_get(pk: int) -> Category:
    category = category_list().select_related("site__agency").filter(pk=pk).first()
    if category is None:
        raise Http404
    return category


def _category_site_name(category: Category) -> str:
    return category.site.agency.name if category.site_id else _("Cổng tỉnh")


def _category_page(request, category: Category, form, *, error=None, status=200):
    return render(
        request,
        "frontend/administration/category.html",
        {
            "category": category,
            "site_name": _category_site_name(category),
            "form": form,
            "action_error": error,
        },
        status=status,
    )


@administrator_required
@require_http_methods(["GET", "POST"])
def category_edit(request, pk: int):
    category = _category_get(pk)
    if request.method != "POST":
        form = CategoryEditForm(initial={"name": category.name, "position": category.position})
        return _category_page(request, category, form)
    form = CategoryEditForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            category_update(
                category=category,
                name=data["name"],
                position=data["position"],
                actor=request.user,
            )
        except EditorialError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("Đã lưu chuyên mục %(name)s.") % {"name": data["name"]})
            return redirect("frontend:staff_admin_categories")
    return _category_page(request, category, form, status=400)


@administrator_required
@require_POST
def category_remove(request, pk: int):
    category = _category_get(pk)
    try:
        category_delete(category=category, actor=request.user)
    except EditorialError as error:
        form = CategoryEditForm(initial={"name": category.name, "position": category.position})
        return _category_page(request, category, form, error=_message(error), status=400)
    messages.success(request, _("Đã xoá chuyên mục %(name)s.") % {"name": category.name})
    return redirect("frontend:staff_admin_categories")


# --- API keys (ADR 0013) ----------------------------------------------------------------------

SCOPE_WORDS = {
    ApiKey.Scope.READ: gettext_lazy("Đọc"),
    ApiKey.Scope.WRITE: gettext_lazy("Ghi"),
    ApiKey.Scope.CATALOGUE: gettext_lazy("Ghi danh mục thủ tục hành chính"),
}
KEY_STATUS = {
    key_selectors.ACTIVE: gettext_lazy("Đang dùng được"),
    key_selectors.REVOKED: pgettext_lazy("api key", "Đã thu hồi"),
    key_selectors.EXPIRED: gettext_lazy("Đã hết hạn"),
    key_selectors.ACCOUNT_LOCKED: gettext_lazy("Không dùng được: tài khoản đang bị khoá"),
    key_selectors.SECRET_REISSUED: gettext_lazy(
        "Không dùng được: mật khẩu của tài khoản đã được cấp lại sau khi cấp khoá — "
        "hãy cấp khoá mới"
    ),
    key_selectors.PASSWORD_CHANGE_REQUIRED: gettext_lazy(
        "Tạm dừng: tài khoản chưa đổi mật khẩu dùng một lần"
    ),
}


def _scope_words(scopes) -> str:
    words = [str(SCOPE_WORDS.get(scope, scope)) for scope in scopes]
    return ", ".join(word if i == 0 else word.lower() for i, word in enumerate(words))


class ApiKeyForm(forms.Form):
    user = forms.TypedChoiceField(
        label=gettext_lazy("Tài khoản dùng khoá"),
        coerce=int,
        help_text=gettext_lazy(
            "Khoá làm được đúng những việc tài khoản này làm được, và ngừng hoạt động khi tài "
            "khoản bị khoá hoặc được cấp lại mật khẩu."
        ),
        error_messages={
            "required": gettext_lazy("Hãy chọn tài khoản."),
            "invalid_choice": gettext_lazy("Hãy chọn một tài khoản đang hoạt động của cổng."),
        },
    )
    name = forms.CharField(
        label=gettext_lazy("Tên gọi"),
        max_length=NAME_MAX_LENGTH,
        required=False,
        help_text=gettext_lazy("Hệ thống nào dùng khoá, ví dụ: Hệ thống một cửa điện tử."),
        error_messages={"max_length": gettext_lazy("Tên gọi dài tối đa 120 ký tự.")},
    )
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Quyền"),
        choices=list(SCOPE_WORDS.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": gettext_lazy("Hãy chọn ít nhất một quyền."),
            "invalid_choice": gettext_lazy(
                "Chỉ chọn quyền Đọc, Ghi hoặc Ghi danh mục thủ tục hành chính."
            ),
        },
    )
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Hiệu lực (số ngày)"),
        min_value=1,
        max_value=MAX_LIFETIME_DAYS,
        initial=DEFAULT_LIFETIME_DAYS,
        help_text=gettext_lazy("Mặc định 365 ngày (một năm); tối đa 1095 ngày."),
        error_messages={
            "required": gettext_lazy("Hãy nhập số ngày hiệu lực."),
            "invalid": gettext_lazy("Số ngày hiệu lực phải là một số nguyên."),
            "min_value": gettext_lazy("Khoá phải có hiệu lực ít nhất 1 ngày."),
            "max_value": gettext_lazy("Khoá có hiệu lực tối đa 1095 ngày."),
        },
    )

    field_order = ["user", "name", "scopes", "expires_in_days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = User.objects.filter(is_active=True).order_by("username")
        self.fields["user"].choices = [
            ("", _("— Chọn tài khoản —")),
            *[(user.pk, _person(user)) for user in accounts],
        ]


def _key_rows(keys) -> list[dict]:
    from django.utils import timezone

    now = timezone.now()
    rows = []
    for key in keys:
        status = key_selectors.api_key_status(key, now=now)
        rows.append(
            {
                "pk": key.pk,
                "name": key.name,
                "prefix": key.prefix,
                "person": _person(key.user),
                "scopes": _scope_words(key.scopes),
                "created_at": key.created_at,
                "created_by": key.created_by.username if key.created_by_id else None,
                "last_used_at": key.last_used_at,
                "expires_at": key.expires_at,
                "status": KEY_STATUS[status],
                "usable": status == key_selectors.ACTIVE,
                "revocable": key.revoked_at is None,
            }
        )
    return rows


def _keys_page(request, *, form=None, status: int = 200):
    return render(
        request,
        "frontend/administration/api_keys.html",
        {
            "rows": _key_rows(key_selectors.api_key_list()),
            "form": form or ApiKeyForm(),
            "issued": None,
        },
        status=status,
    )


@sensitive_variables()  # the key, in every frame below
@administrator_required
@require_http_methods(["GET", "POST"])
def api_keys(request):
    """Every key of the province with its status; issue one (shown once, in this response)."""
    if request.method != "POST":
        return _keys_page(request)
    form = ApiKeyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        user = User.objects.filter(pk=data["user"], is_active=True).first()
        if user is None:
            form.add_error("user", _("Hãy chọn một tài khoản đang hoạt động của cổng."))
        else:
            try:
                issued = api_key_create(
                    user=user,
                    name=data["name"],
                    scopes=data["scopes"],
                    expires_in_days=data["expires_in_days"],
                    actor=request.user,
                    via=VIA_PAGE,
                )
            except ApiKeyError as error:
                _refuse(form, error)
            else:
                return render(
                    request,
                    "frontend/administration/api_key_issued.html",
                    {
                        "key": issued.key,
                        "row": _key_rows([issued.api_key])[0],
                    },
                )
    return _keys_page(request, form=form, status=400)


@administrator_required
@require_POST
def api_key_revoke_view(request, pk: int):
    api_key = key_selectors.api_key_list().filter(pk=pk).first()
    if api_key is None:
        raise Http404
    try:
        api_key_revoke(api_key=api_key, actor=request.user, via=VIA_PAGE)
    except ApiKeyError as error:
        messages.error(request, _message(error))
    else:
        messages.success(
            request,
            _("Đã thu hồi khoá %(name)s của %(person)s: khoá không dùng được nữa.")
            % {"name": api_key.name, "person": _person(api_key.user)},
        )
    return redirect("frontend:staff_admin_api_keys")


# --- menus and footer (read-only: the profile says them) ---------------------------------------


@administrator_required
@require_GET
def site_details(request):
    """What citizens read in each site's menu and in the portal's footer. Both come from the
    province's profile (its sections, the managing body, the links) and from the categories
    with published items: this page shows them and says who changes what."""
    sites = list(component_site_list())
    menus = [
        {"name": _("Cổng tỉnh"), "entries": portal_menu(current_profile(), site_content(request))}
    ]
    menus += [
        {
            "name": site.agency.name,
            "entries": component_site_menu(site, site_content(request, site)),
        }
        for site in sites
    ]
    return render(request, "frontend/administration/site_details.html", {"menus": menus})
