"""Citizens' questions, feedback and complaints, with their legal deadlines.

Every table lives in the province's schema. The deadline, the rule that set it and the profile
version in force when the item arrived are stored on it: a later profile version never moves it.
Personal data (name, e-mail, phone) is kept only until `retention_until`, then purged."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organization.models import Agency


class Topic(models.Model):
    """Topic → agency routing of a province (Hà Giang Art. 9(2); Thái Nguyên Art. 8(4))."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=120, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="qa_topics")
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


def _promised(lookup: str, instant: datetime) -> Q:
    """Items whose date last promised to the asker (an appointment, else a progress notice's
    date, else the deadline) compares to `instant` by `lookup` ("lt", "lte"). A plain Q, not an
    annotation, so that the (status, due_at) index serves it."""
    return (
        Q(appointment_at__isnull=False, **{f"appointment_at__{lookup}": instant})
        | Q(
            appointment_at__isnull=True,
            progress_due_at__isnull=False,
            **{f"progress_due_at__{lookup}": instant},
        )
        | Q(
            appointment_at__isnull=True,
            progress_due_at__isnull=True,
            **{f"due_at__{lookup}": instant},
        )
    )


class QuestionQuerySet(models.QuerySet):
    def open(self) -> QuestionQuerySet:
        """Received or in progress: still owed an answer."""
        return self.filter(status__in=(self.model.Status.RECEIVED, self.model.Status.IN_PROGRESS))

    def overdue(self, now: datetime, *, or_missed: bool = False) -> QuestionQuerySet:
        """The overdue test, the one every caller uses (Question.is_overdue for one item): the
        date last promised to the asker is before `now`. `or_missed` also keeps the items that
        missed a promised date before a reclassification moved it (lateness stays in reports,
        ADR 0011). Whether an item is still owed is its status's business (`open()`)."""
        late = _promised("lt", now)
        if or_missed:
            late |= Q(missed_due_at__isnull=False)
        return self.filter(late)

    def not_overdue(self, now: datetime) -> QuestionQuerySet:
        """The items `overdue(now)` leaves out."""
        return self.exclude(_promised("lt", now))

    def due_by(self, instant: datetime) -> QuestionQuerySet:
        """The date last promised to the asker is `instant` or earlier."""
        return self.filter(_promised("lte", instant))


class Question(models.Model):
    class Intake(models.TextChoices):
        QUESTION = "question", _("Hỏi – Đáp")
        FEEDBACK = "feedback", _("Góp ý, kiến nghị")
        COMPLAINT = "complaint", _("Khiếu nại")

    class Status(models.TextChoices):
        MODERATION = "moderation", _("Chờ kiểm duyệt")
        RECEIVED = "received", _("Đã tiếp nhận")
        IN_PROGRESS = "in_progress", _("Đang xử lý")
        ANSWERED = "answered", _("Đã trả lời")
        RETURNED = "returned", _("Trả lại (không thuộc phạm vi)")
        REJECTED = "rejected", _("Không tiếp nhận")
        CLOSED = "closed", _("Đã có kết quả")

    intake = models.CharField(max_length=10, choices=Intake.choices, default=Intake.QUESTION)
    tracking_code = models.CharField(max_length=20, unique=True)
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.PROTECT, related_name="questions"
    )
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="questions"
    )
    title = models.CharField(max_length=300)
    text = models.TextField()
    search_text = models.TextField(blank=True)  # folded (no diacritics) title + text + answer
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)

    # Personal data: only what is needed to answer; purged after retention_until.
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    retention_until = models.DateField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    # The deadline, computed once through provinces.calendar.qa_deadline and kept.
    received_at = models.DateTimeField()
    profile_effective_from = models.DateField()
    # The slug of the province whose profile set this question's rules when it is not the
    # province holding it (a question received by a province merged into this one, ADR 0032);
    # blank: this province. Every later decision on it reads that profile (qa.selectors.
    # question_profile).
    profile_province = models.CharField(max_length=40, blank=True)
    deadline_kind = models.CharField(max_length=40)
    deadline_working_days = models.PositiveSmallIntegerField()
    clock_start_at = models.DateTimeField()
    due_at = models.DateTimeField()
    deadline_rule = models.CharField(max_length=300)
    deadline_source = models.CharField(max_length=300)
    inter_agency = models.BooleanField(default=False)
    appointment_at = models.DateTimeField(null=True, blank=True)  # special cases (Art. 14(4)c)
    progress_notice_at = models.DateTimeField(null=True, blank=True)  # Decree 43/2011 Art. 17
    progress_due_at = models.DateTimeField(null=True, blank=True)
    # Lateness stays on the record (ADR 0011): the deadline set at receipt, never moved, and
    # the first promised date that passed unanswered before a reclassification moved it.
    first_due_at = models.DateTimeField(null=True, blank=True)
    missed_due_at = models.DateTimeField(null=True, blank=True)

    suspect = models.BooleanField(default=False)
    moderation_note = models.CharField(max_length=300, blank=True)
    return_reason = models.TextField(blank=True)

    answer_text = models.TextField(blank=True)
    answer_channel = models.CharField(max_length=10, blank=True)  # portal | email
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_public = models.BooleanField(default=False)
    # Where the board publishes answers (profile qa.answer_publisher = "board"; Hà Giang Art.
    # 9(2), Đồng Nai Art. 8(2)(d)): the agency asked for publication, the board has not decided.
    publication_pending = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.TextField(blank=True)  # complaints: the result (Huế Art. 13(1))

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["status", "due_at"], name="question_status_due"),
            models.Index(fields=["agency", "status"], name="question_agency_status"),
            models.Index(fields=["is_public", "-answered_at"], name="question_public"),
            models.Index(fields=["retention_until"], name="question_retention"),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.IN_PROGRESS)

    @property
    def was_late(self) -> bool:
        """A promised date passed unanswered, even if a later reclassification moved it."""
        return self.missed_due_at is not None

    def is_overdue(self, now: datetime) -> bool:
        """The overdue test for one item (QuestionQuerySet.overdue for many): the date last
        promised to the asker is before `now`."""
        return self.effective_due_at < now

    @property
    def effective_due_at(self):
        """The date the asker was promised last: an appointment or a progress notice's new
        date replaces the first deadline when the rule allows it."""
        return self.appointment_at or self.progress_due_at or self.due_at


class Answer(models.Model):
    """An answer drafted by agency staff; only the head (answer role) or a delegate sends it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Bản nháp")
        SUBMITTED = "submitted", _("Chờ thủ trưởng duyệt")
        RETURNED = "returned", _("Trả lại người soạn")
        SENT = "sent", _("Đã gửi")

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"answer to {self.question_id} ({self.status})"


class Event(models.Model):
    """The audit log of a question: every routing, notice, answer and decision."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.question_id} {self.action}"


# How an answer reaches the asker (`Question.answer_channel`, `Answer` sending), by code.
CHANNEL_LABELS = {
    "portal": _("Đăng trên Cổng"),
    "email": _("Gửi thư điện tử cho người hỏi"),
}

# What each entry of a question's log (`Event.action`) records, by code.
EVENT_LABELS = {
    "received": _("Tiếp nhận"),
    "moderated": _("Kiểm duyệt: tiếp nhận"),
    "refused": _("Kiểm duyệt: không tiếp nhận"),
    "reassigned": _("Chuyển cơ quan"),
    "reclassified": _("Phân loại lại"),
    "appointment": _("Hẹn ngày trả lời"),
    "progress_notice": _("Thông báo tiến độ"),
    "returned": _("Trả lại (không thuộc phạm vi)"),
    "answer_drafted": _("Soạn trả lời, gửi duyệt"),
    "answer_returned": _("Trả lại bản trả lời cho người soạn"),
    "answered": _("Gửi trả lời"),
    "published": _("Ban biên tập đăng câu trả lời"),
    "publication_declined": _("Ban biên tập không đăng câu trả lời"),
    "personal_data_purged": _("Xoá dữ liệu cá nhân hết thời hạn lưu"),
}


class QuestionAttachment(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="qa/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.original_name
