"""Royalties (nhuận bút) for works published on the portal, where the profile's
`royalties.enabled` (Thái Nguyên Art. 24, Đồng Nai Art. 10(2)(d), Hà Giang Art. 14, Bắc Kạn
Art. 16; Decree 18/2014/NĐ-CP).

At publication the approver gives the item a category of the profile's rate table and a
coefficient within its range, and splits it among authors and contributors (`Assignment`,
`Share`). Each share becomes a `LedgerLine` of the month of publication; the month's ledger
(`LedgerMonth`), kept for the budget owner the profile names, is signed off and then locked:
its lines never change again, and a correction is a new line in the next open month.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from editorial.models import Item


class Assignment(models.Model):
    """An item's royalty: its category, coefficient and the value of one unit on the day it
    was published (the base amount and percentage copied from the profile in force)."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="royalty_assignments")
    category_code = models.CharField(max_length=60)
    category_name = models.CharField(max_length=200)
    coefficient = models.DecimalField(max_digits=6, decimal_places=2)
    published_on = models.DateField()
    base_amount = models.PositiveBigIntegerField()  # đồng: the base in force that day
    base_source = models.CharField(max_length=300)
    unit_percent = models.DecimalField(max_digits=5, decimal_places=2)
    unit_value = models.PositiveBigIntegerField()  # đồng: base_amount × unit_percent / 100
    rates_source = models.CharField(max_length=300)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    # A later assignment of the same item (a correction) replaces this one for the item page;
    # the ledger keeps both, the difference as correction lines.
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaces"
    )

    class Meta:
        ordering = ["-assigned_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(coefficient__gt=0), name="royalty_coefficient_positive"
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(replaced_by__isnull=True),
                name="royalty_one_current_assignment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.category_name} × {self.coefficient}"


class Share(models.Model):
    """One person's part of an item's royalty, in percent (the shares of an assignment add up
    to 100). A person without an account here (an outside contributor) is named only."""

    class Contribution(models.TextChoices):
        AUTHOR = "author", _("Tác giả")
        CONTRIBUTOR = "contributor", _("Cộng tác viên")
        PHOTOGRAPHER = "photographer", _("Tác giả ảnh")
        TRANSLATOR = "translator", _("Người dịch")
        EDITOR = "editor", _("Biên tập viên")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="shares")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person_name = models.CharField(max_length=200)
    contribution = models.CharField(max_length=12, choices=Contribution.choices)
    percent = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gt=0) & Q(percent__lte=100), name="royalty_share_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} {self.percent}%"


class LedgerMonth(models.Model):
    """The royalties of one month, kept for the budget owner the profile names. Open: lines
    are added as items are published. Signed off: locked for good (a trigger refuses any change
    to its lines, migration 0002)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Đang mở")
        SIGNED_OFF = "signed_off", _("Đã ký duyệt, khoá sổ")

    month = models.DateField()  # the first day of the month
    # Blank for the province's own ledger; the name of a province merged into this one for the
    # ledgers it kept before the merge (ADR 0032): they stay as they were signed, beside this
    # province's own ledger of the same month.
    former_province = models.CharField(max_length=120, blank=True)
    budget_owner = models.CharField(max_length=300)
    budget_source = models.CharField(max_length=300)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_name = models.CharField(max_length=200, blank=True)
    total = models.BigIntegerField(default=0)  # đồng: the sum of the lines when signed off
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "former_province"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "former_province"], name="ledger_one_per_month"
            ),
            models.CheckConstraint(
                condition=Q(status="open", signed_off_at__isnull=True)
                | Q(status="signed_off", signed_off_at__isnull=False),
                name="ledger_sign_off_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y}"


class LedgerLine(models.Model):
    """What one person is owed for one share (or a correction of an earlier line). Amounts in
    whole đồng: coefficient × unit value × percent / 100, rounded half up."""

    class Kind(models.TextChoices):
        ROYALTY = "royalty", _("Nhuận bút")
        CORRECTION = "correction", _("Điều chỉnh")

    ledger = models.ForeignKey(LedgerMonth, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ROYALTY)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="lines")
    share = models.ForeignKey(
        Share, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person_name = models.CharField(max_length=200)
    contribution = models.CharField(max_length=12, choices=Share.Contribution.choices)
    category_name = models.CharField(max_length=200)
    coefficient = models.DecimalField(max_digits=6, decimal_places=2)
    unit_value = models.PositiveBigIntegerField()
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    amount = models.BigIntegerField()  # đồng; negative on a correction that takes back
    corrects = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    reason = models.TextField(blank=True)  # required on a correction
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="royalty", corrects__isnull=True)
                | Q(kind="correction", corrects__isnull=False),
                name="ledger_line_correction_points_back",
            ),
        ]
        indexes = [models.Index(fields=["ledger", "person_name"], name="ledger_line_person")]

    def __str__(self) -> str:
        return f"{self.person_name}: {self.amount}"
