"""Activity figures (issue 14, Must have 1): every figure of a month checked against the records
a test makes through the services, with records just outside the period, of another agency, a
translation and a shared copy that a wrong definition would count."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from backups.models import Backup, Verification
from editorial.models import Item, Transition
from editorial.services import item_correct, item_withdraw
from organization.models import Agency
from qa.models import Question
from qa.services import topic_ensure
from reports.figures import Figures, activity_figures
from reports.models import PageViewDay
from tests.factories.backups import backup_record
from tests.factories.editorial import Desk, published
from tests.factories.provinces import vn
from tests.factories.qa import answered, submitted

START, END = date(2026, 10, 1), date(2026, 10, 31)


def dated(item: Item, *, first_published_at, due=None, met=None, **fields) -> Item:
    """Move an item published through the workflow today into the period of the test."""
    Item.objects.filter(pk=item.pk).update(
        first_published_at=first_published_at,
        published_at=first_published_at,
        sla_due_at=due,
        sla_met_at=met,
        **fields,
    )
    Transition.objects.filter(item=item).update(created_at=first_published_at)
    item.refresh_from_db()
    return item


def moved(question: Question, **fields) -> Question:
    Question.objects.filter(pk=question.pk).update(**fields)
    question.refresh_from_db()
    return question


@pytest.fixture
def thainguyen(province_schema):
    site, staff = province_schema("thainguyen")
    other = Agency.objects.exclude(pk=site.agency_id).filter(kind=site.agency.kind).first()
    return site, staff, other


def test_a_month_of_items_is_counted_by_first_publication_kind_category_and_deadline(
    thainguyen, django_assert_max_num_queries
):
    site, staff, other = thainguyen
    desk = Desk(staff, site)
    # given: on the site, a news item on time, an announcement 48 hours late, a news item 10
    # hours late; one published the evening before the period; a translation and a shared copy
    on_time = dated(
        desk.publish(title="Đúng hạn"),
        first_published_at=vn(2026, 10, 5, 9),
        due=vn(2026, 10, 5, 10),
        met=vn(2026, 10, 5, 9),
    )
    dated(
        desk.publish(title="Trễ hai ngày", kind="announcement"),
        first_published_at=vn(2026, 10, 10, 0),
        due=vn(2026, 10, 8, 0),
        met=vn(2026, 10, 10, 0),
    )
    dated(
        desk.publish(title="Trễ mười giờ"),
        first_published_at=vn(2026, 10, 20, 18),
        due=vn(2026, 10, 20, 8),
        met=vn(2026, 10, 20, 18),
    )
    dated(
        desk.publish(title="Tháng trước"),
        first_published_at=vn(2026, 9, 30, 23, 30),
        due=vn(2026, 9, 30, 8),
        met=vn(2026, 9, 30, 23, 30),
    )
    dated(
        desk.publish(title="Bản dịch"),
        first_published_at=vn(2026, 10, 6, 9),
        translation_of=on_time,
    )
    dated(
        desk.publish(title="Bản chia sẻ", on_portal=True),
        first_published_at=vn(2026, 10, 7, 9),
        shared_from=on_time,
        agency=site.agency,
    )
    # another agency's news on the provincial portal, in the period
    dated(
        published(staff, site=None, title="Của đơn vị khác", agency=other),
        first_published_at=vn(2026, 10, 31, 23, 59),
    )
    # owed at the period's end: one overdue, one due after the end, one withdrawn
    overdue = dated(desk.publish(title="Quá hạn"), first_published_at=vn(2026, 11, 2, 9))
    Item.objects.filter(pk=overdue.pk).update(
        first_published_at=None, status=Item.Status.DRAFT, sla_due_at=vn(2026, 10, 25, 8)
    )
    later = dated(desk.publish(title="Hạn sau kỳ"), first_published_at=vn(2026, 11, 2, 9))
    Item.objects.filter(pk=later.pk).update(sla_due_at=vn(2026, 11, 1, 8))
    withdrawn = dated(desk.publish(title="Thu hồi"), first_published_at=vn(2026, 9, 1, 9))
    Item.objects.filter(pk=withdrawn.pk).update(
        status=Item.Status.WITHDRAWN, sla_due_at=vn(2026, 10, 20, 8), sla_met_at=None
    )

    # when
    with django_assert_max_num_queries(14):
        province = activity_figures(start=START, end=END)
    agency = activity_figures(start=START, end=END, agency=site.agency)
    of_site = activity_figures(start=START, end=END, site=site)

    # then
    assert province.published_total == 4
    assert agency.published_total == 3
    assert of_site.published_total == 3
    assert {(row.kind, row.label, row.count) for row in agency.published_by_kind} == {
        ("news", "Tin tức", 2),
        ("announcement", "Thông báo", 1),
    }
    assert sum(row.count for row in province.published_by_category) == 4
    assert (agency.sla_on_time, agency.sla_late) == (1, 2)
    assert agency.sla_late_max_hours == 48
    assert agency.sla_late_median_hours == 29  # percentile_cont of 10 and 48 hours
    assert agency.sla_overdue_open == 1
    # judged on 22 October, while the month runs: the deadline of 25 October is not past yet
    running = activity_figures(start=START, end=END, agency=site.agency, now=vn(2026, 10, 22))
    assert running.sla_overdue_open == 0
    assert agency.scope_label == site.agency.name
    assert province.scope_label == "Toàn tỉnh"


def test_quotas_count_each_whole_month_of_the_period(thainguyen):
    site, staff, _other = thainguyen
    # given: the agency supplied one featured news item to the portal in October (Thái
    # Nguyên Art. 8(3): at least 2 a month for a department), two in November
    for day in (vn(2026, 10, 3, 9), vn(2026, 11, 3, 9), vn(2026, 11, 4, 9)):
        dated(
            published(staff, site=None, title="Tin tiêu biểu", agency=site.agency, featured=True),
            first_published_at=day,
        )
    # when: October to mid-December (December is not a whole month of the period)
    figures = activity_figures(start=START, end=date(2026, 12, 15), agency=site.agency)
    # then
    rows = [(q.month, q.agency, q.supplied, q.required, q.met) for q in figures.quotas]
    minimum = figures.quotas[0].required
    assert minimum == {"department": 2, "district": 3}[site.agency.kind]
    assert rows == [
        ("2026-10", site.agency.name, 1, minimum, False),
        ("2026-11", site.agency.name, 2, minimum, minimum <= 2),
    ]
    assert {q.content_type for q in figures.quotas} == {"featured_news"}


def test_corrections_and_withdrawals_of_the_period(thainguyen):
    site, staff, _other = thainguyen
    desk = Desk(staff, site)
    item = desk.publish(title="Bài có đính chính")
    correction = item_correct(item=item, actor=desk.publisher(site), reason="Sai số", text="Sửa")
    item_correct(item=item, actor=desk.publisher(site), reason="Lần hai", text="Sửa lại")
    # one correction in October, the other one stays in December (today)
    type(correction).objects.filter(pk=correction.pk).update(published_at=vn(2026, 10, 9, 9))
    gone = desk.publish(title="Bài thu hồi")
    item_withdraw(item=gone, actor=desk.publisher(site), reason="Thông tin không chính xác")
    Transition.objects.filter(item=gone, action=Transition.Action.WITHDRAW).update(
        created_at=vn(2026, 10, 31, 23)
    )
    kept = desk.publish(title="Thu hồi sau kỳ")
    item_withdraw(item=kept, actor=desk.publisher(site), reason="Sau kỳ")

    figures = activity_figures(start=START, end=END, site=site)

    assert (figures.corrections, figures.withdrawals) == (1, 1)


def test_procedure_changes_published_in_the_period_and_late_ones(thainguyen):
    """ADR 0019: each version of a procedure owes its own deadline (Thái Nguyên Art. 10(3),
    13(3): 2 working days from its effective date); a change counts when it is published."""
    from tests.editorial.test_procedures import attach_form, create
    from tests.editorial.test_procedures import publish as publish_procedure

    site, staff, _other = thainguyen
    agency = site.agency

    def procedure(code: str, effective_on: date, published_at) -> Item:
        item = create(staff, agency, code, effective_on=effective_on, title=f"Thủ tục {code}")
        attach_form(item, staff)
        item = publish_procedure(item, staff)
        Item.objects.filter(pk=item.pk).update(
            first_published_at=published_at, published_at=published_at, sla_met_at=published_at
        )
        Transition.objects.filter(item=item, action=Transition.Action.PUBLISH).update(
            created_at=published_at
        )
        item.refresh_from_db()
        return item

    # given: one in force on Thursday 1 October published on Tuesday 6 (late: due Monday 5),
    # one in force on Monday 19 published on Tuesday 20 (on time), one published in November
    late = procedure("1.000001", date(2026, 10, 1), vn(2026, 10, 6, 9))
    on_time = procedure("1.000002", date(2026, 10, 19), vn(2026, 10, 20, 9))
    procedure("1.000003", date(2026, 10, 30), vn(2026, 11, 2, 9))
    assert late.published_late
    assert not on_time.published_late

    figures = activity_figures(start=START, end=END, agency=agency)

    assert (figures.procedure_changes, figures.procedure_changes_late) == (2, 1)
    tables = {table.title: table.rows for table in figures.tables()}
    assert tables["Thủ tục hành chính"] == [
        ["Thủ tục hành chính công bố, thay đổi trong kỳ", 2],
        ["Trong đó: cập nhật trễ hạn", 1],
    ]


@pytest.fixture
def hue(province_schema):
    site, staff = province_schema("thuathienhue")
    topic = topic_ensure(name="Đất đai", agency=site.agency)
    other = Agency.objects.exclude(pk=site.agency_id).first()
    elsewhere = topic_ensure(name="Giao thông", agency=other)
    return site, staff, topic, elsewhere


def test_questions_of_a_month_in_hue(hue):
    site, staff, topic, elsewhere = hue
    head = staff.holding("agency_head")
    # given: answered on time, answered late, still open and late at the period's end, open
    # but not yet due, a complaint (Huế takes questions and complaints, no feedback), one
    # from September answered in October, one routed to another agency, one in moderation,
    # one given an appointment after the period's end
    on_time = answered(submitted(topic, received_at=vn(2026, 10, 2, 9)), by=head)
    moved(on_time, answered_at=vn(2026, 10, 5, 9))
    late = answered(submitted(topic, received_at=vn(2026, 10, 5, 9)), by=head)
    moved(late, answered_at=late.due_at + timedelta(days=1))
    open_late = submitted(topic, received_at=vn(2026, 10, 1, 9))
    assert open_late.due_at < vn(2026, 11, 1, 0)
    open_not_due = submitted(topic, received_at=vn(2026, 10, 30, 9))
    assert open_not_due.due_at >= vn(2026, 11, 1, 0)
    complaint = submitted(topic, received_at=vn(2026, 10, 6, 9), intake="complaint")
    assert complaint.due_at < vn(2026, 11, 1, 0)  # unanswered and late at the end, too
    september = answered(submitted(topic, received_at=vn(2026, 9, 20, 9)), by=head)
    moved(september, answered_at=vn(2026, 10, 1, 9))
    submitted(elsewhere, received_at=vn(2026, 10, 8, 9))
    in_moderation = submitted(topic, received_at=vn(2026, 10, 9, 9))
    moved(in_moderation, status=Question.Status.MODERATION)
    appointed = submitted(topic, received_at=vn(2026, 10, 12, 9))
    moved(appointed, appointment_at=vn(2026, 12, 20, 9))

    figures = activity_figures(start=START, end=END, agency=site.agency)
    province = activity_figures(start=START, end=END)
    of_site = activity_figures(start=START, end=END, site=site)

    assert figures.questions_received == 6  # moderation and September left out
    assert province.questions_received == 7
    assert of_site.questions_received == 6
    assert figures.questions_answered == 3
    assert figures.questions_answered_late == 1
    assert figures.questions_open_late == 2  # the question of 1 October, the complaint
    before_due = activity_figures(
        start=START, end=END, agency=site.agency, now=open_late.due_at - timedelta(hours=1)
    )
    assert before_due.questions_open_late == 0
    assert figures.appointments == 1
    assert (figures.complaints_received, figures.feedback_received) == (1, 0)


def test_backups_verifications_and_page_views(tenant_db, in_province):
    province = tenant_db["thainguyen"]
    inside = backup_record(province, at=vn(2026, 10, 2, 1))
    backup_record(province, at=vn(2026, 10, 3, 1), status=Backup.Status.FAILED)
    backup_record(province, at=vn(2026, 11, 1, 1))  # after the period
    backup_record(tenant_db["dongnai"], at=vn(2026, 10, 2, 1))  # another province
    for status in (Verification.Status.PASSED, Verification.Status.FAILED):
        verification = Verification.objects.create(
            backup=inside, status=status, requested_by_name="kiểm tra"
        )
        Verification.objects.filter(pk=verification.pk).update(started_at=vn(2026, 10, 4, 2))
    with in_province("thainguyen"):
        from organization.models import ComponentSite

        site = ComponentSite.objects.order_by("pk").first()
        PageViewDay.objects.create(day=date(2026, 10, 1), site=None, kind="home", views=10)
        PageViewDay.objects.create(day=date(2026, 10, 31), site=site, kind="item", views=5)
        PageViewDay.objects.create(day=date(2026, 10, 31), site=site, kind="home", views=2)
        PageViewDay.objects.create(day=date(2026, 11, 1), site=site, kind="item", views=100)

        figures = activity_figures(start=START, end=END)
        of_site = activity_figures(start=START, end=END, site=site)

        assert (figures.backups, figures.backups_failed) == (2, 1)
        assert (figures.verifications, figures.verifications_failed) == (2, 1)
        assert (figures.page_views, figures.page_views_by_kind) == (17, {"home": 12, "item": 5})
        assert (of_site.page_views, of_site.page_views_by_kind) == (7, {"home": 2, "item": 5})
        assert of_site.backups == 0  # the province's, not a site's

        tables = {table.title: table for table in figures.tables()}
        assert ["Trang chủ", 12] in tables["Lượt truy cập"].rows
        assert ["Lần sao lưu thất bại", 1] in tables["Sao lưu dữ liệu"].rows
        assert Figures.from_dict(figures.as_dict()) == figures


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (date(2026, 10, 31), date(2026, 10, 1), "before it starts"),
        (date(2025, 1, 1), date(2026, 1, 2), "at most 366 days"),
    ],
)
def test_a_bad_period_is_refused(in_province, start, end, message):
    with in_province("thainguyen"), pytest.raises(ValueError, match=message):
        activity_figures(start=start, end=end)


# --- GET /api/v1/reports/figures/ ----------------------------------------------------------

URL = "/api/v1/reports/figures/"


@pytest.fixture
def keys(thainguyen):
    from tests.factories.integrations import api_key

    site, staff, _other = thainguyen
    user = staff.holding("editor_in_chief")
    dated(published(staff, site=site, title="Tin tháng mười"), first_published_at=vn(2026, 10, 9))
    return site, api_key(user, scopes=("reports",)), api_key(user, scopes=("read",))


def _get(key: str, query: str, host: str = "thainguyen.localhost"):
    from tests.conftest import host_client

    return host_client(host, HTTP_AUTHORIZATION=f"Api-Key {key}").get(f"{URL}?{query}")


def test_the_api_gives_the_figures_to_a_reports_key(keys):
    site, reports_key, _read_key = keys
    month = _get(reports_key, "period=2026-10")
    assert month.status_code == 200, month.content
    body = month.json()
    assert (body["start"], body["end"], body["published_total"]) == ("2026-10-01", "2026-10-31", 1)
    assert body == activity_figures(start=START, end=END).as_dict()
    of_site = _get(reports_key, f"from=2026-10-09&to=2026-10-09&site={site.pk}").json()
    assert (of_site["scope_label"], of_site["published_total"]) == (site.name, 1)
    before = _get(reports_key, f"from=2026-10-01&to=2026-10-08&agency={site.agency_id}").json()
    assert before["published_total"] == 0


def test_the_api_refuses_a_read_key_and_anonymous_callers(keys):
    from tests.conftest import host_client

    _site, _reports_key, read_key = keys
    assert _get(read_key, "period=2026-10").status_code == 403
    assert host_client("thainguyen.localhost").get(f"{URL}?period=2026-10").status_code in (
        401,
        403,
    )


def test_another_provinces_key_is_unknown_here(keys):
    _site, reports_key, _read_key = keys
    assert _get(reports_key, "period=2026-10", host="thuathienhue.localhost").status_code in (
        401,
        403,
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-10-31&to=2026-10-01", "to"),
        ("from=2025-01-01&to=2026-01-02", "to"),
        ("from=2026-13-01&to=2026-10-01", "from"),
        ("from=2026-10-01", "to"),
        ("period=2026-13", "period"),
        ("period=26-1", "period"),
        ("period=2026-10&from=2026-10-01&to=2026-10-02", "period"),
        ("from=0001-01-01&to=0001-01-02", "from"),
        ("period=2026-10&agency=99999999999999999999", "agency"),
        ("period=2026-10&agency=999999", "agency"),
        ("period=2026-10&site=999999", "site"),
        ("period=2026-10&site=1&agency=1", "site"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(keys, query, field):
    from tests.factories.api import error_of

    _site, reports_key, _read_key = keys
    error = error_of(_get(reports_key, query), 400)
    assert field in error["fields"], error
