"""The operator console's backups (platform host, ADR 0020): each province against its
schedule, a backup taken now, a backup's proofs and restores, a restore tried as a dry run
before it is made, and the schemas in-place restores kept.

Long work is queued for the workers; while something runs, the pages refresh themselves."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from backups import tasks as backup_tasks
from backups.models import Backup, Restore, Verification
from backups.schedule import province_status
from backups.selectors import (
    backup_get,
    backup_list,
    manifest_summary,
    restore_get,
)
from backups.services import BackupError, backup_request, backup_restore, kept_schema_drop
from core.errors import ServiceError
from frontend.errors import add_service_error, http_status, service_message
from provinces.loader import ProfileError
from tenants.outbox import enqueue
from tenants.selectors import province_list

MAX_ID = 2**63 - 1
StrOrPromise = str | Promise
RECENT = 5  # backups listed under each province; the backup's page has the rest
REFRESH_SECONDS = 5
MAX_LINES = 200  # of one list in a dry run's report


def _stage_labels() -> dict[str, StrOrPromise]:
    # The engine's stages as an operator reads them.
    return {
        "tables": _("Đếm và kiểm tra các bảng"),
        "dump": _("Sao chép cơ sở dữ liệu"),
        "files": _("Sao chép tệp"),
        "store": _("Lưu vào kho sao lưu"),
        "download": _("Tải bản sao lưu"),
        "extract": _("Giải nén"),
        "restore": _("Phục hồi cơ sở dữ liệu"),
        "swap": _("Hoán đổi lược đồ"),
        "migrate": _("Áp dụng cập nhật cấu trúc"),
    }


def progress_of(record) -> dict | None:
    """A running record's progress for people: stage label, done, total, percent."""
    progress = record.progress or {}
    if record.status == "queued":  # asked for, no worker has taken it yet
        return {"stage": _("Đang chờ đến lượt"), "done": 0, "total": 0, "percent": 0}
    if record.status != "running":
        return None
    done, total = progress.get("done") or 0, progress.get("total") or 0
    return {
        "stage": _stage_labels().get(progress.get("stage", ""), _("Đang xử lý")),
        "done": done,
        "total": total,
        "percent": int(100 * done / total) if total else 0,
    }


def _problem_what() -> dict[str, StrOrPromise]:
    return {
        "table": _("Bảng"),
        "file": _("Tệp"),
        "archive": _("Tệp nén"),
        "migrations": _("Cấu trúc dữ liệu"),
    }


def problems_of(verification: Verification) -> list[dict]:
    what = _problem_what()
    return [
        {
            "what": what.get(str(p.get("what", "")), ""),
            "name": p.get("name") or "",
            "reason": p.get("reason") or "",
        }
        for p in (verification.problems or [])
        if isinstance(p, dict)
    ]


def _table_change(table: dict) -> Promise | str:
    name, now, then = table.get("table"), table.get("rows_now"), table.get("rows_in_backup")
    if now is None:
        return _("%(table)s: chưa có bảng này, bản sao lưu có %(then)s dòng") % {
            "table": name,
            "then": then,
        }
    if then is None:
        return _("%(table)s: hiện có %(now)s dòng, bản sao lưu không có bảng này") % {
            "table": name,
            "now": now,
        }
    if now == then:
        # Same number of rows, different content: rows were edited since the backup.
        return _("%(table)s: cùng %(now)s dòng nhưng nội dung khác bản sao lưu") % {
            "table": name,
            "now": now,
        }
    return _("%(table)s: hiện có %(now)s dòng, bản sao lưu có %(then)s dòng") % {
        "table": name,
        "now": now,
        "then": then,
    }


def report_sections(report: dict) -> list[dict]:
    """A restore's report (its dry run) for people: a labelled section per part that changes."""
    report = report or {}
    sections: list[dict] = []
    tables = report.get("tables")
    if isinstance(tables, list):
        changed = [t for t in tables if isinstance(t, dict) and not t.get("same")]
        sections.append(
            {
                "label": _("Bảng thay đổi: %(changed)s trên %(total)s")
                % {"changed": len(changed), "total": len(tables)},
                "lines": [_table_change(t) for t in changed[:MAX_LINES]],
            }
        )
    elif tables is not None:
        sections.append(
            {
                "label": _(
                    "Lược đồ mới %(schema)s sẽ có %(tables)s bảng, %(rows)s dòng, %(files)s tệp"
                )
                % {
                    "schema": report.get("target_schema", ""),
                    "tables": tables,
                    "rows": report.get("rows", 0),
                    "files": report.get("files", 0),
                },
                "lines": [],
            }
        )
    lists = (
        ("files_added", _("Tệp sẽ được thêm: %(n)s")),
        ("files_removed", _("Tệp sẽ bị xoá: %(n)s")),
        ("files_changed", _("Tệp sẽ thay đổi: %(n)s")),
        ("migrations_to_apply", _("Cập nhật cấu trúc dữ liệu áp dụng sau khi phục hồi: %(n)s")),
    )
    for key, label in lists:
        values = report.get(key)
        if values is None:
            continue
        lines = [str(value) for value in values[:MAX_LINES]]
        if len(values) > MAX_LINES:
            lines.append(_("… và %(n)s mục khác") % {"n": len(values) - MAX_LINES})
        sections.append({"label": label % {"n": len(values)}, "lines": lines})
    if report.get("kept_schema"):
        sections.append(
            {
                "label": _("Lược đồ hiện tại sẽ được giữ lại dưới tên %(name)s")
                % {"name": report["kept_schema"]},
                "lines": [],
            }
        )
    if report.get("archive_present") is False:
        sections.append({"label": _("Không tìm thấy tệp sao lưu trong kho."), "lines": []})
    return sections


def _seconds(duration) -> float | None:
    return duration.total_seconds() if duration is not None else None


def _operator(request) -> None:
    # Ministry operators only (public schema accounts with the staff flag), as the console.
    if not request.user.is_staff:
        raise PermissionDenied


def _backup_or_404(pk: int) -> Backup:
    if not 0 < pk <= MAX_ID:
        raise Http404
    try:
        return backup_get(pk)
    except ServiceError as error:
        raise Http404 from error


class RestoreForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Cách phục hồi"),
        choices=Restore.Mode.choices,
        widget=forms.RadioSelect,
        initial=Restore.Mode.INTO,
    )
    target_schema = forms.RegexField(
        label=_("Tên lược đồ mới (chỉ khi phục hồi vào lược đồ mới)"),
        regex=r"^[a-z][a-z0-9_]{0,62}$",
        max_length=63,
        required=False,
        error_messages={
            "invalid": _(
                "Tên lược đồ gồm chữ thường không dấu, chữ số hoặc dấu gạch dưới, bắt đầu "
                "bằng một chữ, dài tối đa 63 ký tự."
            )
        },
    )
    dry_run = forms.BooleanField(
        label=_("Chạy thử: chỉ báo những gì sẽ thay đổi"), required=False, initial=True
    )
    # Set by the dry run's confirmation form only: a real in-place restore follows a dry run.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_target_schema(self):
        value = self.cleaned_data.get("target_schema") or ""
        if value and (value in ("public", "information_schema") or value.startswith("pg_")):
            raise forms.ValidationError(_("Tên lược đồ này do hệ thống dùng."))
        return value

    def clean(self):
        data = super().clean()
        mode, target = data.get("mode"), data.get("target_schema")
        if mode == Restore.Mode.INTO and not target:
            self.add_error("target_schema", _("Cần tên lược đồ mới để phục hồi vào."))
        if mode == Restore.Mode.IN_PLACE:
            if target:
                self.add_error(
                    "target_schema", _("Phục hồi tại chỗ ghi vào lược đồ của tỉnh: bỏ trống.")
                )
            if not data.get("dry_run") and not data.get("confirm"):
                self.add_error(
                    "dry_run",
                    _("Phục hồi tại chỗ: hãy chạy thử trước, xem báo cáo rồi mới xác nhận."),
                )
        return data


# --- pages -------------------------------------------------------------------------------


@never_cache
@login_required
def backups_home(request):
    _operator(request)
    rows = []
    running = False
    for province in province_list():
        try:
            state = province_status(province)
        except ProfileError:  # no profile under its slug: no schedule to stand against
            state = None
        recent = [
            {"backup": backup, "progress": progress_of(backup)}
            for backup in backup_list(province_slug=province.slug, limit=RECENT)
        ]
        running = running or any(item["progress"] for item in recent)
        rows.append(
            {
                "province": province,
                "state": state,
                "rules": state.policy.rules if state else (),
                "recent": recent,
                "verification": state.last_verification if state else None,
                "duration": _seconds(state.duration) if state else None,
                "running": any(item["progress"] for item in recent),
            }
        )
    return render(
        request,
        "frontend/console/backups.html",
        {"rows": rows, "refresh": REFRESH_SECONDS if running else None},
    )


@never_cache
@login_required
def backup_detail(request, pk: int, *, form=None, dry_run=None, status=200):
    _operator(request)
    backup = _backup_or_404(pk)
    restores = list(backup.restores.all())
    proofs = list(backup.verifications.all())
    verifications = [{"verification": v, "problems": problems_of(v)} for v in proofs]
    running = (
        backup.status == Backup.Status.RUNNING
        or any(v.status == Verification.Status.RUNNING for v in proofs)
        or any(r.status == Restore.Status.RUNNING for r in restores)
    )
    context = {
        "backup": backup,
        "province_name": backup.province.name if backup.province else backup.province_slug,
        "duration": _seconds(backup.duration),
        "progress": progress_of(backup),
        "summary": manifest_summary(backup.manifest),
        "verifications": verifications,
        "restores": [{"restore": r, "progress": progress_of(r)} for r in restores],
        "kept": [r for r in restores if r.kept_schema],
        "form": form or RestoreForm(),
        "dry_run": dry_run,
        "report": report_sections(dry_run.report) if dry_run is not None else [],
        "restorable": backup.status == Backup.Status.SUCCEEDED,
        "refresh": REFRESH_SECONDS if running and dry_run is None else None,
    }
    return render(request, "frontend/console/backup.html", context, status=status)


# --- actions (POST, CSRF) ----------------------------------------------------------------


@require_POST
@login_required
def backup_start(request):
    _operator(request)
    slug = request.POST.get("province", "")
    province = province_list().filter(slug=slug[:40]).first() if slug.isalnum() else None
    if province is None:
        messages.error(request, _("Không có tỉnh này trên nền tảng."))
        return redirect("frontend:console_backups")
    try:
        backup = backup_request(province=province, actor=request.user)
        enqueue(
            backup_tasks.backup_province_task,
            province.slug,
            Backup.Kind.MANUAL,
            actor_id=request.user.pk,
            backup_id=backup.pk,
        )
    except BackupError as error:  # one waiting or running already, or refused at once
        messages.error(request, service_message(error))
    else:
        messages.success(
            request,
            _("Đã bắt đầu sao lưu %(province)s; bản sao sẽ được kiểm tra ngay sau đó.")
            % {"province": province.name},
        )
    return redirect("frontend:console_backups")


@require_POST
@login_required
def backup_verify(request, pk: int):
    _operator(request)
    backup = _backup_or_404(pk)
    if backup.status != Backup.Status.SUCCEEDED:
        messages.error(request, _("Chỉ kiểm tra được một bản sao lưu đã hoàn tất."))
    else:
        try:
            enqueue(backup_tasks.verify_backup_task, backup.pk, actor_id=request.user.pk)
        except BackupError as error:
            messages.error(request, service_message(error))
        else:
            messages.success(request, _("Đã bắt đầu kiểm tra bản sao lưu."))
    return redirect("frontend:console_backup", pk=backup.pk)


@require_POST
@login_required
def backup_restore_start(request, pk: int):
    _operator(request)
    backup = _backup_or_404(pk)
    form = RestoreForm(request.POST)
    if not form.is_valid():
        return backup_detail(request, pk, form=form, status=400)
    if backup.status != Backup.Status.SUCCEEDED:
        form.add_error(None, _("Chỉ phục hồi được từ một bản sao lưu đã hoàn tất."))
        return backup_detail(request, pk, form=form, status=409)
    data = form.cleaned_data
    target = data["target_schema"] or None
    if data["dry_run"]:
        try:
            report = backup_restore(
                backup=backup,
                mode=data["mode"],
                target_schema=target,
                dry_run=True,
                actor=request.user,
            )
        except ServiceError as error:
            add_service_error(form, error)
            return backup_detail(request, pk, form=form, status=http_status(error))
        # The confirmation repeats the choice without the dry run.
        confirm = RestoreForm(
            initial={
                "mode": data["mode"],
                "target_schema": target or "",
                "dry_run": False,
                "confirm": True,
            }
        )
        return backup_detail(request, pk, form=confirm, dry_run=report)
    try:
        backup_tasks.restore_queue(
            backup=backup, mode=data["mode"], target_schema=target, actor=request.user
        )
    except ServiceError as error:
        add_service_error(form, error)
        return backup_detail(request, pk, form=form, status=http_status(error))
    messages.success(request, _("Đã bắt đầu phục hồi."))
    return redirect("frontend:console_backup", pk=backup.pk)


@require_POST
@login_required
def kept_schema_drop_view(request, pk: int):
    _operator(request)
    try:
        restore = restore_get(pk)
    except BackupError as error:
        raise Http404 from error
    try:
        kept_schema_drop(restore=restore, actor=request.user)
    except ServiceError as error:
        messages.error(request, service_message(error))
    else:
        messages.success(request, _("Đã xoá lược đồ được giữ lại và các tệp của nó."))
    return redirect("frontend:console_backup", pk=restore.backup_id)
