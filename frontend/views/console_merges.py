"""The operator console's province merges (platform host, issue 16): the merge jobs with their
status and the dry run's form (source, target, effective date); a job's page with the plan as
tables, the answers to the procedures both provinces hold under one code, the run (queued for
a worker through the outbox), its stages refreshed while it runs, the before/after counts once
it is done, and the cancellation of a job planned or stopped.

Every write goes through tenants.merging; this layer only reads and renders."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from frontend.errors import add_service_error, http_status, service_message
from tenants.merge_display import (
    RESOLUTION_LABELS,
    plan_problems,
    plan_sections,
    procedure_conflicts,
    role_answers,
    role_choices,
    stage_label,
    stage_rows,
    verify_rows,
)
from tenants.merge_tasks import merge_progress_key, merge_run_queue, merge_run_task
from tenants.merging import STAGES, MergeError, merge_cancel, merge_plan, merge_resolve
from tenants.models import MergeJob
from tenants.selectors import merge_job_get, merge_job_list, merge_run_queued, province_list

MAX_ID = 2**63 - 1
MAX_JOBS = 200  # listed on the merges' page, newest first
MAX_ANSWERS = 2000  # procedures or roles answered in one form (the engine's bound too)
REFRESH_SECONDS = 5
# A merge's effective date: the reform's first merges took effect in 2025; nothing before the
# platform's oldest profile or past the end of the century is a date anyone means.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
OPEN = (MergeJob.Status.PLANNED, MergeJob.Status.FAILED)  # answerable, runnable, cancellable


def _operator(request) -> None:
    # Ministry operators only (public schema accounts with the staff flag), as the console.
    if not request.user.is_staff:
        raise PermissionDenied


def _job_or_404(pk: int) -> MergeJob:
    if not 0 < pk <= MAX_ID:
        raise Http404
    job = merge_job_get(pk)
    if job is None:
        raise Http404
    return job


def _province_choices() -> list[tuple[str, str]]:
    return [("", _("— Chọn tỉnh —"))] + [
        (province.slug, province.name) for province in province_list().order_by("name")
    ]


class PlanForm(forms.Form):
    source = forms.ChoiceField(
        label=_("Tỉnh được hợp nhất"),
        help_text=_("Tỉnh có dữ liệu, cơ quan và tên miền chuyển sang tỉnh nhận."),
        error_messages={
            "required": _("Hãy chọn tỉnh được hợp nhất."),
            "invalid_choice": _("Không có tỉnh này trên nền tảng."),
        },
    )
    target = forms.ChoiceField(
        label=_("Tỉnh nhận"),
        error_messages={
            "required": _("Hãy chọn tỉnh nhận."),
            "invalid_choice": _("Không có tỉnh này trên nền tảng."),
        },
    )
    effective_from = forms.DateField(
        label=_("Ngày hợp nhất có hiệu lực"),
        help_text=_("Theo nghị quyết sắp xếp đơn vị hành chính, ví dụ 2025-07-01."),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": _("Hãy nhập ngày hợp nhất có hiệu lực."),
            "invalid": _("Ngày không hợp lệ: nhập theo dạng YYYY-MM-DD hoặc dd/mm/yyyy."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = _province_choices()
        self.fields["source"].choices = choices
        self.fields["target"].choices = choices

    def clean_effective_from(self):
        value = self.cleaned_data["effective_from"]
        if not EARLIEST <= value <= LATEST:
            raise forms.ValidationError(_("Ngày hợp nhất phải trong khoảng năm 2000 đến 2099."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("source") and data.get("source") == data.get("target"):
            self.add_error("target", _("Tỉnh nhận phải khác tỉnh được hợp nhất."))
        return data


class ResolveForm(forms.Form):
    """The operator's answers: one choice per procedure code both provinces hold, and the role
    of the receiving province each role held in the merged province maps to (fields by
    position, so that a code's characters never reach a field's name). The page has two forms,
    one per part; each sends its own fields, and only the fields sent are answered."""

    def __init__(self, *args, job: MergeJob, **kwargs):
        super().__init__(*args, **kwargs)
        plan = job.plan if isinstance(job.plan, dict) else {}
        resolutions = job.resolutions if isinstance(job.resolutions, dict) else {}
        answered = resolutions.get("procedures")
        answered = answered if isinstance(answered, dict) else {}
        self.conflicts = procedure_conflicts(plan)[:MAX_ANSWERS]
        for index, conflict in enumerate(self.conflicts):
            stored = answered.get(conflict["code"])  # the stored answer wins over the plan's copy
            self.fields[f"p{index}"] = forms.ChoiceField(
                label=conflict["code"],
                choices=list(RESOLUTION_LABELS.items()),
                widget=forms.RadioSelect,
                required=False,
                initial=stored if stored in RESOLUTION_LABELS else conflict["resolution"] or None,
                error_messages={"invalid_choice": _("Lựa chọn không hợp lệ.")},
            )
        self.roles = role_answers(plan, resolutions)[:MAX_ANSWERS]
        choices = [("", _("— Không chọn —")), *role_choices(plan)]
        for index, role in enumerate(self.roles):
            self.fields[f"r{index}"] = forms.ChoiceField(
                label=role["name"],
                choices=choices,
                required=False,
                initial=role["chosen"],
                error_messages={"invalid_choice": _("Lựa chọn không hợp lệ.")},
            )

    def rows(self):
        return [
            {"conflict": conflict, "field": self[f"p{index}"]}
            for index, conflict in enumerate(self.conflicts)
        ]

    def role_rows(self):
        return [{"role": role, "field": self[f"r{index}"]} for index, role in enumerate(self.roles)]

    def procedures(self) -> dict[str, str]:
        return {
            conflict["code"]: self.cleaned_data[f"p{index}"]
            for index, conflict in enumerate(self.conflicts)
            if self.cleaned_data.get(f"p{index}")
        }

    def role_map(self) -> dict[str, str]:
        # "" takes an earlier answer back; a role's field not sent leaves its answer as it is.
        return {
            role["code"]: self.cleaned_data.get(f"r{index}") or ""
            for index, role in enumerate(self.roles)
            if f"r{index}" in self.data
        }


def _queued(job: MergeJob) -> bool:
    return merge_run_queued(job, task_name=merge_run_task.name)


def _progress(job: MergeJob) -> dict | None:
    """The running stage's last report (the worker's progress callback): its name, done, total."""
    progress = cache.get(merge_progress_key(job.pk))
    if not isinstance(progress, dict):
        return None
    done, total = progress.get("done") or 0, progress.get("total") or 0
    return {
        "stage": stage_label(str(progress.get("stage") or "")),
        "done": done,
        "total": total,
        "percent": int(100 * done / total) if total else 0,
    }


# --- pages -------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def merges_home(request):
    """The merge jobs, newest first, and the dry run's form; a POST plans a merge (nothing in
    either province changes) and opens its plan, or answers 400/409 with why, nothing stored."""
    _operator(request)
    status = 200
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            chosen = province_list().filter(slug__in=[data["source"], data["target"]])
            provinces = {province.slug: province for province in chosen}
            try:
                job = merge_plan(
                    source=provinces[data["source"]],
                    target=provinces[data["target"]],
                    effective_from=data["effective_from"],
                    actor=request.user,
                )
            except MergeError as error:
                add_service_error(form, error)
                status = http_status(error)
            else:
                messages.success(
                    request,
                    _("Đã lập kế hoạch hợp nhất %(source)s vào %(target)s: chưa có gì thay đổi.")
                    % {"source": job.source.name, "target": job.target.name},
                )
                return redirect("frontend:console_merge", pk=job.pk)
        else:
            status = 400
    else:
        form = PlanForm()
    jobs = list(merge_job_list()[:MAX_JOBS])
    return render(
        request, "frontend/console/merges/home.html", {"jobs": jobs, "form": form}, status=status
    )


@never_cache
@login_required
def merge_detail(request, pk: int, *, resolve_form=None, refusal=None, status=200):
    """One merge: its plan as tables, the procedures' answers, the run and its stages (the page
    refreshes itself while the run waits or runs), the before/after counts once done."""
    _operator(request)
    job = _job_or_404(pk)
    plan = job.plan if isinstance(job.plan, dict) else {}
    queued = job.status in OPEN and _queued(job)
    running = job.status == MergeJob.Status.RUNNING or queued
    problems = plan_problems(plan)
    context = {
        "job": job,
        "sections": plan_sections(plan),
        "problems": problems,
        "open": job.status in OPEN,
        "queued": queued,
        "runnable": job.status in OPEN and not problems and not queued,
        "resolve_form": resolve_form or ResolveForm(job=job),
        "stages": stage_rows(job.stages, order=tuple(STAGES)) if job.stages or running else [],
        "verify": verify_rows(job.stages),
        "completed": job.status == MergeJob.Status.COMPLETED,
        "refusal": refusal,
        "progress": _progress(job) if running else None,
        "refresh": REFRESH_SECONDS if running else None,
    }
    return render(request, "frontend/console/merges/job.html", context, status=status)


# --- actions (POST, CSRF) ----------------------------------------------------------------


@require_POST
@login_required
def merge_resolve_view(request, pk: int):
    """The operator's answers to the procedure conflicts or the roles' mapping: 400 with the
    form for a bad value, nothing stored."""
    _operator(request)
    job = _job_or_404(pk)
    form = ResolveForm(request.POST, job=job)
    if not form.is_valid():
        return merge_detail(request, pk, resolve_form=form, status=400)
    try:
        merge_resolve(
            job=job, procedures=form.procedures(), roles=form.role_map(), actor=request.user
        )
    except MergeError as error:
        return merge_detail(
            request,
            pk,
            resolve_form=form,
            refusal=service_message(error),
            status=http_status(error),
        )
    messages.success(request, _("Đã lưu lựa chọn; kế hoạch đã được tính lại."))
    return redirect("frontend:console_merge", pk=job.pk)


@require_POST
@login_required
def merge_run_view(request, pk: int):
    """Queue the run for a worker (long work, resumed from its first stage not done after a
    failure); refused while the plan has problems, once queued, or once the job is closed."""
    _operator(request)
    job = _job_or_404(pk)
    try:
        merge_run_queue(job=job, actor=request.user)
    except MergeError as error:
        return merge_detail(request, pk, refusal=service_message(error), status=http_status(error))
    messages.success(request, _("Đã xếp hàng chạy hợp nhất; trang tự cập nhật tiến độ."))
    return redirect("frontend:console_merge", pk=job.pk)


@require_POST
@login_required
def merge_cancel_view(request, pk: int):
    _operator(request)
    job = _job_or_404(pk)
    try:
        merge_cancel(job=job, actor=request.user)
    except MergeError as error:
        return merge_detail(request, pk, refusal=service_message(error), status=http_status(error))
    messages.success(request, _("Đã huỷ hợp nhất; tỉnh được hợp nhất vẫn hoạt động như trước."))
    return redirect("frontend:console_merge", pk=job.pk)
