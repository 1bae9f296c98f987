"""What a province is late with (reports.compliance, ADR 0030): each line's count against the
records built here (a late question, an answer given late, an overdue item, an unmet quota, a
missing section, no backup for longer than the profile's frequency, a drafted report past
due), its article and its page; the budget owner with its source; the snapshots the
operators' board reads, written for every province by the task."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import AuditEntry
from core.profiles import current_profile
from editorial.dashboard import month_bounds
from editorial.models import Item, Revision
from organization.models import Agency
from provinces.calendar import TZ
from qa.models import Question, Topic
from qa.services import topic_ensure
from reports.compliance import (
    BACKUPS_OVERDUE,
    LINE_CODES,
    QA_ANSWERED_LATE,
    QA_OPEN_LATE,
    QUOTAS_UNMET,
    REPORTS_OVERDUE,
    SECTIONS_MISSING,
    UPDATES_LATE,
    VERIFICATIONS_OVERDUE,
    compliance_snapshot_refresh,
    province_compliance,
)
from reports.models import Report
from reports.tasks import compliance_snapshot
from tenants.models import ComplianceSnapshot, Province
from tests.factories.backups import backup_record
from tests.factories.editorial import published
from tests.factories.qa import answered, submitted

_slugs = itertools.count(1)


def _item(*, agency, author, due=None, featured=False, first_published_at=None, on_portal=True):
    """An item of `agency` as the editorial engine leaves it: a draft owed by `due`, or (with
    `first_published_at`) a featured news published on the provincial portal."""
    is_published = first_published_at is not None
    item = Item.objects.create(
        kind="news",
        site=None if on_portal else getattr(agency, "site", None),
        agency=agency,
        slug=f"tuan-thu-{next(_slugs)}",
        status=Item.Status.PUBLISHED if is_published else Item.Status.DRAFT,
        featured=featured,
        author=author,
        sla_content_type="news" if due else "",
        sla_due_at=due,
        sla_rule="trong 8 giờ làm việc kể từ sự kiện" if due else "",
        sla_source="QĐ 40/2012 Art. 10(2)" if due else "",
        first_published_at=first_published_at,
        published_at=first_published_at,
    )
    revision = Revision.objects.create(item=item, number=1, title="Tin", author=author)
    item.current_revision = revision
    item.published_revision = revision if is_published else None
    item.save(update_fields=["current_revision", "published_revision"])
    return item


def _report(*, title: str, due_on: date) -> Report:
    # A report as the drafting leaves it (reports' drafting is another service's).
    return Report.objects.create(
        entry_key=f"key-{title}",
        who="Tổng Biên tập",
        to="Ủy ban nhân dân tỉnh",
        cadence="monthly",
        subject="portal_activity",
        role_code="editor_in_chief",
        source="QĐ 40/2012 Art. 16(2)(d)",
        profile_effective_from=date(2012, 11, 16),
        period_start=due_on - timedelta(days=40),
        period_end=due_on - timedelta(days=10),
        due_on=due_on,
        due_rule="5 ngày làm việc sau kỳ báo cáo",
        due_source="platform default",
        title=title,
    )


@pytest.fixture
def thainguyen(province_schema, tenant_db):
    site, staff = province_schema("thainguyen")
    topic_ensure(name="Đất đai", agency=site.agency)
    # Onboarded long ago: a province never backed up is overdue (backups.schedule.is_overdue).
    Province.objects.filter(slug="thainguyen").update(
        created_at=timezone.now() - timedelta(days=60)
    )
    return staff


def _counts(compliance) -> dict[str, int]:
    return {line.code: line.count for line in compliance.lines}


def test_each_line_counts_the_records_of_the_province(thainguyen, django_assert_max_num_queries):
    # given
    staff = thainguyen
    now = timezone.now()
    today = now.astimezone(TZ).date()
    topic = Topic.objects.select_related("agency").get(name="Đất đai")
    head = staff.holding("agency_head", agency=topic.agency)
    before = _counts(province_compliance(now=now))
    # a question open past its deadline, one answered late today, one answered in time
    submitted(topic, received_at=now - timedelta(days=60))
    answered(submitted(topic, received_at=now - timedelta(days=50)), by=head)
    answered(submitted(topic, received_at=now - timedelta(hours=1)), by=head)
    # two drafts past their update deadline, one not due yet
    department = Agency.objects.get(short_name="sokhdt")
    author = staff.holding("updater", agency=department)
    _item(agency=department, author=author, due=now - timedelta(days=2), on_portal=False)
    _item(agency=department, author=author, due=now - timedelta(hours=3), on_portal=False)
    _item(agency=department, author=author, due=now + timedelta(days=3), on_portal=False)
    # last month the department supplied its 2 featured news (Art. 8(3)); the others none
    last_month, _end = month_bounds(month_bounds(today)[0].date() - timedelta(days=1))
    for day in (2, 9):
        _item(
            agency=department,
            author=author,
            featured=True,
            first_published_at=last_month + timedelta(days=day),
        )
    quota_agencies = Agency.objects.filter(is_active=True, kind__in=["department", "district"])
    # a backup nine days old (weekly frequency, Art. 11(2)), never proven
    province = Province.objects.get(slug="thainguyen")
    backup_record(province, at=now - timedelta(days=9))
    # a report past due and one due next week, both unsigned
    _report(title="Báo cáo tháng quá hạn", due_on=today - timedelta(days=1))
    _report(title="Báo cáo tháng trong hạn", due_on=today + timedelta(days=7))

    # when
    with django_assert_max_num_queries(20):
        compliance = province_compliance(now=timezone.now())

    # then
    counts = _counts(compliance)
    assert counts[QA_OPEN_LATE] == before[QA_OPEN_LATE] + 1
    assert counts[QA_ANSWERED_LATE] == before[QA_ANSWERED_LATE] + 1
    assert counts[UPDATES_LATE] == before[UPDATES_LATE] + 2
    assert counts[QUOTAS_UNMET] == quota_agencies.count() - 1
    assert counts[BACKUPS_OVERDUE] == 1
    assert counts[VERIFICATIONS_OVERDUE] == 1
    assert counts[REPORTS_OVERDUE] == 1
    assert compliance.reports_drafted == 2
    assert [(r.title, r.overdue) for r in compliance.reports] == [
        ("Báo cáo tháng quá hạn", True),
        ("Báo cáo tháng trong hạn", False),
    ]
    assert compliance.late_total == sum(counts.values())
    # each line cites the profile's rule and links the page that lists the cases
    profile = current_profile()
    assert compliance.line(QA_OPEN_LATE).source == profile.qa.source
    assert compliance.line(QA_OPEN_LATE).url == reverse("frontend:staff_qa_inbox") + "?qua_han=1"
    assert compliance.line(UPDATES_LATE).url == reverse("frontend:staff_dashboard")
    assert compliance.line(QUOTAS_UNMET).url == reverse("frontend:staff_dashboard")
    assert compliance.line(QUOTAS_UNMET).source == "QĐ 40/2012 Art. 8(3)"
    assert compliance.line(BACKUPS_OVERDUE).source == profile.backups.source_of("frequency")
    assert compliance.budget_owner == "Trung tâm Thông tin tỉnh (Văn phòng Ủy ban nhân dân tỉnh)"
    assert compliance.budget_source == "QĐ 40/2012 Art. 16(2)(g), 23"


def test_a_fresh_backup_and_its_proof_leave_nothing_overdue(thainguyen):
    # given: a copy an hour ago (the daily verification has a day to prove it)
    now = timezone.now()
    backup_record(Province.objects.get(slug="thainguyen"), at=now - timedelta(hours=1))
    # when
    counts = _counts(province_compliance(now=now))
    # then
    assert counts[BACKUPS_OVERDUE] == 0
    assert counts[VERIFICATIONS_OVERDUE] == 0


def test_a_section_counts_as_missing_until_its_content_is_published(thainguyen):
    # given: Thái Nguyên's "Tin tức, sự kiện" (Art. 4(5)) is filled by news on the portal
    staff = thainguyen
    now = timezone.now()
    missing = _counts(province_compliance(now=now))[SECTIONS_MISSING]
    assert missing >= 1
    # when
    published(staff, site=None, title="Khai mạc hội chợ", body="Nội dung tin.")
    # then
    assert _counts(province_compliance(now=timezone.now()))[SECTIONS_MISSING] == missing - 1


def test_the_same_figures_wherever_they_are_computed(thainguyen, tenant_db):
    # given: the board computes a province's figures from the platform host's request or a
    # worker, not on the province's host: the sections' pages are still the province's own
    inside = _counts(province_compliance())
    # when
    snapshot = compliance_snapshot_refresh(province=tenant_db["thainguyen"])
    # then
    assert snapshot.figures["counts"] == inside
    assert snapshot.figures["late_total"] == sum(inside.values())


def test_the_snapshot_keeps_numbers_only(thainguyen, tenant_db):
    # given: a citizen's question past its deadline
    topic = Topic.objects.get(name="Đất đai")
    question = submitted(
        topic,
        name="Phạm Thị Tuân Thủ",
        email="tuan.thu@example.vn",
        title="Hỏi về đất đai quá hạn",
        received_at=timezone.now() - timedelta(days=60),
    )
    assert Question.objects.filter(pk=question.pk).exists()
    # when
    snapshot = compliance_snapshot_refresh(province=tenant_db["thainguyen"])
    # then
    text = str(snapshot.figures)
    assert snapshot.figures["counts"][QA_OPEN_LATE] >= 1
    assert set(snapshot.figures["counts"]) == set(LINE_CODES)
    for personal in ("Phạm Thị Tuân Thủ", "tuan.thu@example.vn", "Hỏi về đất đai quá hạn"):
        assert personal not in text


def test_an_operators_refresh_is_audited_on_the_platform(tenant_db, django_user_model):
    # given
    with schema_context("public"):
        operator = django_user_model.objects.create_user(
            username="compliance_operator", password="x", is_staff=True
        )
    # when
    compliance_snapshot_refresh(province=tenant_db["hagiang"], actor=operator)
    # then
    with schema_context("public"):
        entry = AuditEntry.objects.get(action="compliance_refreshed")
    assert entry.target == "hagiang"
    assert entry.actor_id == operator.pk


def test_the_task_writes_a_snapshot_for_every_province_and_twice_is_harmless(tenant_db):
    # given
    assert not ComplianceSnapshot.objects.exists()
    # when: beat's run, then another (a redelivery)
    compliance_snapshot.apply()
    first = {s.province.slug: s.computed_at for s in ComplianceSnapshot.objects.all()}
    compliance_snapshot.apply()
    # then
    assert set(first) == set(tenant_db)
    assert ComplianceSnapshot.objects.count() == len(tenant_db)
    after = {s.province.slug: s.computed_at for s in ComplianceSnapshot.objects.all()}
    assert all(after[slug] >= first[slug] for slug in first)


def test_quotas_are_judged_on_the_last_whole_month(thainguyen):
    # given: featured news supplied this month count for this month, not for the last one
    staff = thainguyen
    now = datetime.now(TZ).replace(day=1, hour=9, minute=0) + timedelta(days=1)
    department = Agency.objects.get(short_name="sokhdt")
    author = staff.holding("updater", agency=department)
    before = _counts(province_compliance(now=now))[QUOTAS_UNMET]
    for hours in (1, 2):
        _item(
            agency=department,
            author=author,
            featured=True,
            first_published_at=now - timedelta(hours=hours),
        )
    # then
    assert _counts(province_compliance(now=now))[QUOTAS_UNMET] == before
