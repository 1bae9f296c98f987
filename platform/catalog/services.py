"""Writes of the catalogue: bulk import of procedures from a file, its background job, and the
export the import reads back (docs/catalogue.md).

A procedure is an editorial item of kind `procedure` (ADR 0019): every procedure the import
creates or changes goes through editorial.services (item_create, item_update) and then into the
portal's workflow (item_transition, the first step's submit), so it waits for approval like
any other change; the import never publishes."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import importing
from catalog.importing import MAX_FILE_BYTES, Choices, MalformedFile, ProcedureRow, RowProblem
from catalog.models import ImportJob
from core.errors import ErrorKind, ServiceError
from core.profiles import current_profile, current_province_slug
from core.text import fold, nfc
from editorial.content import online_level_refusal, procedure_missing
from editorial.models import Item, Kind, WorkflowState
from editorial.services import item_create, item_transition, item_update
from organization.models import Agency
from organization.selectors import CapacityIndex
from provinces.citations import in_parentheses

logger = logging.getLogger(__name__)


class CatalogError(ServiceError):
    """A refused catalogue operation (an unknown format, a file too large, an actor who may
    not import): nothing was stored."""


@dataclass(frozen=True)
class ImportResult:
    """What an import did. `refused`: some row was bad and the import was not asked to leave
    bad rows out, so nothing was stored. `waiting`: procedures now waiting for approval."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    refused: bool = False
    waiting: int = 0

    def summary(self) -> str:
        """The command's last line: "N created, M changed, K unchanged[, S skipped]"."""
        text = f"{self.created} created, {self.changed} changed, {self.unchanged} unchanged"
        return text + (f", {self.skipped} skipped" if self.skipped else "")


Progress = Callable[[int, int], None]


def _refused(problem: RowProblem) -> ImportResult:
    return ImportResult(problems=[problem], refused=True)


def _check_format(format: str) -> str:
    format = (format or "").lower().lstrip(".")
    if format not in importing.FORMATS:
        raise CatalogError(
            "unknown_format",
            _("Định dạng tệp không được nhận: chỉ nhận CSV, JSON hoặc XLSX."),
            "format",
        )
    return format


def _check_size(size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise CatalogError(
            "file_too_large",
            _("Tệp quá lớn (tối đa %(size)s MB).") % {"size": MAX_FILE_BYTES // 1024 // 1024},
            "file",
            kind=ErrorKind.TOO_LARGE,
        )
    if size == 0:
        raise CatalogError("file_empty", _("Tệp rỗng."), "file")


# --- who imports ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FirstStep:
    role: str
    role_name: str
    name: str
    action: str
    delegation_allowed: bool
    source: str


def _first_step(profile) -> _FirstStep:
    """The first step of the portal's workflow: whoever imports acts at it (imported procedures
    are the province's portal items, each of its implementing agency)."""
    workflow = profile.governance.workflows.portal
    step = workflow.steps[0]
    role = profile.governance.role(step.role)
    return _FirstStep(
        role=step.role,
        role_name=role.name if role is not None else step.role,
        name=step.name,
        action=step.action,
        delegation_allowed=(
            workflow.delegation_allowed
            if step.delegation_allowed is None
            else step.delegation_allowed
        ),
        source=step.source,
    )


def _not_allowed(step: _FirstStep) -> str:
    return _("Bạn không giữ vai trò “%(role)s” cần cho “%(name)s”%(basis)s.") % {
        "role": step.role_name,
        "name": step.name,
        "basis": in_parentheses(step.source),
    }


class _Capacity:
    """Whether the actor may enter a procedure of an agency at the first step, for every row
    at once (organization.selectors.CapacityIndex: three queries, then memory)."""

    def __init__(self, actor, step: _FirstStep):
        self.step = step
        self.index = CapacityIndex(user=actor, at=timezone.now())

    def allows(self, agency_id: int | None) -> bool:
        allowed, _delegator = self.index.allows(
            role_code=self.step.role,
            agency_id=agency_id,
            delegation_allowed=self.step.delegation_allowed,
        )
        return allowed

    def anywhere(self) -> bool:
        return self.step.role in self.index.codes()


# --- agencies by the names people write -------------------------------------------------------


class _Agencies:
    """An agency named as people write it: its full name (exact once precomposed, else without
    accents or case), its short name or its component site's label ("stttt")."""

    def __init__(self) -> None:
        self.exact: dict[str, Agency] = {}
        self.loose: dict[str, Agency | None] = {}
        for agency in Agency.objects.select_related("site").order_by("pk"):
            self.exact[agency.name] = agency
            keys = {fold(agency.name)}
            if agency.short_name:
                keys.add(fold(agency.short_name))
            site = getattr(agency, "site", None)
            if site is not None:
                keys.add(fold(site.label))
            for key in keys:
                # A key two agencies share names neither: the full name must be given.
                self.loose[key] = None if key in self.loose else agency

    def find(self, reference: str) -> Agency | None:
        reference = nfc(reference)
        return self.exact.get(reference) or self.loose.get(fold(reference))


# --- checking every row ------------------------------------------------------------------------


@dataclass
class _Planned:
    row: ProcedureRow
    agency: Agency | None
    fields: dict
    existing: Item | None
    action: str  # "create", "change" or "unchanged"


def _existing_procedures(codes: list[str]) -> dict[str, Item]:
    found: dict[str, Item] = {}
    for start in range(0, len(codes), 2000):
        chunk = codes[start : start + 2000]
        for item in Item.objects.filter(
            kind=Kind.PROCEDURE, language="vi", code__in=chunk
        ).select_related("current_revision", "agency"):
            found[item.code] = item
    return found


def _active_runs(items: list[Item]) -> dict[int, WorkflowState]:
    runs: dict[int, WorkflowState] = {}
    pks = [item.pk for item in items]
    for start in range(0, len(pks), 2000):
        for state in WorkflowState.objects.filter(
            item_id__in=pks[start : start + 2000], status=WorkflowState.Status.ACTIVE
        ):
            runs[state.item_id] = state
    return runs


def _same(item: Item, *, title: str, summary: str, fields: dict, agency: Agency | None) -> bool:
    current = item.current_revision
    return (
        current is not None
        and current.title == title
        and current.summary == summary
        and current.fields == fields
        and item.agency_id == (agency.pk if agency else None)
    )


def _plan(
    rows: list[ProcedureRow],
    *,
    capacity: _Capacity,
    profile,
    step: _FirstStep,
    progress: Progress | None,
) -> list[_Planned]:
    """Every row checked (problems added to the row) and what it will do."""
    agencies = _Agencies()
    # "forms" is left to publication: form files are attached on the staff page after the
    # import (docs/catalogue.md); every other required part is checked here, per row.
    required = [code for code in profile.public_services.required_fields if code != "forms"]
    first_line: dict[str, int] = {}
    codes = [row.code for row in rows if row.code]
    existing = _existing_procedures(list(dict.fromkeys(codes)))
    runs = _active_runs(list(existing.values()))
    planned: list[_Planned] = []
    for index, row in enumerate(rows, start=1):
        agency = None
        if row.agency:
            agency = agencies.find(row.agency)
            if agency is None:
                row.problem(
                    "agency",
                    _("Không có cơ quan “%(name)s” trong danh sách cơ quan của tỉnh.")
                    % {"name": row.agency[:200]},
                )
        if row.code:
            if row.code in first_line:
                row.problem(
                    "code",
                    _("Mã thủ tục %(code)s đã có ở dòng %(line)s của tệp.")
                    % {"code": row.code[:60], "line": first_line[row.code]},
                )
            else:
                first_line[row.code] = row.line
        fields = importing.check_fields(row)
        if fields is not None:
            if refusal := online_level_refusal(fields, profile.public_services):
                row.problem("online_level", refusal)
            missing = procedure_missing(
                title=row.title,
                fields=fields,
                has_agency=agency is not None or bool(row.agency),
                attachment_names=set(),
                required=required,
            )
            for path, messages in missing.items():
                row.problem(_column(path), " ".join(str(message) for message in messages))
        item = existing.get(row.code)
        action = "create"
        if item is not None and fields is not None and agency is not None:
            if _same(item, title=row.title, summary=row.summary, fields=fields, agency=agency):
                action = "unchanged"
            else:
                action = "change"
                _check_change(row, item, agency, runs.get(item.pk))
        if action != "unchanged" and agency is not None and not capacity.allows(agency.pk):
            row.problem(
                "agency",
                _(
                    "Bạn không giữ vai trò “%(role)s” cho cơ quan “%(agency)s” nên không nhập "
                    "được thủ tục của cơ quan này."
                )
                % {"role": step.role_name, "agency": agency.name},
            )
        planned.append(_Planned(row, agency, fields or {}, item, action))
        if progress is not None and index % 200 == 0:
            progress(0, len(rows))
    return planned


def _check_change(row: ProcedureRow, item: Item, agency: Agency, run: WorkflowState | None):
    if item.status == Item.Status.WITHDRAWN:
        row.problem("code", _("Thủ tục %(code)s đã thu hồi, không sửa được.") % {"code": item.code})
    if item.agency_id != agency.pk:
        row.problem(
            "agency",
            _("Thủ tục %(code)s thuộc “%(agency)s”: tệp nhập không đổi được cơ quan thực hiện.")
            % {"code": item.code, "agency": item.agency.name if item.agency else "—"},
        )
    if run is not None:
        step = run.steps[run.current_step] if run.current_step < len(run.steps) else {}
        row.problem(
            "code",
            _(
                "Thủ tục %(code)s đang chờ duyệt (bước “%(step)s”): chờ duyệt xong rồi nhập lại "
                "thay đổi."
            )
            % {"code": item.code, "step": step.get("name", "")},
        )


def _column(path: str) -> str:
    """The column a service's field path ("fields.steps.0.responsible", "title") is in."""
    head = path.removeprefix("fields.").split(".")[0]
    return {"title": "name"}.get(head, head)


# --- the import ---------------------------------------------------------------------------------


class _Abort(Exception):
    def __init__(self, problems: list[RowProblem]):
        self.problems = problems


def procedures_import(
    *,
    actor,
    data: bytes,
    format: str,
    good_rows_only: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a file of procedures (docs/catalogue.md). Every row is checked first; when any is
    bad nothing is stored (`refused`) unless `good_rows_only`, which leaves the bad rows out
    (`skipped`). Then, in one transaction, each row by its code: a procedure whose working copy
    already says what the row says is left alone (no new revision); another gets a new
    revision, a new code a new procedure; each of these is submitted at the first step of the
    portal's workflow and waits for approval (never published here)."""
    format = _check_format(format)
    _check_size(len(data))
    profile = current_profile()
    step = _first_step(profile)
    capacity = _Capacity(actor, step)
    if not actor.is_active or not capacity.anywhere():
        raise CatalogError("not_allowed", _not_allowed(step), kind=ErrorKind.FORBIDDEN)
    try:
        rows = importing.read_rows(data, format=format)
    except MalformedFile as malformed:
        return _refused(malformed.problem)
    choices = Choices()
    procedures = [importing.to_procedure(row, choices=choices) for row in rows]
    planned = _plan(procedures, capacity=capacity, profile=profile, step=step, progress=progress)
    problems = sorted((problem for plan in planned for problem in plan.row.problems), key=_by_line)
    if problems and not good_rows_only:
        return ImportResult(problems=problems, refused=True)
    good = [plan for plan in planned if not plan.row.problems]
    try:
        counts = _store(
            good, actor=actor, step=step, good_rows_only=good_rows_only, progress=progress
        )
    except _Abort as abort:
        return ImportResult(problems=sorted(problems + abort.problems, key=_by_line), refused=True)
    stored_problems = counts.pop("problems")
    return ImportResult(
        created=counts["created"],
        changed=counts["changed"],
        unchanged=counts["unchanged"],
        skipped=len(planned) - len(good) + counts["failed"],
        problems=sorted(problems + stored_problems, key=_by_line),
        waiting=counts["waiting"],
    )


def _by_line(problem: RowProblem) -> tuple[int, str]:
    return problem.line, problem.field


@transaction.atomic
def _store(
    planned: list[_Planned],
    *,
    actor,
    step: _FirstStep,
    good_rows_only: bool,
    progress: Progress | None,
) -> dict[str, Any]:
    counts: dict[str, Any] = {
        "created": 0, "changed": 0, "unchanged": 0, "waiting": 0, "failed": 0, "problems": []
    }  # fmt: skip
    # A workflow whose first step publishes would publish on submission: then the import
    # leaves its procedures as drafts for that step's holder to publish.
    submit = step.action != "publish"
    total = len(planned)
    last_report = time.monotonic()
    for done, plan in enumerate(planned, start=1):
        if plan.action == "unchanged":
            counts["unchanged"] += 1
        else:
            try:
                # A savepoint per row only where a failing row is left out and the others kept:
                # otherwise a failure undoes the whole import anyway (two queries a row saved).
                with transaction.atomic(savepoint=good_rows_only):
                    item = _write(plan, actor=actor)
                    if submit:
                        item_transition(item=item, actor=actor, decision="forward")
            except ServiceError as error:
                # What the checks before could not see (another import committed the same code
                # meanwhile): the row is refused with the service's own words.
                found = [
                    RowProblem(plan.row.line, _column(path), "; ".join(messages))
                    for path, messages in (error.field_errors() or {"code": [str(error)]}).items()
                ]
                if not good_rows_only:
                    raise _Abort(found) from error
                counts["problems"] += found
                counts["failed"] += 1
                continue
            counts["created" if plan.existing is None else "changed"] += 1
            counts["waiting"] += submit
        if progress is not None and (done == total or time.monotonic() - last_report > 0.5):
            progress(done, total)
            last_report = time.monotonic()
    return counts


def _write(plan: _Planned, *, actor) -> Item:
    row = plan.row
    if plan.existing is None:
        return item_create(
            actor=actor,
            kind=Kind.PROCEDURE,
            title=row.title,
            summary=row.summary,
            fields=plan.fields,
            agency=plan.agency,
        )
    return item_update(
        item=plan.existing,
        actor=actor,
        title=row.title,
        summary=row.summary,
        fields=plan.fields,
        comment=_("Cập nhật từ tệp nhập danh mục thủ tục."),
    )


# --- the import on the staff page: a job a worker runs ----------------------------------------


def _format_of(name: str) -> str:
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    return _check_format(extension)


@transaction.atomic
def import_job_start(*, actor, upload, good_rows_only: bool) -> ImportJob:
    """Keep the uploaded file and queue its import (catalog.tasks.import_run) after the commit;
    the job records its progress and outcome. Refuses an unknown format, an empty or too
    large file, and an actor who may not import (the same check as the import's)."""
    name = nfc(getattr(upload, "name", "") or "")[:255]
    format = _format_of(name)
    _check_size(upload.size)
    step = _first_step(current_profile())
    if not actor.is_active or not _Capacity(actor, step).anywhere():
        raise CatalogError("not_allowed", _not_allowed(step), kind=ErrorKind.FORBIDDEN)
    job = ImportJob(actor=actor, original_name=name, format=format, good_rows_only=good_rows_only)
    job.file.save(f"import.{format}", upload, save=False)
    job.save()

    from catalog.tasks import import_run
    from tenants.outbox import enqueue

    enqueue(import_run, job_pk=job.pk)  # sent once the job's row is committed (ADR 0024)
    return job


def import_job_run(*, job_pk: int) -> ImportJob | None:
    """Run a queued job once (a second run of the same job does nothing): its file through
    procedures_import as its actor, the outcome recorded on the job."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_pk).first()
        if job is None or job.status != ImportJob.Status.QUEUED:
            return job
        job.status = ImportJob.Status.RUNNING
        job.save(update_fields=["status"])
    key = job.progress_key

    def progress(done: int, total: int) -> None:
        cache.set(key, (done, total), 3600)

    try:
        with job.file.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        result = procedures_import(
            actor=job.actor,
            data=data,
            format=job.format,
            good_rows_only=job.good_rows_only,
            progress=progress,
        )
    except ServiceError as error:
        result = ImportResult(problems=[RowProblem(0, "file", str(error))], refused=True)
    except Exception:
        logger.exception("import job %s failed", job.pk)
        job.status = ImportJob.Status.FAILED
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        cache.delete(key)
        return job
    job.status = ImportJob.Status.REFUSED if result.refused else ImportJob.Status.DONE
    stored = result.created + result.changed + result.unchanged
    job.total = stored if not result.refused else 0
    job.done = job.total
    job.created, job.changed, job.unchanged = result.created, result.changed, result.unchanged
    job.skipped, job.waiting = result.skipped, result.waiting
    job.problems = [problem.as_dict() for problem in result.problems[:1000]]
    job.finished_at = timezone.now()
    # The upload has served: what it did is recorded on the job and in the revisions, and the
    # file is not kept (a failed job keeps it, for whoever looks into the failure).
    name, storage = job.file.name, job.file.storage
    job.file = ""
    job.save()
    if name:
        transaction.on_commit(lambda: storage.delete(name))
    cache.delete(key)
    return job


# --- export ---------------------------------------------------------------------------------


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def procedures_export(*, format: str) -> tuple[bytes, str, str]:
    """(data, content type, file name): the working copy of every procedure of the province
    (not the withdrawn), by code, in the import's columns: importing it back changes nothing."""
    from catalog import exporting

    format = _check_format(format)
    items = (
        Item.objects.filter(kind=Kind.PROCEDURE, language="vi")
        .exclude(status=Item.Status.WITHDRAWN)
        .select_related("current_revision", "agency")
        .order_by("code", "pk")
    )
    records = [exporting.record(item) for item in items.iterator(chunk_size=1000)]
    data = exporting.render(records, format=format)
    day = timezone.localdate().isoformat()
    name = f"thu-tuc-{current_province_slug()}-{day}.{format}"
    return data, CONTENT_TYPES[format], name


__all__ = [
    "CatalogError",
    "ImportResult",
    "RowProblem",
    "import_job_run",
    "import_job_start",
    "procedures_export",
    "procedures_import",
]
