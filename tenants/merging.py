"""Merging one province into another (issue 16, the 2025 reform; ADR 0032).

A merge is a `MergeJob`: a dry run (`merge_plan`) that computes and stores everything the
operator must see first, the operator's answers to what only a person can decide
(`merge_resolve`), and a run (`merge_run`) of stages, each one transaction, resumable after a
failure. The source province is frozen (read as before, every change refused) while its rows
are copied, and unfrozen when the run ends or fails.

How rows move: every table of a province's schema has a policy here (`POLICIES`; a test fails
when a table has none). A copied table is moved set-based, in SQL: new ids are drawn from the
target table's sequence into `MergeRow` (old id → new id, per job and table), then the rows are
inserted with every reference rewritten through those maps. Django's foreign keys are
DEFERRABLE INITIALLY DEFERRED, so a stage inserts in any order and the database checks every
reference at its commit. A matched table (roles, content types) is not copied: its rows are
mapped to the target's rows with the same natural key.

What citizens and staff of the target could see before the cutover is held back: moved agencies,
sites, topics and accounts are inactive, moved items unpublished, moved questions not public,
moved ledgers open; the cutover (one transaction) gives each row its source value back, attaches
the source's hosts to the target with redirects, and marks the source merged. A failure before
the cutover leaves both provinces serving as they were; a rerun resumes at the failed stage, or
starts the copy again when the source changed while it was unfrozen.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context
from psycopg import sql

from backups.models import Verification
from backups.services import BackupError, backup_create, backup_verify, cache_forget_schema
from config.hosts import DEV_SUFFIX
from config.storage import media_storage_for
from core.errors import ErrorKind, ServiceError
from provinces.loader import profile_in_force
from provinces.naming import HostNameError, component_host, is_valid_hostname
from tenants.hosts import host_cache_forget
from tenants.merge_display import stage_label
from tenants.models import (
    Domain,
    HostRedirect,
    MergeJob,
    MergeRow,
    PathRedirect,
    Province,
)

logger = logging.getLogger(__name__)

STAGES = (
    "backup",
    "organization",
    "staff",
    "content",
    "questions",
    "records",
    "files",
    "cutover",
    "verify",
)
COPY_STAGES = ("organization", "staff", "content", "questions", "records")
PLAN_VERSION = 1
# The id a row the merge creates (not copies) is recorded under in MergeRow: the agency and the
# site that hold the source province's own portal in the target.
FORMER_PORTAL = -1
MERGE_ROW = sql.Identifier("public", "tenants_mergerow")


class MergeError(ServiceError):
    """A refused or failed merge: a stable code, a message an operator reads, the field."""


@dataclass(frozen=True)
class Policy:
    """What a merge does with one table of a province's schema.

    how: "copy" (rows move, new ids), "match" (rows are mapped to the target's rows with the same
    `key`), "skip" (nothing moves: `why` says why, shown in the dry run), "rebuild" (derived
    data the target recomputes after the cutover).
    portal: foreign-key columns where NULL means the province itself (its portal, or the
    province rather than one agency): in the target they point at the former-portal site or
    agency, so the source's portal never becomes the target's.
    held: columns written with another value until the cutover (SQL over the source row `s`),
    then given the source's value back.
    renamed: columns whose value the plan renames (collisions), by old id.
    where: a filter on the source rows (SQL over `s`); rows left out are counted with `why`.
    """

    table: str
    stage: str
    how: str = "copy"
    key: tuple[str, ...] = ()
    why: str = ""
    portal: tuple[str, ...] = ()
    held: dict[str, str] = field(default_factory=dict)
    renamed: tuple[str, ...] = ()
    where: str = ""
    label: str = ""
    # Rows that join a row the target has (SQL over the source row `s` and the target's `x`)
    # instead of being copied: they are mapped to it, and counted as not moved, with `why`.
    joins: str = ""

    @property
    def filter(self) -> str:
        """The source rows this policy copies."""
        parts = [f"({self.where})"] if self.where else []
        if self.joins:
            # The table and the condition are this module's constants, never input.
            condition = f"SELECT 1 FROM {{target}}.{self.table} x WHERE {self.joins}"  # noqa: S608
            parts.append(f"NOT EXISTS ({condition})")
        return " AND ".join(parts)


def _policies() -> tuple[Policy, ...]:
    return (
        # Matched by natural key: the target's own rows.
        Policy(
            "django_content_type",
            "organization",
            "match",
            key=("app_label", "model"),
            label=_("Kiểu dữ liệu của hệ thống (dùng của tỉnh nhận)"),
        ),
        Policy(
            "auth_permission",
            "organization",
            "match",
            key=("content_type_id", "codename"),
            label=_("Quyền hệ thống (dùng của tỉnh nhận)"),
        ),
        Policy(
            "auth_group",
            "organization",
            "match",
            key=("name",),
            label=_("Nhóm quyền (dùng nhóm cùng tên của tỉnh nhận)"),
        ),
        Policy(
            "auth_group_permissions",
            "organization",
            "skip",
            why=_("nhóm quyền dùng theo nhóm cùng tên của tỉnh nhận"),
            label=_("Quyền của nhóm"),
        ),
        # A role maps to the target's role the plan names (same code, or the operator's choice).
        Policy(
            "organization_role",
            "organization",
            "match",
            joins="x.code = ({role_map}::jsonb ->> s.code)",
            label=_("Vai trò (theo vai trò tương ứng của tỉnh nhận)"),
        ),
        Policy(
            "organization_agency",
            "organization",
            held={"is_active": "false"},
            renamed=("name",),
            label=_("Cơ quan"),
        ),
        Policy(
            "organization_componentsite",
            "organization",
            held={"is_active": "false"},
            renamed=("label", "host", "dev_host", "alternate_hosts"),
            label=_("Trang thành phần"),
        ),
        Policy("organization_leader", "organization", label=_("Lãnh đạo cơ quan")),
        Policy(
            "accounts_user",
            "staff",
            held={"is_active": "false"},
            renamed=("username",),
            label=_("Tài khoản cán bộ"),
        ),
        Policy("accounts_user_groups", "staff", label=_("Nhóm của tài khoản")),
        Policy("accounts_user_user_permissions", "staff", label=_("Quyền riêng của tài khoản")),
        Policy("accounts_audit_entry", "staff", label=_("Nhật ký quản trị")),
        Policy("accounts_recovery_code", "staff", label=_("Mã khôi phục xác thực hai lớp")),
        Policy("accounts_sign_in_address", "staff", label=_("Địa chỉ đăng nhập đã biết")),
        Policy("otp_totp_totpdevice", "staff", label=_("Thiết bị xác thực hai lớp")),
        Policy("integrations_apikey", "staff", label=_("Khoá API")),
        Policy("core_notice", "staff", label=_("Thông báo đã gửi")),
        Policy(
            "organization_roleassignment",
            "staff",
            portal=("agency_id",),
            where=_ROLE_CARRIED,
            why=_("vai trò không có trong quy chế của tỉnh nhận, hoặc là vai trò toàn tỉnh"),
            label=_("Phân công vai trò"),
        ),
        Policy(
            "organization_delegation",
            "staff",
            portal=("agency_id",),
            where=_ROLE_CARRIED,
            why=_("vai trò không có trong quy chế của tỉnh nhận, hoặc là vai trò toàn tỉnh"),
            label=_("Uỷ quyền"),
        ),
        Policy("editorial_category", "content", portal=("site_id",), label=_("Chuyên mục")),
        Policy(
            "editorial_item",
            "content",
            portal=("site_id",),
            held={
                "status": "CASE WHEN s.status = 'published' THEN 'unpublished' ELSE s.status END"
            },
            renamed=("code",),
            label=_("Bài viết, trang, thủ tục"),
        ),
        Policy("editorial_revision", "content", label=_("Phiên bản nội dung")),
        Policy("editorial_workflowstate", "content", label=_("Bước quy trình duyệt")),
        Policy("editorial_transition", "content", label=_("Lịch sử xử lý tin bài")),
        Policy("editorial_correction", "content", label=_("Đính chính")),
        Policy("editorial_attachment", "content", label=_("Tệp đính kèm")),
        Policy("editorial_publiccomment", "content", label=_("Góp ý của người dân")),
        Policy(
            "editorial_pendingupload",
            "content",
            "skip",
            why=_("tệp tải lên dở dang, tự xoá sau một ngày"),
            label=_("Tệp đang tải lên"),
        ),
        Policy("catalog_importjob", "content", label=_("Lượt nhập thủ tục")),
        Policy(
            "qa_topic",
            "questions",
            held={"is_active": "false"},
            renamed=("slug",),
            joins=_SAME_TOPIC,
            why=_("gộp vào lĩnh vực cùng tên của tỉnh nhận, do cơ quan của tỉnh nhận trả lời"),
            label=_("Lĩnh vực hỏi đáp"),
        ),
        Policy(
            "qa_question",
            "questions",
            held={"is_public": "false"},
            renamed=("profile_province",),
            label=_("Câu hỏi, góp ý, khiếu nại"),
        ),
        Policy("qa_answer", "questions", label=_("Dự thảo trả lời")),
        Policy("qa_event", "questions", label=_("Lịch sử xử lý câu hỏi")),
        Policy("qa_questionattachment", "questions", label=_("Tệp của người hỏi")),
        Policy("reports_pageviewday", "records", portal=("site_id",), label=_("Lượt xem")),
        Policy("reports_report", "records", portal=("agency_id",), label=_("Báo cáo")),
        Policy("reports_costline", "records", portal=("agency_id",), label=_("Kinh phí")),
        Policy("royalties_assignment", "records", label=_("Phân bổ nhuận bút")),
        Policy("royalties_share", "records", label=_("Phần nhuận bút")),
        Policy(
            "royalties_ledgermonth",
            "records",
            held={
                "status": "'open'",
                "signed_off_at": "NULL",
                "signed_off_by_id": "NULL",
            },
            renamed=("former_province",),
            label=_("Sổ nhuận bút"),
        ),
        Policy("royalties_ledgerline", "records", label=_("Dòng sổ nhuận bút")),
        Policy(
            "django_session",
            "staff",
            "skip",
            why=_("phiên đăng nhập kết thúc: cán bộ đăng nhập lại trên tên miền của tỉnh nhận"),
            label=_("Phiên đăng nhập"),
        ),
        Policy(
            "search_document",
            "cutover",
            "rebuild",
            why=_("chỉ mục tìm kiếm của tỉnh nhận được lập lại sau khi hợp nhất"),
            label=_("Chỉ mục tìm kiếm"),
        ),
    )


# A topic the target has under the same name (and still offers) takes the source's questions:
# the open ones are answered by the target's agency that holds the topic.
_SAME_TOPIC = "lower(x.name) = lower(s.name) AND x.is_active"

# A role assignment or delegation moves when the target has the role (by code) for an agency:
# a province-wide role of the source never becomes a province-wide role of the target.
_ROLE_CARRIED = (
    "EXISTS (SELECT 1 FROM {source}.organization_role r"
    " WHERE r.id = s.role_id AND {role_map}::jsonb ? r.code)"
)


def policies() -> tuple[Policy, ...]:
    return _policies()


def tenant_tables() -> list[str]:
    """Every table of a province's schema, from the installed models (auto-created many-to-many
    tables included): what the policies must cover."""
    tenant_apps = {name.rsplit(".", 1)[-1] for name in settings.TENANT_APPS}
    tables = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in tenant_apps and model._meta.managed:
            tables.append(model._meta.db_table)
    return sorted(set(tables))


@dataclass(frozen=True)
class Table:
    """A table's shape, read from its model: columns and the table each foreign key names."""

    name: str
    model: type[models.Model]
    columns: tuple[str, ...]
    references: dict[str, str]  # column → referenced table
    file_columns: tuple[str, ...]


def _tables() -> dict[str, Table]:
    found: dict[str, Table] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        columns = tuple(str(f.column) for f in meta.concrete_fields)
        references = {
            str(f.column): f.related_model._meta.db_table
            for f in meta.concrete_fields
            if f.is_relation and f.related_model is not None and f.related_model != "self"
        }
        files = tuple(
            str(f.column) for f in meta.concrete_fields if isinstance(f, models.FileField)
        )
        found[meta.db_table] = Table(meta.db_table, model, columns, references, files)
    return found


# ---------------------------------------------------------------------------------------------
# SQL helpers


def _q(schema: str, table: str) -> sql.Composable:
    return sql.Identifier(schema, table)


def _format(template: str, source: str, target: str, plan: dict | None = None) -> sql.Composable:
    """A policy's SQL fragment with the two schemas put in as identifiers, and the plan's role
    map (source role code → target role code) as a JSON literal."""
    role_map = (plan or {}).get("role_map", {})
    return sql.SQL(template).format(
        source=sql.Identifier(source),
        target=sql.Identifier(target),
        role_map=sql.Literal(_json(role_map)),
    )


def _scalar(query: sql.Composable | str, params: Iterable[Any] = ()) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(query, list(params))
        row = cursor.fetchone()
    return row[0] if row else None


def _rows(query: sql.Composable | str, params: Iterable[Any] = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, list(params))
        return list(cursor.fetchall())


def _execute(query: sql.Composable | str, params: Iterable[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(query, list(params))
        return cursor.rowcount


def _where(policy: Policy, source: str, target: str, plan: dict) -> sql.Composable:
    if not policy.filter:
        return sql.SQL("TRUE")
    return _format(policy.filter, source, target, plan)


def _count(schema: str, table: str, where: sql.Composable | None = None) -> int:
    query = sql.SQL("SELECT count(*) FROM {} s WHERE {}").format(
        _q(schema, table), where or sql.SQL("TRUE")
    )
    return int(_scalar(query))


# ---------------------------------------------------------------------------------------------
# The plan (dry run)


@dataclass
class _Names:
    """The renames the plan decided, by table and column: {old id: new value}."""

    values: dict[tuple[str, str], dict[int, Any]] = field(default_factory=dict)

    def set(self, table: str, column: str, old_id: int, value: Any) -> None:
        self.values.setdefault((table, column), {})[old_id] = value

    def as_json(self) -> dict[str, dict[str, Any]]:
        return {
            f"{table}.{column}": {str(k): v for k, v in mapping.items()}
            for (table, column), mapping in self.values.items()
        }

    @classmethod
    def from_json(cls, data: dict[str, dict[str, Any]]) -> _Names:
        names = cls()
        for key, mapping in data.items():
            table, column = key.split(".", 1)
            for old_id, value in mapping.items():
                names.set(table, column, int(old_id), value)
        return names


def _check_provinces(source: Province, target: Province) -> None:
    public = get_public_schema_name()
    for which, province in (("source", source), ("target", target)):
        if province.is_template or province.schema_name == public:
            raise MergeError(
                "not_a_province", _("Chỉ hợp nhất được các tỉnh đang vận hành."), field=which
            )
        if province.merged_into_id:
            raise MergeError(
                "already_merged",
                _("Tỉnh %(name)s đã được hợp nhất vào tỉnh khác.") % {"name": province.name},
                field=which,
                kind=ErrorKind.CONFLICT,
            )
    if source.pk == target.pk:
        raise MergeError(
            "same_province", _("Tỉnh nguồn và tỉnh nhận phải khác nhau."), field="target"
        )


def _dev_hosts(target: Province) -> bool:
    return Domain.objects.filter(tenant=target, is_development=True).exists()


def _free(candidate: str, taken: set[str], limit: int, suffix: str) -> str:
    """`candidate`, or `candidate` + suffix (+ a number) when it is taken, within `limit`."""
    if candidate not in taken:
        return candidate
    for n in range(1, 1000):
        tail = suffix if n == 1 else f"{suffix}{n}"
        value = candidate[: limit - len(tail)] + tail
        if value not in taken:
            return value
    raise MergeError("no_free_name", _("Không tìm được tên không trùng cho %s.") % candidate)


def _site_host(profile, label: str, dev: bool, target_slug: str) -> tuple[str, str | None]:
    host = component_host(profile.domains.component_host_pattern, label)
    dev_host = f"{host.split('.', 1)[0]}.{target_slug}.{DEV_SUFFIX}" if dev else None
    if dev_host is not None and not is_valid_hostname(dev_host):
        raise HostNameError(f"'{dev_host}' is not a valid host name")
    return host, dev_host


def merge_plan(*, source: Province, target: Province, effective_from: date, actor=None) -> MergeJob:
    """The dry run: everything the merge of `source` into `target` would do, stored on a PLANNED
    job (an earlier PLANNED or FAILED job of the same source is refreshed; a FAILED one keeps
    its stages). Nothing in either province changes."""
    if not isinstance(effective_from, date):
        raise MergeError("invalid_date", _("Ngày hiệu lực không hợp lệ."), field="effective_from")
    # As the database has them now, not as the caller last read them.
    source = Province.objects.get(pk=source.pk)
    target = Province.objects.get(pk=target.pk)
    _check_provinces(source, target)
    for running in MergeJob.objects.filter(source=source, status=MergeJob.Status.RUNNING):
        if merge_interrupted(running):
            _interrupted(running)
    with transaction.atomic():
        job = (
            MergeJob.objects.select_for_update()
            .filter(source=source, status__in=[MergeJob.Status.PLANNED, MergeJob.Status.FAILED])
            .first()
        )
        if (
            job is None
            and MergeJob.objects.filter(
                source=source, status__in=[MergeJob.Status.RUNNING, MergeJob.Status.COMPLETED]
            ).exists()
        ):
            raise MergeError(
                "merge_exists",
                _("Tỉnh %(name)s đang hoặc đã được hợp nhất.") % {"name": source.name},
                field="source",
                kind=ErrorKind.CONFLICT,
            )
        if job is not None and _copying_started(job):
            # Rows have moved under this plan: its renames and maps hold until the job ends,
            # so the plan is kept as it is (a rerun resumes it), for the same merge only.
            if job.target_id != target.pk or job.effective_from != effective_from:
                raise MergeError(
                    "merge_started",
                    _("Lượt hợp nhất đang dở vào tỉnh khác: chạy tiếp hoặc huỷ trước."),
                    field="target",
                    kind=ErrorKind.CONFLICT,
                )
            return job
        resolutions = job.resolutions if job is not None else {}
        plan, names = _compute_plan(source, target, effective_from, resolutions)
        plan["names"] = names.as_json()
        if job is None:
            job = MergeJob(source=source, target=target)
        job.target = target
        job.effective_from = effective_from
        job.plan = plan
        job.requested_by = actor if getattr(actor, "pk", None) else None
        job.requested_name = getattr(actor, "username", "") or "system"
        job.save()
    return job


def _compute_plan(
    source: Province, target: Province, effective_from: date, resolutions: dict
) -> tuple[dict[str, Any], _Names]:
    s, t = source.schema_name, target.schema_name
    problems: list[str] = []
    warnings: list[str] = []
    names = _Names()
    tables = _tables()

    # Other merges that touch either province.
    busy = MergeJob.objects.filter(
        status__in=[MergeJob.Status.RUNNING, MergeJob.Status.FAILED, MergeJob.Status.PLANNED]
    ).exclude(source=source)
    if busy.filter(source=target).exists():
        problems.append(
            _("Tỉnh nhận %(name)s đang có lượt hợp nhất vào tỉnh khác.") % {"name": target.name}
        )
    if busy.filter(target=source).exists():
        problems.append(
            _("Tỉnh %(name)s đang nhận một tỉnh khác hợp nhất vào.") % {"name": source.name}
        )

    # The target's profile from the effective date (the profile store, ADR 0031).
    profile_info: dict[str, Any]
    try:
        profile = profile_in_force(target.slug, effective_from)
        starts = profile.effective_from == effective_from
        profile_info = {
            "effective_from": profile.effective_from.isoformat(),
            "starts_on_date": starts,
            "note": (
                _("Từ ngày %(date)s, tỉnh nhận áp dụng phiên bản quy chế có hiệu lực từ %(from)s.")
                % {
                    "date": effective_from.strftime("%d/%m/%Y"),
                    "from": profile.effective_from.strftime("%d/%m/%Y"),
                }
            ),
        }
        if not starts:
            warnings.append(
                _(
                    "Chưa có phiên bản quy chế của tỉnh nhận bắt đầu đúng ngày hợp nhất; phiên bản "
                    "đang có hiệu lực tiếp tục áp dụng (tải phiên bản mới tại mục Hồ sơ quy chế "
                    "nếu quy chế thay đổi)."
                )
            )
    except Exception as error:  # any failure to load is a problem to show
        profile = None
        profile_info = {"effective_from": None, "starts_on_date": False, "note": str(error)[:300]}
        problems.append(_("Không đọc được quy chế của tỉnh nhận tại ngày hợp nhất."))
    if effective_from > timezone.localdate():
        problems.append(_("Ngày hợp nhất chưa đến: chỉ chạy được từ ngày có hiệu lực."))

    # The former portal: an agency and a site of the target that hold the source's portal.
    dev = _dev_hosts(target)
    t_agency_names = {
        n for (n,) in _rows(sql.SQL("SELECT name FROM {}").format(_q(t, "organization_agency")))
    }
    t_labels = {
        n
        for (n,) in _rows(
            sql.SQL("SELECT label FROM {}").format(_q(t, "organization_componentsite"))
        )
    }
    taken_hosts = set(Domain.objects.exclude(tenant=source).values_list("domain", flat=True))
    taken_hosts |= {
        h
        for (h,) in _rows(
            sql.SQL(
                "SELECT host FROM {0} UNION SELECT dev_host FROM {0} WHERE dev_host IS NOT NULL"
            ).format(_q(t, "organization_componentsite"))
        )
    }
    former_name = _free(
        _("%(portal)s (trước hợp nhất)") % {"portal": source.portal_name or source.name},
        t_agency_names,
        255,
        " (2)",
    )
    t_agency_names.add(former_name)
    former_label = _free(source.slug, t_labels, 63, "-cu")
    t_labels.add(former_label)
    former: dict[str, Any] = {"agency": former_name, "label": former_label}
    try:
        if profile is not None:
            host, dev_host = _site_host(profile, former_label, dev, target.slug)
            former.update(host=host, dev_host=dev_host)
            for h in filter(None, (host, dev_host)):
                if h in taken_hosts:
                    problems.append(_("Tên miền %(host)s đã được dùng.") % {"host": h})
                taken_hosts.add(h)
    except HostNameError as error:
        problems.append(str(error))

    # Agencies: a name the target has already gets the source province's name after it.
    agencies = []
    for pk, name in _rows(
        sql.SQL("SELECT id, name FROM {} ORDER BY name").format(_q(s, "organization_agency"))
    ):
        new_name = _free(name, t_agency_names, 255, f" ({source.name})")
        t_agency_names.add(new_name)
        if new_name != name:
            names.set("organization_agency", "name", pk, new_name)
        agencies.append({"name": name, "new_name": new_name, "renamed": new_name != name})

    # Sites: a label the target has gets "-<source slug>"; hosts from the target's pattern.
    sites = []
    for pk, label, host, dev_host in _rows(
        sql.SQL("SELECT id, label, host, dev_host FROM {} ORDER BY label").format(
            _q(s, "organization_componentsite")
        )
    ):
        new_label = _free(label, t_labels, 63, f"-{source.slug}")
        t_labels.add(new_label)
        entry = {"host": host, "label": label, "new_label": new_label, "new_host": ""}
        try:
            if profile is not None:
                new_host, new_dev = _site_host(profile, new_label, dev, target.slug)
                entry.update(new_host=new_host, new_dev_host=new_dev, dev_host=dev_host)
                for h in filter(None, (new_host, new_dev)):
                    if h in taken_hosts:
                        problems.append(_("Tên miền %(host)s đã được dùng.") % {"host": h})
                    taken_hosts.add(h)
                names.set("organization_componentsite", "label", pk, new_label)
                names.set("organization_componentsite", "host", pk, new_host)
                names.set("organization_componentsite", "dev_host", pk, new_dev)
                names.set("organization_componentsite", "alternate_hosts", pk, [])
        except HostNameError as error:
            problems.append(str(error))
        sites.append(entry)

    # Accounts: a username the target has gets ".<source slug>" after it.
    t_users = {
        n for (n,) in _rows(sql.SQL("SELECT username FROM {}").format(_q(t, "accounts_user")))
    }
    users = []
    for pk, username, full_name in _rows(
        sql.SQL("SELECT id, username, full_name FROM {} ORDER BY username").format(
            _q(s, "accounts_user")
        )
    ):
        new_username = _free(username, t_users, 150, f".{source.slug}")
        t_users.add(new_username)
        if new_username != username:
            names.set("accounts_user", "username", pk, new_username)
        users.append(
            {
                "username": username,
                "new_username": new_username,
                "full_name": full_name,
                "renamed": new_username != username,
            }
        )

    # Roles, by code, or as the operator maps a code the target's profile does not have. Only a
    # role the target holds per agency is carried: a merge never grants a province-wide role.
    t_roles = {
        code: (name, scope)
        for code, name, scope in _rows(
            sql.SQL("SELECT code, name, scope FROM {} ORDER BY code").format(
                _q(t, "organization_role")
            )
        )
    }
    chosen = resolutions.get("roles", {})
    role_map: dict[str, str] = {}
    roles = []
    for code, name, a_scope, holders in _rows(
        sql.SQL(
            "SELECT r.code, r.name, r.scope, (SELECT count(*) FROM {sa} a WHERE a.role_id = r.id)"
            " FROM {sr} r ORDER BY r.code"
        ).format(sa=_q(s, "organization_roleassignment"), sr=_q(s, "organization_role"))
    ):
        target_code = chosen.get(code) or (code if code in t_roles else None)
        t_name, t_scope = t_roles.get(target_code or "", (None, None))
        if t_scope == "agency" and target_code:
            role_map[code] = target_code
        mapped = holders if code in role_map else 0
        if t_scope is None:
            note = _(
                "Quy chế của tỉnh nhận không có vai trò này: chọn vai trò tương ứng, hoặc người "
                "giữ vai trò được phân công lại sau."
            )
        elif t_scope != "agency":
            note = _(
                "Là vai trò toàn tỉnh ở tỉnh nhận: không tự chuyển; quản trị tỉnh nhận phân công "
                "nếu cần."
            )
        elif a_scope == "portal":
            note = _("Chuyển thành vai trò “%(name)s” của trang cổng cũ (%(agency)s).") % {
                "name": t_name,
                "agency": former_name,
            }
        else:
            note = _("Chuyển sang vai trò “%(name)s” của cơ quan tương ứng.") % {"name": t_name}
        roles.append(
            {
                "code": code,
                "name": name,
                "holders": holders,
                "mapped": mapped,
                "not_mapped": holders - mapped,
                "target_code": role_map.get(code),
                "chosen": chosen.get(code),
                "note": note,
            }
        )
    role_choices = [
        {"code": code, "name": name} for code, (name, scope) in t_roles.items() if scope == "agency"
    ]

    # Q&A topics: a slug the target has gets "-<source slug>".
    t_topics = {n for (n,) in _rows(sql.SQL("SELECT slug FROM {}").format(_q(t, "qa_topic")))}
    topics = []
    for pk, name, slug, joined, agency in _rows(
        _format(
            "SELECT s.id, s.name, s.slug, x.slug, a.name FROM {source}.qa_topic s"  # noqa: S608
            " LEFT JOIN {target}.qa_topic x ON "
            + _SAME_TOPIC
            + " LEFT JOIN {target}.organization_agency a ON a.id = x.agency_id ORDER BY s.name",
            s,
            t,
        )
    ):
        if joined:
            topics.append(
                {"name": name, "slug": slug, "new_slug": joined, "joins": True, "agency": agency}
            )
            continue
        new_slug = _free(slug, t_topics, 120, f"-{source.slug}")
        t_topics.add(new_slug)
        if new_slug != slug:
            names.set("qa_topic", "slug", pk, new_slug)
        topics.append({"name": name, "slug": slug, "new_slug": new_slug, "joins": False})

    # Procedures with a national code both provinces have: the operator decides.
    conflicts = []
    procedures = resolutions.get("procedures", {})
    for pk, code, language, s_title, t_title in _rows(
        sql.SQL(
            "SELECT s.id, s.code, s.language, sr.title, tr.title FROM {si} s"
            " JOIN {ti} t ON t.kind = s.kind AND t.language = s.language AND t.code = s.code"
            " LEFT JOIN {sr} sr ON sr.id = s.current_revision_id"
            " LEFT JOIN {tr} tr ON tr.id = t.current_revision_id"
            " WHERE s.code <> '' ORDER BY s.code"
        ).format(
            si=_q(s, "editorial_item"),
            ti=_q(t, "editorial_item"),
            sr=_q(s, "editorial_revision"),
            tr=_q(t, "editorial_revision"),
        )
    ):
        choice = procedures.get(code)
        conflicts.append(
            {
                "code": code,
                "language": language,
                "source_title": s_title or "",
                "target_title": t_title or "",
                "resolution": choice,
            }
        )
        # Until the cutover (and for good when the target's record stands) the source's item
        # has no code: the code is unique per kind and language.
        names.set("editorial_item", "code", pk, "")
    unresolved = [c["code"] for c in conflicts if c["resolution"] not in ("target", "source")]
    if unresolved:
        problems.append(
            _("%(n)d thủ tục trùng mã quốc gia chưa được chọn cách xử lý: %(codes)s.")
            % {"n": len(unresolved), "codes": ", ".join(unresolved[:20])}
        )

    # What cannot be carried: a tracking code or an API key prefix the target has already.
    for table, column, message in (
        ("qa_question", "tracking_code", _("Mã tra cứu câu hỏi %(value)s đã có ở tỉnh nhận.")),
        ("integrations_apikey", "prefix", _("Khoá API %(value)s trùng tiền tố ở tỉnh nhận.")),
    ):
        for (value,) in _rows(
            sql.SQL("SELECT s.{c} FROM {st} s JOIN {tt} t ON t.{c} = s.{c} LIMIT 20").format(
                c=sql.Identifier(column), st=_q(s, table), tt=_q(t, table)
            )
        ):
            problems.append(message % {"value": value})
    for (name,) in _rows(
        sql.SQL(
            "SELECT g.name FROM {sg} g"
            " WHERE NOT EXISTS (SELECT 1 FROM {tg} t WHERE t.name = g.name)"
            " AND EXISTS (SELECT 1 FROM {su} u WHERE u.group_id = g.id)"
        ).format(sg=_q(s, "auth_group"), tg=_q(t, "auth_group"), su=_q(s, "accounts_user_groups"))
    ):
        problems.append(_("Nhóm quyền “%(name)s” không có ở tỉnh nhận.") % {"name": name})

    # Counts, table by table.
    counts = []
    for policy in _policies():
        if policy.table not in tables:
            continue
        total = _count(s, policy.table)
        if policy.how == "copy":
            to_move = (
                _count(s, policy.table, _where(policy, s, t, {"role_map": role_map}))
                if policy.filter
                else total
            )
        else:
            to_move = 0
        counts.append(
            {
                "table": policy.table,
                "label": str(policy.label) or policy.table,
                "stage": policy.stage,
                "how": policy.how,
                "source": total,
                "to_move": to_move,
                "not_moved": total - to_move if policy.how == "copy" else 0,
                "why": str(policy.why) if (policy.how != "copy" or total != to_move) else "",
            }
        )

    # Hosts: every host of the source answers with a redirect to the target.
    site_hosts = {}
    for entry in sites:
        site_hosts[entry["host"]] = entry.get("new_host", "")
        if entry.get("dev_host"):
            site_hosts[entry["dev_host"]] = entry.get("new_dev_host") or entry.get("new_host", "")
    hosts = []
    for domain in Domain.objects.filter(tenant=source).order_by("domain"):
        if domain.domain in site_hosts:
            target_host = site_hosts[domain.domain]
        else:
            alternates = _rows(
                sql.SQL("SELECT host FROM {} WHERE alternate_hosts ? %s").format(
                    _q(s, "organization_componentsite")
                ),
                [domain.domain],
            )
            if alternates:
                target_host = site_hosts.get(alternates[0][0], "")
            elif domain.is_development:
                target_host = former.get("dev_host") or former.get("host", "")
            else:
                target_host = former.get("host", "")
        hosts.append({"host": domain.domain, "target_host": target_host})

    warnings.append(
        _(
            "Cán bộ của tỉnh nguồn đăng nhập lại trên tên miền của tỉnh nhận, bằng mật khẩu và "
            "ứng dụng xác thực đang dùng; tài khoản trùng tên được đổi theo quy tắc ở mục Tài "
            "khoản."
        )
    )
    plan = {
        "version": PLAN_VERSION,
        "source": {"slug": source.slug, "name": source.name, "portal_name": source.portal_name},
        "target": {"slug": target.slug, "name": target.name, "portal_name": target.portal_name},
        "effective_from": effective_from.isoformat(),
        "profile": profile_info,
        "counts": counts,
        "former_portal": former,
        "agencies": agencies,
        "sites": sites,
        "users": users,
        "username_rule": _(
            "Tên đăng nhập đã có ở tỉnh nhận được thêm “.%(slug)s” vào sau (thêm số nếu vẫn trùng)."
        )
        % {"slug": source.slug},
        "roles": roles,
        "role_choices": role_choices,
        "role_map": role_map,
        "topics": topics,
        "procedure_conflicts": conflicts,
        "hosts": hosts,
        "problems": problems,
        "warnings": warnings,
    }
    return plan, names


def _copying_started(job: MergeJob) -> bool:
    """Rows of the source have been copied under the job's plan (and not undone)."""
    return bool(job.pk) and MergeRow.objects.filter(job=job).exists()


def _answers(job: MergeJob, procedures: dict, roles: dict) -> dict:
    """The job's answers with these added (a role answered "" is taken back)."""
    chosen_roles = {**job.resolutions.get("roles", {}), **roles}
    return {
        **job.resolutions,
        "procedures": {**job.resolutions.get("procedures", {}), **procedures},
        "roles": {code: value for code, value in chosen_roles.items() if value},
    }


def merge_resolve(
    *,
    job: MergeJob,
    procedures: dict[str, str] | None = None,
    roles: dict[str, str] | None = None,
    actor=None,
) -> MergeJob:
    """Record the operator's answers, then compute the plan again.

    procedures: {national code: "target" | "source"} for each procedure both provinces list
    under one code: "target" keeps the receiving province's record (the source's is kept,
    withdrawn, as history), "source" puts the source's record in its place.
    roles: {source role code: target role code} for a role the target's profile names otherwise
    (a role held per agency there); "" takes an answer back."""
    if job.status not in (MergeJob.Status.PLANNED, MergeJob.Status.FAILED):
        raise MergeError(
            "not_open", _("Lượt hợp nhất này không còn sửa được."), kind=ErrorKind.CONFLICT
        )
    procedures = {} if procedures is None else procedures
    roles = {} if roles is None else roles
    for name, answers in (("procedures", procedures), ("roles", roles)):
        if not isinstance(answers, dict) or len(answers) > 2000:
            raise MergeError(
                "invalid_resolutions", _("Danh sách lựa chọn không hợp lệ."), field=name
            )
    if _copying_started(job):
        if _answers(job, procedures, roles) == _answers(job, {}, {}):
            return job  # the same answers again (a rerun of the command): nothing to change
        raise MergeError(
            "already_copying",
            _("Đã bắt đầu chuyển dữ liệu: không đổi được lựa chọn; huỷ lượt này để lập lại."),
            kind=ErrorKind.CONFLICT,
        )
    known = {c["code"] for c in job.plan.get("procedure_conflicts", [])}
    for code, choice in procedures.items():
        if not isinstance(code, str) or code not in known:
            raise MergeError(
                "unknown_code",
                _("Mã thủ tục %(code)s không nằm trong danh sách trùng mã.")
                % {"code": str(code)[:60]},
                field="procedures",
            )
        if choice not in ("target", "source"):
            raise MergeError(
                "invalid_choice",
                _("Cách xử lý phải là giữ bản của tỉnh nhận hoặc dùng bản của tỉnh nguồn."),
                field="procedures",
            )
    source_roles = {r["code"] for r in job.plan.get("roles", [])}
    target_roles = {r["code"] for r in job.plan.get("role_choices", [])}
    for code, target_code in roles.items():
        if not isinstance(code, str) or code not in source_roles:
            raise MergeError(
                "unknown_role",
                _("Vai trò %(code)s không có ở tỉnh được hợp nhất.") % {"code": str(code)[:60]},
                field="roles",
            )
        if not isinstance(target_code, str) or (target_code and target_code not in target_roles):
            raise MergeError(
                "invalid_role",
                _("Chỉ chọn được vai trò theo cơ quan của tỉnh nhận."),
                field="roles",
            )
    job.resolutions = _answers(job, procedures, roles)
    job.save(update_fields=["resolutions"])
    source = Province.objects.get(pk=job.source_id)
    target = Province.objects.get(pk=job.target_id)
    return merge_plan(source=source, target=target, effective_from=job.effective_from, actor=actor)


# ---------------------------------------------------------------------------------------------
# The run


Progress = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _policies_of(stage: str) -> list[Policy]:
    return [p for p in _policies() if p.stage == stage and p.how in ("copy", "match")]


def _lock_key(job: MergeJob) -> int:
    return 16_000_000_000 + job.pk


def merge_run(*, job: MergeJob, actor=None, progress: Progress | None = None) -> MergeJob:
    """Run the stages of `job` not yet done (a FAILED job resumes). Each stage is one
    transaction: a failure rolls back that stage only, records where and why, unfreezes the
    source (both provinces serve as before: nothing copied is visible until the cutover) and
    raises MergeError("stage_failed"). A rerun continues at the failed stage, or copies again
    from the start when the source changed while it was unfrozen."""
    progress = progress or _noop
    job = MergeJob.objects.get(pk=job.pk)
    if job.status not in (MergeJob.Status.PLANNED, MergeJob.Status.FAILED, MergeJob.Status.RUNNING):
        raise MergeError(
            "not_runnable",
            _("Lượt hợp nhất ở trạng thái “%(status)s” không chạy được.")
            % {"status": job.get_status_display()},
            kind=ErrorKind.CONFLICT,
        )
    if not _scalar("SELECT pg_try_advisory_lock(%s)", [_lock_key(job)]):
        raise MergeError(
            "busy", _("Lượt hợp nhất này đang chạy ở nơi khác."), kind=ErrorKind.CONFLICT
        )
    try:
        if job.status == MergeJob.Status.RUNNING:
            # Running, yet nobody holds its lock: the process that ran it died (a worker
            # killed, a machine restarted). The stage it was in rolled back with it.
            _interrupted(job)
            job.refresh_from_db()
        return _run(job, actor, progress)
    finally:
        _scalar("SELECT pg_advisory_unlock(%s)", [_lock_key(job)])


def merge_interrupted(job: MergeJob) -> bool:
    """A job recorded as running that no process runs any more: its run's database session
    ended without finishing (the lock a run holds is that session's). It is resumed by running
    it again, or cancelled."""
    if job.status != MergeJob.Status.RUNNING:
        return False
    if not _scalar("SELECT pg_try_advisory_lock(%s)", [_lock_key(job)]):
        return False
    _scalar("SELECT pg_advisory_unlock(%s)", [_lock_key(job)])
    return True


def _interrupted(job: MergeJob) -> None:
    stage = job.stage or ""
    stages = dict(job.stages)
    if stage and stages.get(stage, {}).get("status") == "running":
        stages[stage] = {**stages[stage], "status": "failed", "error": "interrupted"}
    MergeJob.objects.filter(pk=job.pk).update(
        status=MergeJob.Status.FAILED,
        stages=stages,
        error=str(_("Lượt chạy trước bị ngắt giữa chừng.")),
    )


def _run(job: MergeJob, actor, progress: Progress) -> MergeJob:
    source = Province.objects.get(pk=job.source_id)
    target = Province.objects.get(pk=job.target_id)
    started = any(job.stages.get(stage, {}).get("status") == "done" for stage in STAGES)
    if not started:
        # Nothing moved yet: the plan is computed again, against both provinces as they are.
        job = merge_plan(
            source=source, target=target, effective_from=job.effective_from, actor=actor
        )
    problems = job.plan.get("problems") or []
    if problems:
        raise MergeError(
            "plan_problems",
            _("Kế hoạch hợp nhất còn vấn đề cần xử lý: %(first)s") % {"first": problems[0]},
        )
    if started and _source_changed(job, source):
        _undo(job, source, target, stages=STAGES)
    MergeJob.objects.filter(pk=job.pk).update(
        status=MergeJob.Status.RUNNING, error="", started_at=job.started_at or timezone.now()
    )
    job.refresh_from_db()
    for index, stage in enumerate(STAGES):
        if job.stages.get(stage, {}).get("status") == "done":
            continue
        try:
            progress(stage, index, len(STAGES))
            _stage_start(job, stage)
            rows = _STAGE_RUNNERS[stage](job, source, target, actor, progress)
        except Exception as error:
            _fail(job, source, stage, error)
            logger.exception("merge %s failed at stage %s", job.pk, stage)
            raise MergeError(
                "stage_failed",
                _(
                    "Hợp nhất dừng ở bước “%(stage)s”: %(reason)s. Hai tỉnh vẫn phục vụ như trước; "
                    "chạy lại để tiếp tục."
                )
                % {"stage": stage_label(stage), "reason": _reason(error)},
                kind=ErrorKind.CONFLICT,
            ) from error
        job.refresh_from_db()
        logger.info("merge %s: stage %s done (%s rows)", job.pk, stage, rows)
    progress("done", len(STAGES), len(STAGES))
    MergeJob.objects.filter(pk=job.pk).update(
        status=MergeJob.Status.COMPLETED, finished_at=timezone.now(), stage=""
    )
    job.refresh_from_db()
    return job


def _reason(error: BaseException) -> str:
    if isinstance(error, ServiceError):
        return str(error.message).rstrip(".")
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}"[:300]


def _stage_start(job: MergeJob, stage: str) -> None:
    stages = dict(job.stages)
    stages[stage] = {"status": "running", "started_at": timezone.now().isoformat()}
    MergeJob.objects.filter(pk=job.pk).update(stages=stages, stage=stage)
    job.stages = stages


def _stage_done(job: MergeJob, stage: str, rows: int, **extra: Any) -> None:
    """Record a stage as done: called inside the stage's transaction, so the record and the
    rows commit together."""
    stages = dict(MergeJob.objects.select_for_update().get(pk=job.pk).stages)
    entry = dict(stages.get(stage, {}))
    entry.update(status="done", finished_at=timezone.now().isoformat(), rows=rows, **extra)
    entry.pop("error", None)
    stages[stage] = entry
    MergeJob.objects.filter(pk=job.pk).update(stages=stages)
    job.stages = stages


def _fail(job: MergeJob, source: Province, stage: str, error: BaseException) -> None:
    stages = dict(MergeJob.objects.get(pk=job.pk).stages)
    entry = dict(stages.get(stage, {}))
    entry.update(status="failed", error=_reason(error), finished_at=timezone.now().isoformat())
    stages[stage] = entry
    MergeJob.objects.filter(pk=job.pk).update(
        status=MergeJob.Status.FAILED, stage=stage, error=_reason(error)[:500], stages=stages
    )
    _freeze(source, frozen=False)


def _source_hosts(source: Province) -> list[str]:
    return list(Domain.objects.filter(tenant=source).values_list("domain", flat=True))


def _freeze(source: Province, *, frozen: bool) -> None:
    Province.objects.filter(pk=source.pk).update(
        frozen_at=timezone.now() if frozen else None,
        frozen_reason=_("Đang hợp nhất vào tỉnh khác.") if frozen else "",
    )
    host_cache_forget(*_source_hosts(source))


def _fingerprint(schema: str) -> str:
    """A digest of every row the copy stages read in `schema`: a rerun after a failure knows
    whether the source changed while it was unfrozen."""
    digest = hashlib.sha256()
    tables = _tables()
    for stage in COPY_STAGES:
        for policy in _policies_of(stage):
            if policy.how != "copy" or policy.table not in tables:
                continue
            value = _scalar(
                sql.SQL("SELECT md5(string_agg(md5(s::text), '' ORDER BY s.id)) FROM {} s").format(
                    _q(schema, policy.table)
                )
            )
            digest.update(f"{policy.table}:{value or ''};".encode())
    return digest.hexdigest()


def _source_changed(job: MergeJob, source: Province) -> bool:
    taken = job.stages.get("backup", {}).get("fingerprint")
    return bool(taken) and taken != _fingerprint(source.schema_name)


# ---- stage: backup


def _stage_backup(job: MergeJob, source: Province, target: Province, actor, progress) -> int:
    """Freeze the source, take its backup and prove it (restored and compared) before a row
    moves: whatever happens next, the province as it was can be brought back."""
    _freeze(source, frozen=True)
    fingerprint = _fingerprint(source.schema_name)
    try:
        backup = backup_create(province=source, actor=actor)
    except BackupError as error:
        raise MergeError("backup_failed", error.message) from error
    verification = backup_verify(backup=backup, actor=actor)
    if verification.status != Verification.Status.PASSED:
        raise MergeError(
            "backup_unverified",
            _("Bản sao lưu của tỉnh nguồn không khớp khi kiểm tra: %(detail)s")
            % {"detail": "; ".join(str(p) for p in verification.problems)[:200]},
        )
    with transaction.atomic():
        MergeJob.objects.filter(pk=job.pk).update(backup=backup)
        _stage_done(job, "backup", 0, fingerprint=fingerprint, backup=backup.pk)
    return 0


# ---- copy stages


def _names(job: MergeJob) -> _Names:
    return _Names.from_json(job.plan.get("names", {}))


def _load_names(job: MergeJob, stage: str) -> None:
    """The stage's renames into a temporary table the inserts join (dropped at commit)."""
    _execute(
        "CREATE TEMPORARY TABLE IF NOT EXISTS merge_names (tbl text, col text, old_id bigint,"
        " value jsonb, PRIMARY KEY (tbl, col, old_id)) ON COMMIT DROP"
    )
    wanted = {p.table for p in _policies_of(stage)}
    rows = [
        (table, column, old_id, _json(value))
        for (table, column), mapping in _names(job).values.items()
        if table in wanted
        for old_id, value in mapping.items()
    ]
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO merge_names (tbl, col, old_id, value) VALUES (%s, %s, %s, %s::jsonb)",
                rows,
            )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _mapped(job: MergeJob, table: str, column: str) -> sql.Composable:
    """The new id of the row the source row's `column` names, as a subquery."""
    return sql.SQL(
        '(SELECT new_id FROM {mr} WHERE job_id = {job} AND "table" = {t} AND old_id = s.{c})'
    ).format(mr=MERGE_ROW, job=sql.Literal(job.pk), t=sql.Literal(table), c=sql.Identifier(column))


def _set_expressions(
    job: MergeJob, policy: Policy, source: Province, target: Province
) -> dict[str, sql.Composable]:
    """Columns a stage writes from the merge itself rather than from the source row."""
    if policy.table == "qa_question":
        # A question keeps the rules of the province that received it (ADR 0032); one still
        # owed an answer goes to the agency that holds its topic in the target (the target's
        # own agency when the topic joined one of the target's).
        return {
            "profile_province": sql.SQL(
                "CASE WHEN s.profile_province = '' THEN {} ELSE s.profile_province END"
            ).format(sql.Literal(source.slug)),
            "agency_id": sql.SQL(
                "CASE WHEN s.status IN ('moderation', 'received', 'in_progress')"
                " AND s.topic_id IS NOT NULL"
                " THEN (SELECT x.agency_id FROM {tt} x WHERE x.id = {topic})"
                " ELSE {agency} END"
            ).format(
                tt=_q(target.schema_name, "qa_topic"),
                topic=_mapped(job, "qa_topic", "topic_id"),
                agency=_mapped(job, "organization_agency", "agency_id"),
            ),
        }
    if policy.table == "royalties_ledgermonth":
        return {
            "former_province": sql.SQL(
                "CASE WHEN s.former_province = '' THEN {} ELSE s.former_province END"
            ).format(sql.Literal(source.name))
        }
    return {}


def _map_join(alias: str, table: str, column: sql.Composable, job: MergeJob) -> sql.Composable:
    return sql.SQL(
        'LEFT JOIN {mr} {a} ON {a}.job_id = {job} AND {a}."table" = {t} AND {a}.old_id = {col}'
    ).format(
        mr=MERGE_ROW,
        a=sql.Identifier(alias),
        job=sql.Literal(job.pk),
        t=sql.Literal(table),
        col=column,
    )


def _former(job: MergeJob, table: str) -> int | None:
    return _scalar(
        sql.SQL('SELECT new_id FROM {} WHERE job_id = %s AND "table" = %s AND old_id = %s').format(
            MERGE_ROW
        ),
        [job.pk, table, FORMER_PORTAL],
    )


def _match(job: MergeJob, policy: Policy, s: str, t: str) -> int:
    conditions: list[sql.Composable] = []
    joins = []
    table = _tables()[policy.table]
    for n, column in enumerate(policy.key):
        referenced = table.references.get(column)
        if referenced:
            alias = f"k{n}"
            joins.append(
                _map_join(alias, referenced, sql.SQL("s.{}").format(sql.Identifier(column)), job)
            )
            conditions.append(
                sql.SQL("x.{c} = {a}.new_id").format(
                    c=sql.Identifier(column), a=sql.Identifier(alias)
                )
            )
        else:
            conditions.append(sql.SQL("x.{c} = s.{c}").format(c=sql.Identifier(column)))
    if policy.joins:
        conditions.append(_format(policy.joins, s, t, job.plan))
    query = sql.SQL(
        'INSERT INTO {mr} (job_id, "table", old_id, new_id, joined)'
        " SELECT {job}, {t}, s.id, x.id, false FROM {src} s {joins} JOIN {tgt} x ON {cond}"
        " ON CONFLICT DO NOTHING"
    ).format(
        mr=MERGE_ROW,
        job=sql.Literal(job.pk),
        t=sql.Literal(policy.table),
        src=_q(s, policy.table),
        tgt=_q(t, policy.table),
        joins=sql.SQL(" ").join(joins),
        cond=sql.SQL(" AND ").join(conditions),
    )
    return _execute(query)


def _join(job: MergeJob, policy: Policy, s: str, t: str) -> int:
    """Map the source rows that join one of the target's rows (Policy.joins) to it."""
    return _execute(
        sql.SQL(
            'INSERT INTO {mr} (job_id, "table", old_id, new_id, joined) SELECT DISTINCT ON (s.id)'
            " {job}, {t}, s.id, x.id, true FROM {src} s JOIN {tgt} x ON {cond} ORDER BY s.id, x.id"
            " ON CONFLICT DO NOTHING"
        ).format(
            mr=MERGE_ROW,
            job=sql.Literal(job.pk),
            t=sql.Literal(policy.table),
            src=_q(s, policy.table),
            tgt=_q(t, policy.table),
            cond=_format(policy.joins, s, t, job.plan),
        )
    )


def _allocate(job: MergeJob, policy: Policy, source: Province, target: Province) -> None:
    """New ids for one table's rows, drawn from the target's sequence, into MergeRow: every
    table of a stage is allocated before any row is inserted, so references in any direction
    (an item and its revisions) are rewritten."""
    s, t = source.schema_name, target.schema_name
    tables = _tables()
    table = tables[policy.table]
    where = _where(policy, s, t, job.plan)
    pk = str(table.model._meta.pk.column)
    _execute(
        sql.SQL(
            'INSERT INTO {mr} (job_id, "table", old_id, new_id, joined) SELECT {job}, {t},'
            " s.{pk}, nextval(pg_get_serial_sequence({qualified}, {pkl})), false"
            " FROM {src} s WHERE {where} ORDER BY s.{pk} ON CONFLICT DO NOTHING"
        ).format(
            mr=MERGE_ROW,
            job=sql.Literal(job.pk),
            t=sql.Literal(policy.table),
            pk=sql.Identifier(pk),
            qualified=sql.Literal(f'"{t}"."{policy.table}"'),
            pkl=sql.Literal(pk),
            src=_q(s, policy.table),
            where=where,
        )
    )


def _copy(job: MergeJob, policy: Policy, source: Province, target: Province) -> int:
    """Insert one table's rows with every reference rewritten through the maps."""
    s, t = source.schema_name, target.schema_name
    table = _tables()[policy.table]
    where = _where(policy, s, t, job.plan)
    pk = str(table.model._meta.pk.column)
    sets = _set_expressions(job, policy, source, target)
    joins: list[sql.Composable] = [
        sql.SQL('JOIN {mr} m ON m.job_id = {job} AND m."table" = {t} AND m.old_id = s.{pk}').format(
            mr=MERGE_ROW,
            job=sql.Literal(job.pk),
            t=sql.Literal(policy.table),
            pk=sql.Identifier(pk),
        )
    ]
    values: list[sql.Composable] = []
    unmapped: list[tuple[str, sql.Composable]] = []
    jsonb = {f.column for f in table.model._meta.concrete_fields if isinstance(f, models.JSONField)}
    for n, column in enumerate(table.columns):
        col = sql.SQL("s.{}").format(sql.Identifier(column))
        if column == pk:
            values.append(sql.SQL("m.new_id"))
        elif column in policy.held:
            values.append(_format(policy.held[column], s, t, job.plan))
        elif column in sets:
            values.append(sets[column])
        elif column in policy.renamed:
            alias = sql.Identifier(f"n{n}")
            joins.append(
                sql.SQL(
                    "LEFT JOIN merge_names {a} ON {a}.tbl = {t} AND {a}.col = {c}"
                    " AND {a}.old_id = s.{pk}"
                ).format(
                    a=alias,
                    t=sql.Literal(policy.table),
                    c=sql.Literal(column),
                    pk=sql.Identifier(pk),
                )
            )
            renamed = (
                sql.SQL("{a}.value").format(a=alias)
                if column in jsonb
                else sql.SQL("({a}.value #>> '{{}}')").format(a=alias)
            )
            values.append(
                sql.SQL("CASE WHEN {a}.old_id IS NULL THEN {col} ELSE {v} END").format(
                    a=alias, col=col, v=renamed
                )
            )
        elif column in table.references:
            referenced = table.references[column]
            ref_alias = f"r{n}"
            joins.append(_map_join(ref_alias, referenced, col, job))
            mapped = sql.SQL("{}.new_id").format(sql.Identifier(ref_alias))
            if column in policy.portal:
                former = _former(job, referenced)
                values.append(
                    sql.SQL("CASE WHEN {col} IS NULL THEN {f} ELSE {m} END").format(
                        col=col, f=sql.Literal(former), m=mapped
                    )
                )
            else:
                values.append(mapped)
            unmapped.append(
                (column, sql.SQL("({col} IS NOT NULL AND {m} IS NULL)").format(col=col, m=mapped))
            )
        else:
            values.append(col)
    source_rows = sql.SQL("FROM {src} s {joins} WHERE {where}").format(
        src=_q(s, policy.table), joins=sql.SQL(" ").join(joins), where=where
    )
    # A reference that points at nothing moved would lose a link: refuse loudly instead.
    if unmapped:
        checks = sql.SQL(", ").join(
            sql.SQL("count(*) FILTER (WHERE {})").format(cond) for _column, cond in unmapped
        )
        missing = _rows(sql.SQL("SELECT {} {}").format(checks, source_rows))[0]
        lost = [f"{c}={n}" for (c, _cond), n in zip(unmapped, missing, strict=True) if n]
        if lost:
            raise MergeError(
                "unmapped_reference",
                _("Bảng %(table)s có tham chiếu tới dữ liệu không được chuyển (%(lost)s).")
                % {"table": policy.table, "lost": ", ".join(lost)},
            )
    inserted = _execute(
        sql.SQL("INSERT INTO {tgt} ({cols}) SELECT {values} {rows}").format(
            tgt=_q(t, policy.table),
            cols=sql.SQL(", ").join(sql.Identifier(c) for c in table.columns),
            values=sql.SQL(", ").join(values),
            rows=source_rows,
        )
    )
    return inserted


def _create_former_portal(job: MergeJob, source: Province, target: Province) -> None:
    """The agency and the site of the target that hold the source province's own portal (its
    items, sections, page views and province-level records), inactive until the cutover."""
    from organization.models import Agency, ComponentSite

    if _former(job, "organization_agency") is not None:
        return
    former = job.plan["former_portal"]
    with schema_context(target.schema_name):
        agency = Agency.objects.create(
            name=former["agency"],
            short_name=source.name[:60],
            kind=Agency.Kind.OTHER,
            source=_("Hợp nhất tỉnh từ %(date)s")
            % {"date": job.effective_from.strftime("%d/%m/%Y")},
            is_active=False,
        )
        site = ComponentSite.objects.create(
            agency=agency,
            label=former["label"],
            host=former["host"],
            dev_host=former.get("dev_host"),
            is_active=False,
        )
    MergeRow.objects.bulk_create(
        [
            MergeRow(job=job, table="organization_agency", old_id=FORMER_PORTAL, new_id=agency.pk),
            MergeRow(
                job=job, table="organization_componentsite", old_id=FORMER_PORTAL, new_id=site.pk
            ),
        ]
    )


def _copy_stage(stage: str) -> Callable[..., int]:
    def run(job: MergeJob, source: Province, target: Province, actor, progress) -> int:
        policies = _policies_of(stage)
        moved = 0
        with transaction.atomic():
            _load_names(job, stage)
            for policy in policies:
                if policy.how == "match":
                    _match(job, policy, source.schema_name, target.schema_name)
                    continue
                if policy.joins:
                    _join(job, policy, source.schema_name, target.schema_name)
                _allocate(job, policy, source, target)
            if stage == "organization":
                _create_former_portal(job, source, target)
            # The maps just written are what every insert of the stage joins: the planner must
            # know they are there (ANALYZE counts this transaction's own rows), or a merge after
            # another, on statistics that say the job has no rows, reads the map row by row.
            _execute(sql.SQL("ANALYZE {}").format(MERGE_ROW))
            copied = [p for p in policies if p.how == "copy"]
            for n, policy in enumerate(copied):
                moved += _copy(job, policy, source, target)
                progress(stage, n + 1, len(copied))
            _stage_done(job, stage, moved)
        return moved

    return run


# ---- files


def _stage_files(job: MergeJob, source: Province, target: Province, actor, progress) -> int:
    """Copy every file the moved rows name from the source's area into the target's; a name
    the target already uses for other bytes gets a free name, written on the row."""
    tables = _tables()
    source_store = media_storage_for(source.schema_name)
    target_store = media_storage_for(target.schema_name)
    copied = 0
    renamed: list[tuple[str, str, int, str]] = []
    for stage in COPY_STAGES:
        for policy in _policies_of(stage):
            table = tables.get(policy.table)
            if table is None or policy.how != "copy" or not table.file_columns:
                continue
            for column in table.file_columns:
                rows = _rows(
                    sql.SQL(
                        "SELECT m.new_id, s.{c} FROM {src} s JOIN {mr} m ON m.job_id = %s"
                        " AND m.\"table\" = %s AND m.old_id = s.id WHERE s.{c} <> ''"
                    ).format(
                        c=sql.Identifier(column),
                        src=_q(source.schema_name, policy.table),
                        mr=MERGE_ROW,
                    ),
                    [job.pk, policy.table],
                )
                for new_id, name in rows:
                    if not source_store.exists(name):
                        continue  # a row whose file was already missing stays as it was
                    with source_store.open(name, "rb") as handle:
                        data = handle.read()
                    if target_store.exists(name):
                        with target_store.open(name, "rb") as handle:
                            if handle.read() == data:
                                continue
                    stored = target_store.save(name, ContentFile(data))
                    copied += 1
                    if stored != name:
                        renamed.append((policy.table, column, new_id, stored))
    with transaction.atomic():
        for table_name, column, new_id, stored in renamed:
            _execute(
                sql.SQL("UPDATE {} SET {} = %s WHERE id = %s").format(
                    _q(target.schema_name, table_name), sql.Identifier(column)
                ),
                [stored, new_id],
            )
        _stage_done(job, "files", copied)
    return copied


# ---- cutover


def _restore_held(job: MergeJob, source: Province, target: Province) -> None:
    for policy in _policies():
        if not policy.held or policy.how != "copy":
            continue
        assignments = sql.SQL(", ").join(
            sql.SQL("{c} = s.{c}").format(c=sql.Identifier(c)) for c in policy.held
        )
        _execute(
            sql.SQL(
                "UPDATE {tgt} x SET {a} FROM {mr} m JOIN {src} s ON s.id = m.old_id"
                ' WHERE m.job_id = %s AND m."table" = %s AND x.id = m.new_id'
            ).format(
                tgt=_q(target.schema_name, policy.table),
                a=assignments,
                mr=MERGE_ROW,
                src=_q(source.schema_name, policy.table),
            ),
            [job.pk, policy.table],
        )
    for table in ("organization_agency", "organization_componentsite"):
        _execute(
            sql.SQL("UPDATE {} SET is_active = true WHERE id = %s").format(
                _q(target.schema_name, table)
            ),
            [_former(job, table)],
        )


def _resolve_procedures(job: MergeJob, source: Province, target: Province) -> None:
    """Each national code both provinces listed ends with one record holding it: the target's
    ("target") or the source's ("source"); the other is kept, withdrawn, as history."""
    s, t = source.schema_name, target.schema_name
    reason_target = _("Hợp nhất tỉnh: thay bằng thủ tục cùng mã của tỉnh %(name)s.")
    for conflict in job.plan.get("procedure_conflicts", []):
        code, language = conflict["code"], conflict["language"]
        keep = conflict.get("resolution") or job.resolutions.get("procedures", {}).get(code)
        moved = _scalar(
            sql.SQL(
                'SELECT m.new_id FROM {si} s JOIN {mr} m ON m.job_id = %s AND m."table" ='
                " 'editorial_item' AND m.old_id = s.id WHERE s.code = %s AND s.language = %s"
                " AND s.kind = 'procedure'"
            ).format(si=_q(s, "editorial_item"), mr=MERGE_ROW),
            [job.pk, code, language],
        )
        own = _scalar(
            sql.SQL(
                "SELECT id FROM {} WHERE code = %s AND language = %s AND kind = 'procedure'"
            ).format(_q(t, "editorial_item")),
            [code, language],
        )
        if moved is None or own is None:
            continue
        if keep == "source":
            loser, winner, name = own, moved, source.name
        else:
            loser, winner, name = moved, own, target.name
        _execute(
            sql.SQL(
                "UPDATE {} SET code = '', withdrawal_reason = %s, status = CASE WHEN status ="
                " 'published' THEN 'withdrawn' ELSE status END WHERE id = %s"
            ).format(_q(t, "editorial_item")),
            [reason_target % {"name": name}, loser],
        )
        if winner == moved:
            _execute(
                sql.SQL("UPDATE {} SET code = %s WHERE id = %s").format(_q(t, "editorial_item")),
                [code, moved],
            )


def _attach_hosts(job: MergeJob, source: Province, target: Province) -> list[str]:
    """The source's hosts point into the target and answer with redirects; the moved sites get
    their new hosts. Returns every host whose routing changed."""
    plan = job.plan
    changed: list[str] = []
    new_hosts: list[tuple[str, bool]] = []
    former = plan["former_portal"]
    new_hosts.append((former["host"], False))
    if former.get("dev_host"):
        new_hosts.append((former["dev_host"], True))
    for site in plan["sites"]:
        if site.get("new_host"):
            new_hosts.append((site["new_host"], False))
        if site.get("new_dev_host"):
            new_hosts.append((site["new_dev_host"], True))
    for host, is_dev in new_hosts:
        Domain.objects.get_or_create(
            domain=host,
            defaults={
                "tenant": target,
                "is_primary": False,
                "kind": Domain.Kind.COMPONENT,
                "is_development": is_dev,
            },
        )
        changed.append(host)
    old = list(Domain.objects.filter(tenant=source))
    Domain.objects.filter(tenant=source).update(tenant=target, is_primary=False)
    for entry in plan["hosts"]:
        host, target_host = entry["host"], entry["target_host"]
        HostRedirect.objects.update_or_create(
            host=host,
            defaults={
                "province": target,
                "target_host": target_host,
                "reason": HostRedirect.Reason.PROVINCE_MERGE,
                "former_name": source.portal_name or source.name,
                "current_name": target.portal_name or target.name,
                "job": job,
            },
        )
        changed.append(host)
    _path_redirects(job, source, target)
    changed.extend(d.domain for d in old)
    return changed


def _old_hosts(job: MergeJob, source: Province) -> dict[str | None, list[tuple[str, str, bool]]]:
    """The source's old hosts by the label of the site they served (None: its portal), each
    with the host it now redirects to and whether it is a development host."""
    site_of_host: dict[str, str] = {}
    for label, host, dev_host, alternates in _rows(
        sql.SQL("SELECT label, host, dev_host, alternate_hosts FROM {}").format(
            _q(source.schema_name, "organization_componentsite")
        )
    ):
        for name in filter(None, (host, dev_host, *(alternates or []))):
            site_of_host[name] = label
    development = set(
        Domain.objects.filter(
            domain__in=[h["host"] for h in job.plan["hosts"]], is_development=True
        ).values_list("domain", flat=True)
    )
    by_site: dict[str | None, list[tuple[str, str, bool]]] = {}
    for entry in job.plan["hosts"]:
        by_site.setdefault(site_of_host.get(entry["host"]), []).append(
            (entry["host"], entry["target_host"], entry["host"] in development)
        )
    return by_site


def _site_filter(source: Province, label: str | None) -> sql.Composable:
    if label is None:
        return sql.SQL("i.site_id IS NULL")
    return sql.SQL("i.site_id = (SELECT id FROM {} WHERE label = {})").format(
        _q(source.schema_name, "organization_componentsite"), sql.Literal(label)
    )


def _path_redirects(job: MergeJob, source: Province, target: Province) -> None:
    """Addresses whose path the merge changed, on every old host of their site: a file's (its
    number changed), and a procedure's (the catalogue of the province that joined lists it on
    its portal, by code, whichever record kept the code)."""
    s = source.schema_name
    # The target's own portal hosts (the source's, attached to it by now, redirect).
    portal = Domain.objects.filter(tenant=target, kind=Domain.Kind.PORTAL).exclude(
        domain__in=[h["host"] for h in job.plan["hosts"]]
    )
    portal_host = (
        portal.filter(is_development=False)
        .order_by("-is_primary", "domain")
        .values_list("domain", flat=True)
        .first()
    )
    portal_dev = portal.filter(is_development=True).values_list("domain", flat=True).first()
    table = sql.Identifier("public", PathRedirect._meta.db_table)
    upsert = sql.SQL(
        " ON CONFLICT (host, old_path) DO UPDATE SET target_host = EXCLUDED.target_host,"
        " new_path = EXCLUDED.new_path"
    )
    for label, hosts in _old_hosts(job, source).items():
        site = _site_filter(source, label)
        for old_host, new_host, is_dev in hosts:
            _execute(
                sql.SQL(
                    "INSERT INTO {pr} (host, old_path, target_host, new_path, job_id)"
                    " SELECT %s, '/tep/' || a.id || '/', %s, '/tep/' || m.new_id || '/', %s"
                    " FROM {sa} a JOIN {si} i ON i.id = a.item_id JOIN {mr} m ON m.job_id = %s"
                    " AND m.\"table\" = 'editorial_attachment' AND m.old_id = a.id WHERE {f}"
                ).format(
                    pr=table,
                    sa=_q(s, "editorial_attachment"),
                    si=_q(s, "editorial_item"),
                    mr=MERGE_ROW,
                    f=site,
                )
                + upsert,
                [old_host, new_host, job.pk, job.pk],
            )
            to = portal_dev if is_dev else portal_host
            if not to:
                continue
            _execute(
                sql.SQL(
                    "INSERT INTO {pr} (host, old_path, target_host, new_path, job_id)"
                    " SELECT DISTINCT ON (p.path) %s, p.path, %s, '/thu-tuc/' || i.code || '/', %s"
                    " FROM {si} i CROSS JOIN LATERAL (VALUES ('/thu-tuc/' || i.code || '/'),"
                    " ('/bai-viet/' || i.slug || '/')) p(path)"
                    " WHERE {f} AND i.kind = 'procedure' AND i.code <> '' AND i.language = 'vi'"
                ).format(pr=table, si=_q(s, "editorial_item"), f=site)
                + upsert,
                [old_host, to, job.pk],
            )


def _counts(job: MergeJob, source: Province, target: Province) -> list[dict[str, Any]]:
    """Before and after, table by table: the source's rows, those a policy leaves behind (with
    why), and those that arrived in the target: copied, or joined to one of its rows. The
    counts match when every row meant to move is in the target."""
    s, t = source.schema_name, target.schema_name
    result = []
    tables = _tables()
    for policy in _policies():
        if policy.how != "copy" or policy.table not in tables:
            continue
        total = _count(s, policy.table)
        where = _format(policy.where, s, t, job.plan) if policy.where else None
        expected = _count(s, policy.table, where) if where is not None else total
        arrived, joined = _rows(
            sql.SQL(
                "SELECT count(x.id) FILTER (WHERE NOT m.joined), count(*) FILTER (WHERE m.joined)"
                " FROM {mr} m LEFT JOIN {tgt} x ON x.id = m.new_id"
                ' WHERE m.job_id = %s AND m."table" = %s AND m.old_id <> %s'
            ).format(tgt=_q(t, policy.table), mr=MERGE_ROW),
            [job.pk, policy.table, FORMER_PORTAL],
        )[0]
        why = [str(policy.why)] if total != expected or joined else []
        result.append(
            {
                "table": policy.table,
                "label": str(policy.label) or policy.table,
                "source": total,
                "expected": expected,
                "arrived": arrived,
                "joined": joined,
                "not_moved": total - expected + joined,
                "why": "; ".join(why),
                "match": arrived + joined == expected,
            }
        )
    return result


def _stage_cutover(job: MergeJob, source: Province, target: Province, actor, progress) -> int:
    """One transaction: the counts are compared (a mismatch stops here, with both provinces
    as they were), held values are given back, procedure conflicts settled, hosts attached with
    their redirects, the source marked merged and the target's profile date recorded."""
    with transaction.atomic():
        counts = _counts(job, source, target)
        wrong = [c for c in counts if not c["match"]]
        if wrong:
            raise MergeError(
                "counts_differ",
                _("Số lượng không khớp: %(tables)s.")
                % {
                    "tables": ", ".join(
                        f"{c['label']} {c['arrived']}/{c['expected']}" for c in wrong[:5]
                    )
                },
            )
        _restore_held(job, source, target)
        _resolve_procedures(job, source, target)
        hosts = _attach_hosts(job, source, target)
        now = timezone.now()
        Province.objects.filter(pk=source.pk).update(
            merged_into=target, merged_at=now, frozen_at=None, frozen_reason=""
        )
        profile_from = job.plan.get("profile", {}).get("effective_from")
        if profile_from:
            Province.objects.filter(pk=target.pk).update(
                profile_effective_from=date.fromisoformat(profile_from)
            )
        _stage_done(job, "cutover", len(hosts), counts=counts)
        transaction.on_commit(lambda: _forget_caches(source, target, hosts))
    return len(hosts)


def _forget_caches(source: Province, target: Province, hosts: list[str]) -> None:
    host_cache_forget(*hosts)
    cache_forget_schema(source.schema_name)
    cache_forget_schema(target.schema_name)
    try:
        from tenants.redirects import redirects_forget
    except ImportError:  # pragma: no cover - the redirects module lands with the merge
        return
    redirects_forget(*hosts)


def _stage_verify(job: MergeJob, source: Province, target: Province, actor, progress) -> int:
    """After the cutover: the target's search index is built again (the moved items and
    questions are found), and the counts are taken once more for the record."""
    from search.registry import sources
    from search.services import documents_rebuild_all

    with schema_context(target.schema_name):
        documents_rebuild_all(sources())
    with transaction.atomic():
        counts = _counts(job, source, target)
        _stage_done(job, "verify", sum(c["arrived"] for c in counts), counts=counts)
    return sum(c["arrived"] for c in counts)


_STAGE_RUNNERS: dict[str, Callable[..., int]] = {
    "backup": _stage_backup,
    **{stage: _copy_stage(stage) for stage in COPY_STAGES},
    "files": _stage_files,
    "cutover": _stage_cutover,
    "verify": _stage_verify,
}


# ---- undo and cancel


def _undo(job: MergeJob, source: Province, target: Province, *, stages: Iterable[str]) -> None:
    """Delete what the copy stages put in the target (before any cutover), newest table first,
    and forget those stages: the next run copies again from a fresh backup."""
    stages = [s for s in stages if s in COPY_STAGES or s in ("backup", "files")]
    with transaction.atomic():
        for stage in reversed(COPY_STAGES):
            for policy in reversed(_policies_of(stage)):
                if policy.how == "copy":
                    _execute(
                        sql.SQL(
                            # Only what the merge created: a row joined to one of the
                            # target's own (a topic of the same name) is the target's.
                            "DELETE FROM {tgt} WHERE id IN (SELECT new_id FROM {mr} WHERE job_id"
                            ' = %s AND "table" = %s AND NOT joined)'
                        ).format(tgt=_q(target.schema_name, policy.table), mr=MERGE_ROW),
                        [job.pk, policy.table],
                    )
        MergeRow.objects.filter(job=job).delete()
        fresh = {k: v for k, v in job.stages.items() if k not in stages}
        MergeJob.objects.filter(pk=job.pk).update(stages=fresh)
        job.stages = fresh


def merge_cancel(*, job: MergeJob, actor=None) -> MergeJob:
    """Give up a planned or failed merge: what was copied into the target is deleted, the
    source is unfrozen, the job is kept as CANCELLED for the record."""
    job = MergeJob.objects.get(pk=job.pk)
    if merge_interrupted(job):
        _interrupted(job)
        job.refresh_from_db()
    if job.status not in (MergeJob.Status.PLANNED, MergeJob.Status.FAILED):
        raise MergeError(
            "not_cancellable",
            _("Chỉ huỷ được lượt hợp nhất chưa chạy hoặc đã dừng do lỗi."),
            kind=ErrorKind.CONFLICT,
        )
    source = Province.objects.get(pk=job.source_id)
    target = Province.objects.get(pk=job.target_id)
    if job.stages:
        _undo(job, source, target, stages=STAGES)
    _freeze(source, frozen=False)
    MergeJob.objects.filter(pk=job.pk).update(
        status=MergeJob.Status.CANCELLED, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job
