"""The paperwork a province's regulation requires (issue: reports, budget owner, royalties).

- `PageViewDay`: how many times citizens opened the pages of a site on a day, counted by the
  platform itself (reports.pageviews): a number per (day, site, kind of page), nothing about
  who looked.
- `Report`: one report of one `reporting` entry of the profile for one period (and one agency
  or component site where the entry is made per agency or site), drafted from the platform's
  records, signed off by a holder of the entry's role, archived with its files.
- `CostLine`: what the portal cost, charged to the profile's budget owner (and to an agency
  where the regulation makes each agency pay for its own site: Huế Art. 6(1)).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organization.models import Agency, ComponentSite

# Every report a regulation requires is kept (Luật Lưu trữ: records of state agencies).
REPORT_UPLOAD = "reports/%Y/%m/"


class PageViewDay(models.Model):
    """Page views of one kind of page of one site on one day (Vietnam's date). `site` null is
    the provincial portal. Written by the flush of the counters kept in Redis."""

    class PageKind(models.TextChoices):
        HOME = "home", _("Trang chủ")
        ITEM = "item", _("Bài viết")
        LIST = "list", _("Danh sách, chuyên mục")
        DOCUMENT = "document", _("Văn bản")
        PROCEDURE = "procedure", _("Thủ tục hành chính")
        QA = "qa", _("Hỏi – Đáp")
        SEARCH = "search", _("Tìm kiếm")
        OTHER = "other", _("Trang khác")

    day = models.DateField()
    site = models.ForeignKey(
        ComponentSite, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=12, choices=PageKind.choices)
    views = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "site", "kind"],
                name="page_view_day_unique",
                nulls_distinct=False,
            ),
        ]
        indexes = [models.Index(fields=["day"], name="page_view_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.site_id or 'portal'} {self.kind}: {self.views}"


class Report(models.Model):
    """One report of one profile `reporting` entry for one period.

    The entry is identified by `entry_key` (a digest of who, to, cadence and source: stable
    across profile versions that keep the entry) and described by the copies kept here, so an
    archived report reads the same after the profile changes. `figures` is the snapshot of the
    activity figures it was drafted from (reports.figures), never recomputed once signed."""

    class Status(models.TextChoices):
        DRAFTED = "drafted", _("Đã dự thảo, chờ ký duyệt")
        SIGNED_OFF = "signed_off", _("Đã ký duyệt, lưu trữ")

    entry_key = models.CharField(max_length=64)
    who = models.CharField(max_length=500)
    to = models.CharField(max_length=500)
    cadence = models.CharField(max_length=12)
    subject = models.CharField(max_length=30)
    role_code = models.CharField(max_length=60)  # who signs: holders of this role
    source = models.CharField(max_length=300)  # the article requiring the report
    profile_effective_from = models.DateField()
    # One report per agency or component site where the entry says so; both null: the province.
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    site = models.ForeignKey(
        ComponentSite, null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    period_start = models.DateField()
    period_end = models.DateField()  # inclusive
    due_on = models.DateField()
    due_rule = models.CharField(max_length=300)  # "5 ngày làm việc sau kỳ báo cáo"
    due_source = models.CharField(max_length=300)
    title = models.CharField(max_length=500)
    figures = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFTED)
    drafted_at = models.DateTimeField(auto_now_add=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # null: drafted by the platform at the period's end
    document = models.FileField(upload_to=REPORT_UPLOAD, blank=True)  # DOCX
    tables = models.FileField(upload_to=REPORT_UPLOAD, blank=True)  # XLSX
    reminded_at = models.DateTimeField(null=True, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_name = models.CharField(max_length=200, blank=True)  # kept if the account goes
    signed_off_on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sign_off_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-period_end", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry_key", "period_start", "period_end", "agency", "site"],
                name="report_one_per_period",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="report_period_order",
            ),
            models.CheckConstraint(
                condition=Q(status="drafted", signed_off_at__isnull=True)
                | Q(status="signed_off", signed_off_at__isnull=False),
                name="report_sign_off_recorded",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_on"], name="report_status_due"),
        ]

    def __str__(self) -> str:
        return self.title


class CostLine(models.Model):
    """A cost of running the portal, charged to the budget owner named by the profile (copied
    here: a later profile may name another owner) and, where costs are split by agency, to the
    agency that pays. Never edited: a mistake is put right by a line with the opposite amount."""

    class Category(models.TextChoices):
        INFRASTRUCTURE = "infrastructure", _("Đầu tư, nâng cấp hạ tầng, trang thiết bị")
        OPERATION = "operation", _("Quản lý, duy trì, vận hành")
        CONTENT = "content", _("Tạo lập, số hoá thông tin")
        ROYALTIES = "royalties", _("Nhuận bút, thù lao")
        SECURITY = "security", _("Bảo đảm an toàn thông tin")
        OTHER = "other", _("Chi khác")

    month = models.DateField()  # the first day of the month charged
    category = models.CharField(max_length=16, choices=Category.choices)
    description = models.CharField(max_length=300)
    amount = models.BigIntegerField()  # đồng; negative: a correction
    budget_owner = models.CharField(max_length=300)
    budget_source = models.CharField(max_length=300)
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="cost_lines"
    )
    reference = models.CharField(max_length=120, blank=True)  # a contract, an invoice number
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=-(10**13)) & Q(amount__lte=10**13),
                name="cost_line_amount_bounded",
            ),
        ]
        indexes = [models.Index(fields=["month"], name="cost_line_month")]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.description}: {self.amount}"
