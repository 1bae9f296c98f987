"""Public schema: the provinces (tenants) and the host names that reach them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin

SCHEMA_PREFIX = "p_"


def schema_name_for(slug: str) -> str:
    """The schema of the province `slug`."""
    return f"{SCHEMA_PREFIX}{slug}"


def slug_for_schema(schema_name: str) -> str:
    """The province's slug from its schema's name (the inverse of schema_name_for)."""
    return schema_name.removeprefix(SCHEMA_PREFIX)


class Province(TenantMixin):
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    portal_name = models.CharField(max_length=200, blank=True)
    # The profile version applied at the last onboarding (provinces/profiles/<slug>/<date>.toml).
    profile_effective_from = models.DateField(null=True, blank=True)
    # The migrated schema that new provinces are cloned from; never served.
    is_template = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The 2025 reform (ADR 0032): a province merged into another keeps its row, its schema (read
    # by nobody but operators, for history) and its profile versions; its hosts answer with
    # redirects to the province it joined (HostRedirect).
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    # Set while a merge copies the province's rows: its pages are read as before, every change
    # (a staff edit, a citizen's question, an API write) is refused with a page saying why, so
    # that nothing written during the copy is left behind. Cleared when the merge ends or fails.
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_reason = models.CharField(max_length=300, blank=True)

    # Schemas are created explicitly by tenants.services.province_onboard (cloned).
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Domain(DomainMixin):
    class Kind(models.TextChoices):
        PORTAL = "portal", "Cổng thông tin"
        COMPONENT = "component", "Trang thành phần"
        PLATFORM = "platform", "Nền tảng"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.PORTAL)
    is_development = models.BooleanField(default=False)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class OutboxTask(models.Model):
    """A task asked for by a change, written in the change's own transaction (tenants.outbox,
    ADR 0024): the broker being down never loses it, nor turns a stored change into an error.
    One table in the public schema for every province (the province's schema is a column), so
    a province's backup or restore never carries or replays another's queue, and one beat task
    resends what the broker did not take."""

    schema_name = models.CharField(max_length=63)  # the schema the task runs in
    task = models.CharField(max_length=200)  # the Celery task's name
    args = models.JSONField(default=list, blank=True)
    kwargs = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The last time the broker took the message (None: never, it is waiting to be resent).
    published_at = models.DateTimeField(null=True, blank=True)
    publish_failures = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)  # the last run's start
    runs = models.PositiveIntegerField(default=0)  # runs started (a killed worker's included)
    done_at = models.DateTimeField(null=True, blank=True)  # ran to its end: never run again
    failed = models.BooleanField(default=False)  # ended with an error (logged by the worker)
    error = models.CharField(max_length=200, blank=True)  # the error's class, never its text

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(done_at__isnull=True),
                name="tenants_outbox_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} in {self.schema_name} ({self.pk})"


class ComplianceSnapshot(models.Model):
    """What a province was late with when last counted (reports.compliance, ADR 0030): numbers
    only, kept here so the operators' board reads every province in one query without entering
    each schema. One row per province, replaced by each count."""

    province = models.OneToOneField(
        Province, on_delete=models.CASCADE, related_name="compliance_snapshot"
    )
    computed_at = models.DateTimeField()
    # {"version": 1, "counts": {line code: count}, "late_total": n, "reports_drafted": n}
    figures = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"{self.province_id} at {self.computed_at:%Y-%m-%d %H:%M}"


class ProfileVersion(models.Model):
    """One version of a province's rule profile, kept in the public schema (ADR 0031): the
    TOML text as it was uploaded (or as the repository ships it: a seed), its validated form,
    and its review by two operators. Modules read the approved version in force at the instant
    they compute (provinces.loader, through the store tenants.profile_store registers); the
    shipped files under provinces/profiles/ are loaded as approved seeds."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Chờ duyệt")
        APPROVED = "approved", _("Đã duyệt")
        REJECTED = "rejected", _("Bị từ chối")
        SUPERSEDED = "superseded", _("Đã được thay thế")

    class Origin(models.TextChoices):
        UPLOAD = "upload", _("Cán bộ vận hành tải lên")
        SHIPPED = "shipped", _("Tệp kèm theo nền tảng")

    slug = models.SlugField(max_length=40)
    effective_from = models.DateField()
    text = models.TextField()  # the TOML as uploaded: exported back as it came
    sha256 = models.CharField(max_length=64)
    data = models.JSONField(default=dict)  # the validated, composed profile (Profile, JSON mode)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.UPLOAD)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    # Field-by-field changes against the version in force before it: [{path, before, after,
    # source_before, source_after}], computed at submission.
    diff = models.JSONField(default=list, blank=True)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_name = models.CharField(max_length=150)  # kept if the account goes
    submitted_at = models.DateTimeField(auto_now_add=True)
    # An effective date already past needs the submitter's reason (recorded, shown to the
    # reviewer).
    past_reason = models.TextField(blank=True)
    reviewer = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewer_name = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)  # required on a rejection

    class Meta:
        ordering = ["slug", "-effective_from", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slug", "effective_from"],
                condition=models.Q(status="approved"),
                name="profile_version_one_approved_per_day",
            ),
            models.UniqueConstraint(
                fields=["slug", "effective_from"],
                condition=models.Q(status="submitted"),
                name="profile_version_one_submitted_per_day",
            ),
            models.CheckConstraint(
                condition=models.Q(status="submitted", decided_at__isnull=True)
                | ~models.Q(status="submitted"),
                name="profile_version_submitted_undecided",
            ),
        ]
        indexes = [
            models.Index(fields=["slug", "status", "effective_from"], name="profile_version_slug")
        ]

    def __str__(self) -> str:
        return f"{self.slug} {self.effective_from} ({self.status})"


class MergeJob(models.Model):
    """Merging one province into another (tenants.merging, ADR 0032): the plan its dry run
    printed, the operator's answers to the conflicts it listed, and each stage's outcome. A
    stage is one transaction; a failed job is resumed from its first stage not done."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Đã lập kế hoạch (chạy thử)")
        RUNNING = "running", _("Đang hợp nhất")
        FAILED = "failed", _("Dừng do lỗi, có thể chạy tiếp")
        COMPLETED = "completed", _("Đã hợp nhất")
        CANCELLED = "cancelled", _("Đã huỷ")

    source = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    target = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    # The dry run's report (tenants.merging.MergePlan.as_dict): counts, renames, role mapping,
    # procedure conflicts, host redirects, the target's profile version from the date.
    plan = models.JSONField(default=dict)
    # {"procedures": {national code: "target" | "source"}}: the operator's answers.
    resolutions = models.JSONField(default=dict, blank=True)
    # {stage: {"status", "started_at", "finished_at", "counts", "fingerprint", "error"}}
    stages = models.JSONField(default=dict, blank=True)
    stage = models.CharField(max_length=30, blank=True)  # the stage running or last failed
    backup = models.ForeignKey(
        "backups.Backup", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    error = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_name = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="merge_job_two_provinces"
            ),
            # One merge at a time per source province (a finished one stays for the record).
            models.UniqueConstraint(
                fields=["source"],
                condition=models.Q(status__in=["planned", "running", "failed", "completed"]),
                name="merge_job_one_per_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id} ({self.status})"


class MergeRow(models.Model):
    """Where one row of the merged province went: its table, its id there and its id in the
    province it joined. Written by the stage that copies the row, in its transaction; read to
    rewrite references, to redirect old addresses (files) and to count what arrived."""

    job = models.ForeignKey(MergeJob, on_delete=models.CASCADE, related_name="+")
    table = models.CharField(max_length=63)
    old_id = models.BigIntegerField()
    new_id = models.BigIntegerField()
    # The row joined one the province already had (a topic of the same name), not copied.
    joined = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "table", "old_id"], name="merge_row_once"),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.old_id} → {self.new_id}"


class HostRedirect(models.Model):
    """A host that no longer serves pages of its own: a merged province's portal or site, an
    agency's site after a rename, a merge or a retirement (ADR 0032). Every request on it is
    answered with a 301 to `target_host` (the same path, or the one PathRedirect gives), or,
    for an address nothing answers any more, with a page saying where the portal is now. The
    host keeps its Domain row, attached to the province it now points into."""

    class Reason(models.TextChoices):
        PROVINCE_MERGE = "province_merge", _("Hợp nhất tỉnh")
        AGENCY_RENAME = "agency_rename", _("Đổi tên cơ quan")
        AGENCY_MERGE = "agency_merge", _("Hợp nhất cơ quan")
        AGENCY_RETIRE = "agency_retire", _("Giải thể cơ quan")

    host = models.CharField(max_length=253, unique=True)
    province = models.ForeignKey(Province, on_delete=models.CASCADE, related_name="+")
    target_host = models.CharField(max_length=253)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    # What stood here, for the page shown on an unknown old address ("Cổng thông tin điện tử
    # tỉnh Bắc Kạn"), and what it became.
    former_name = models.CharField(max_length=300)
    current_name = models.CharField(max_length=300)
    job = models.ForeignKey(
        MergeJob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["host"]

    def __str__(self) -> str:
        return f"{self.host} → {self.target_host}"


class PathRedirect(models.Model):
    """An address on a redirected host whose path changed on the way (a file's number, a
    procedure kept under the other province's record, an article renamed because its address
    was taken on the site it joined)."""

    host = models.CharField(max_length=253)
    old_path = models.CharField(max_length=500)
    target_host = models.CharField(max_length=253)
    new_path = models.CharField(max_length=500)
    job = models.ForeignKey(
        MergeJob, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["host", "old_path"], name="path_redirect_once"),
        ]

    def __str__(self) -> str:
        return f"{self.host}{self.old_path} → {self.target_host}{self.new_path}"
