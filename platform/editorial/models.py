"""Content of a province's portal and component sites, its revisions and its workflow.

Every table lives in the province's schema. The public sees an item only through its
`published_revision`: editing never changes what citizens read until a workflow publishes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Func, Q, TextField, Value
from django.db.models.fields.json import KeyTextTransform
from django.utils.translation import gettext_lazy as _

from core.db import Folded
from organization.models import Agency, ComponentSite


class Kind(models.TextChoices):
    NEWS = "news", _("Tin tức")
    EVENT = "event", _("Sự kiện")
    ANNOUNCEMENT = "announcement", _("Thông báo")
    LEGAL_DOCUMENT = "legal_document", _("Văn bản quy phạm pháp luật")
    DRAFT_DOCUMENT = "draft_document", _("Dự thảo lấy ý kiến")
    SPOKESPERSON = "spokesperson_statement", _("Phát ngôn báo chí")
    LEADER_SCHEDULE = "leader_schedule", _("Lịch công tác lãnh đạo")
    CONTACT_DIRECTORY = "contact_directory", _("Danh bạ liên hệ, thư điện tử")
    STATISTICS = "statistics_report", _("Báo cáo thống kê")
    INVESTMENT = "investment_notice", _("Thông tin đầu tư")
    BIDDING = "bidding_notice", _("Thông tin đấu thầu")
    PROCUREMENT = "procurement_notice", _("Thông tin mua sắm công")
    PAGE = "static_page", _("Trang tĩnh")
    PROCEDURE = "procedure", _("Thủ tục hành chính")


class Category(models.Model):
    """A section of one site: the provincial portal (site is null) or a component site."""

    site = models.ForeignKey(
        ComponentSite, null=True, blank=True, on_delete=models.PROTECT, related_name="categories"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "slug"], name="category_slug_per_site"),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(site__isnull=True), name="category_slug_portal"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        IN_WORKFLOW = "in_workflow", _("Đang duyệt")
        PUBLISHED = "published", _("Đã đăng")
        UNPUBLISHED = "unpublished", _("Đã gỡ")
        WITHDRAWN = "withdrawn", _("Đã thu hồi")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    # null = the provincial portal; otherwise the component site the item belongs to.
    site = models.ForeignKey(
        ComponentSite, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    slug = models.SlugField(max_length=160)
    # An identifier another register gives the item, blank for most kinds: a procedure's national
    # code (its `fields.code`, catalog module, ADR 0019), unique per kind and language and never
    # changed once given.
    code = models.CharField(max_length=60, blank=True)
    language = models.CharField(max_length=5, default="vi")
    translation_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="translations"
    )
    shared_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="shares"
    )
    featured = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)

    # The working copy (what editors edit) and what the public reads.
    current_revision = models.ForeignKey(
        "Revision", null=True, on_delete=models.PROTECT, related_name="+"
    )
    published_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="editorial_items"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    first_published_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Scheduled publishing (ADR 0010): the revision approved at the publish step is frozen,
    # with who approved and scheduled it (and as whose delegate). The beat run publishes
    # exactly that revision in their name; an edit after scheduling cancels all four.
    publish_at = models.DateTimeField(null=True, blank=True)
    scheduled_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scheduled_on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unpublish_at = models.DateTimeField(null=True, blank=True)  # scheduled unpublishing
    withdrawal_reason = models.TextField(blank=True)

    # The update SLA computed from the anchor the author entered (provinces.sla), kept with
    # the rule and article so that a later profile version does not move it.
    sla_content_type = models.CharField(max_length=60, blank=True)
    sla_anchor_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(null=True, blank=True)
    sla_rule = models.CharField(max_length=200, blank=True)
    sla_source = models.CharField(max_length=300, blank=True)
    # When the deadline was met: the publication of the revision that carried its anchor. Null
    # while it is owed. A new version of a procedure starts a new deadline (REANCHORED_KINDS)
    # and clears it; for other kinds it is the first publication.
    sla_met_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "sla_due_at"], name="item_status_due"),
            models.Index(fields=["site", "status", "-published_at"], name="item_site_public"),
            # The dashboard: quotas count first publications per agency and month; the
            # overdue and due-soon panels read only what is not yet published.
            models.Index(fields=["agency", "first_published_at"], name="item_agency_first_pub"),
            models.Index(
                fields=["sla_due_at"],
                condition=Q(sla_met_at__isnull=True),
                name="item_owed_due",
            ),
            # The legal documents and drafts pages read one kind of one site's public items.
            models.Index(
                fields=["kind", "site", "language"],
                condition=Q(status="published"),
                name="item_public_kind",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "slug", "language"], name="item_slug_per_site_language"
            ),
            models.UniqueConstraint(
                fields=["slug", "language"],
                condition=Q(site__isnull=True),
                name="item_slug_portal_language",
            ),
            models.UniqueConstraint(
                fields=["kind", "language", "code"],
                condition=~Q(code=""),
                name="item_code_per_kind_language",
            ),
        ]

    def __str__(self) -> str:
        return self.current_revision.title if self.current_revision_id else self.slug

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_revision_id is not None

    @property
    def published_late(self) -> bool:
        return bool(self.sla_due_at and self.sla_met_at and self.sla_met_at > self.sla_due_at)


def folded_number() -> Func:
    """A legal document's number (a revision's `fields.number`) folded (core.db.Folded) with every
    run of characters other than ASCII letters and digits one space ("19/2015/QĐ-UBND" →
    "19 2015 qd ubnd"). Immutable, so that an index holds it (revision_number_trgm, migration
    0007, written with this same expression): a citizen's search by part of a number reads the
    index, not every revision."""
    return Func(
        Folded(KeyTextTransform("number", "fields")),
        Value("[^a-z0-9]+"),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


class Revision(models.Model):
    """An immutable snapshot of an item's content. Fields specific to a kind (document number,
    event date, schedule entries…) are in `fields`, validated by editorial.content."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=500)
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)  # sanitised HTML (nh3)
    fields = models.JSONField(default=dict, blank=True)
    source_name = models.CharField(max_length=300, blank=True)  # reposts: Huế Art. 19a
    source_url = models.URLField(max_length=500, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="revision_number_per_item")
        ]
        indexes = [
            # /van-ban/ lists the newest issued first. (The trigram index on folded_number()
            # is created by migration 0007 in SQL: the operator class needs pg_trgm.)
            models.Index(
                KeyTextTransform("issued_on", "fields").desc(nulls_last=True),
                name="revision_issued_on",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (r{self.number})"


class WorkflowState(models.Model):
    """One run of the profile's workflow over an item. The steps are copied from the profile
    version in force when the run started, so a later version does not change a run."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang chạy")
        COMPLETED = "completed", _("Hoàn tất")
        REJECTED = "rejected", _("Trả lại")
        CANCELLED = "cancelled", _("Huỷ")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="workflow_states")
    workflow = models.CharField(max_length=20)  # "portal" or "component_site"
    profile_effective_from = models.DateField()
    # [{code, name, role, action, may_amend, source, delegation_allowed}, …]
    steps = models.JSONField()
    delegation_allowed = models.BooleanField(default=False)  # the workflow's default
    current_step = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(status="active"), name="one_active_workflow_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} {self.workflow} @{self.current_step} ({self.status})"

    @property
    def step(self) -> dict | None:
        if self.status != self.Status.ACTIVE:
            return None
        return self.steps[self.current_step]


class Transition(models.Model):
    """The audit log: every move of an item, who made it, as whose delegate, with what comment."""

    class Action(models.TextChoices):
        CREATE = "create", _("Tạo")
        EDIT = "edit", _("Sửa")
        SUBMIT = "submit", _("Gửi duyệt")
        APPROVE = "approve", _("Duyệt")
        REJECT = "reject", _("Trả lại")
        PUBLISH = "publish", _("Xuất bản")
        SCHEDULE = "schedule", _("Hẹn giờ đăng")
        UNSCHEDULE = "unschedule", _("Huỷ hẹn giờ đăng")
        POST_CHECK = "post_check", _("Kiểm tra sau đăng")
        UNPUBLISH = "unpublish", _("Gỡ")
        WITHDRAW = "withdraw", _("Thu hồi")
        CORRECT = "correct", _("Đính chính")
        SHARE = "share", _("Chia sẻ lên Cổng")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="transitions")
    workflow_state = models.ForeignKey(
        WorkflowState, null=True, blank=True, on_delete=models.CASCADE, related_name="transitions"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    step_code = models.CharField(max_length=60, blank=True)
    step_name = models.CharField(max_length=300, blank=True)
    from_status = models.CharField(max_length=16)
    to_status = models.CharField(max_length=16)
    revision = models.ForeignKey(
        Revision, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.action} by {self.actor_id}"


class Correction(models.Model):
    """A public correction notice on a published item (Bắc Kạn Art. 8; Law on Access to
    Information Art. 22): shown with the item, with its date and reason; history kept."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="corrections")
    reason = models.TextField()
    text = models.TextField()
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField()

    class Meta:
        ordering = ["published_at"]

    def __str__(self) -> str:
        return f"correction of {self.item_id} at {self.published_at:%Y-%m-%d}"


class Attachment(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="editorial/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class PublicComment(models.Model):
    """A citizen's comment on a draft document open for comment (Decree 43/2011 Art. 10(i);
    Đồng Nai Art. 8(2)(c) compiles them). Contact details are never shown publicly."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ duyệt")
        VISIBLE = "visible", _("Đã duyệt, công khai")
        HIDDEN = "hidden", _("Không duyệt")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="public_comments")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the citizen agreed that their name and comment may be published (never the
    # e-mail); comments from before consent was asked have none.
    consented_at = models.DateTimeField(null=True, blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]
        indexes = [
            # A draft's page shows its approved comments; the moderation page its pending ones.
            models.Index(fields=["item", "status", "created_at"], name="comment_item_status"),
        ]

    def __str__(self) -> str:
        return f"comment by {self.name} on {self.item_id}"


class PendingUpload(models.Model):
    """A file an author uploaded on the new-item form before the item exists (issue 10): it
    becomes an Attachment when the author creates the item, and is purged a day later otherwise
    (editorial.pending_uploads). Only its owner ever sees it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to="editorial/pending/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The owner's list on the form; the purge by age.
            models.Index(fields=["owner", "created_at"], name="pending_upload_owner"),
            models.Index(fields=["created_at"], name="pending_upload_created"),
        ]

    def __str__(self) -> str:
        return self.original_name
