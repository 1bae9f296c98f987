"""The editorial item kinds and the item fields a rule profile may name (pure Python).

An update SLA says which items it applies to (ADR 0005): items of a kind, anchored at one of
their date fields, and — where the article restricts it — only the items whose author set a
flag. The profile schema validates those names against these lists, so a profile cannot
name a kind or a field no item has. The editorial module defines the kinds
(`editorial.models.Kind`) and their fields (`editorial.content.FIELDS_OF_KIND`); provinces/
does not import Django, so the names are written out here and a test
(tests/editorial/test_sla_reachability.py) keeps both equal.
"""

from __future__ import annotations

ITEM_KINDS: tuple[str, ...] = (
    "news",
    "event",
    "announcement",
    "legal_document",
    "draft_document",
    "spokesperson_statement",
    "leader_schedule",
    "contact_directory",
    "statistics_report",
    "investment_notice",
    "bidding_notice",
    "procurement_notice",
    "static_page",
    "procedure",
)

# The date and instant fields of each kind: what an SLA can count from.
ANCHOR_FIELDS: dict[str, tuple[str, ...]] = {
    "news": ("event_at",),
    "event": ("event_at",),
    "announcement": ("event_at", "issued_on", "received_at"),
    "legal_document": ("issued_on", "effective_on"),
    "draft_document": ("opens_on", "closes_on", "ready_at"),
    "spokesperson_statement": ("event_at",),
    "leader_schedule": ("week_of",),
    "contact_directory": ("ready_at",),
    "statistics_report": ("period_start", "period_end", "issued_on"),
    "investment_notice": ("issued_on", "closes_on", "ready_at"),
    "bidding_notice": ("issued_on", "closes_on", "ready_at"),
    "procurement_notice": ("issued_on", "closes_on", "ready_at"),
    "static_page": ("ready_at",),
    # A procedure's version takes effect on a day (Thái Nguyên Art. 10(3), 13(3)) and is
    # announced by a decision issued on a day (Huế Art. 9(4), 12(3) count from the issue).
    "procedure": ("effective_on", "issued_on"),
}

# What each anchor of an SLA counts from: the item fields that carry it. An SLA's `anchor` and
# the `anchor_field` of each item it applies to must agree, so that the rule staff read ("kể từ
# khi nhận được thông tin") names the date the deadline is really counted from.
FIELDS_OF_ANCHOR: dict[str, tuple[str, ...]] = {
    "event": ("event_at",),
    "issue": ("issued_on",),
    "effective": ("effective_on",),
    "period_end": ("period_end",),
    "receipt": ("received_at",),  # Huế Art. 9(2): "ngay khi nhận được"
    "completion": ("ready_at",),  # Huế Art. 9(1): "ngay sau khi hoàn thành"
}

# The yes/no flags of each kind its author sets: what restricts an SLA to some items.
ITEM_FLAGS: dict[str, tuple[str, ...]] = {
    "news": ("major_event",),
    "event": ("major_event",),
    "announcement": ("urgent",),
    "legal_document": (),
    "draft_document": (),
    "spokesperson_statement": (),
    "leader_schedule": (),
    "contact_directory": (),
    "statistics_report": (),
    "investment_notice": (),
    "bidding_notice": (),
    "procurement_notice": (),
    "static_page": (),
    "procedure": (),
}

# Kinds whose every change is a new event to publish: a new value of the anchor field on an
# item already published starts a new deadline (a procedure's new version takes effect on its
# own day: Thái Nguyên Art. 13(3) "chậm nhất 02 ngày làm việc kể từ ngày có hiệu lực"). Other
# kinds keep the deadline their first publication was judged by (ADR 0005).
REANCHORED_KINDS: tuple[str, ...] = ("procedure",)

# What a profile's `public_services.required_fields` may name: each a part of a procedure that
# must be filled in before it is published (editorial.content.procedure_missing checks them).
PROCEDURE_REQUIREMENTS: tuple[str, ...] = (
    "name",
    "agency",
    "field",
    "level",
    "methods",
    "subjects",
    "steps",
    "dossier",
    "forms",
    "processing_time",
    "deadline",
    "fees",
    "conditions",
    "legal_basis",
    "result",
    "online_level",
    "responsible_person",
)
