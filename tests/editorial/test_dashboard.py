"""The staff dashboard: overdue, due soon, published late (with the rule and article broken)
and the monthly featured-news quotas of Thái Nguyên Art. 8(3), scoped to what a user monitors."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from core.profiles import current_calendar, current_profile
from editorial.dashboard import (
    WHOLE_PROVINCE,
    agency_quotas,
    dashboard_panels,
    dashboard_scope,
    due_soon_until,
    items_due_soon,
    items_overdue,
    items_published_late,
    month_bounds,
    panel,
    portal_deadlines,
)
from editorial.models import Item, Revision, WorkflowState
from organization.models import Agency
from provinces.calendar import TZ, calendar_for
from tests.conftest import host_client
from tests.factories.pages import signed_in

# Thursday 26/11/2026, 09:00 in Vietnam: a working day, in office hours.
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=TZ)
_slugs = itertools.count(1)


def make_item(
    *,
    agency,
    author,
    title="Tin bài",
    status=Item.Status.IN_WORKFLOW,
    kind="news",
    featured=False,
    due=None,
    first_published_at=None,
    rule="trong 8 giờ làm việc kể từ sự kiện",
    source="QĐ 40/2012 Art. 10(2)",
    step=None,
    on_portal=False,
    shared_from=None,
):
    """An item of `agency`'s component site (or, `on_portal`, of the provincial portal) in a
    given state, with one revision; `step` (a dict as the engine copies it) puts it in an
    active workflow run at that step."""
    published = status == Item.Status.PUBLISHED
    item = Item.objects.create(
        kind=kind,
        site=None if on_portal else getattr(agency, "site", None),
        shared_from=shared_from,
        agency=agency,
        slug=f"tin-{next(_slugs)}",
        status=status,
        featured=featured,
        author=author,
        sla_content_type="news" if due else "",
        sla_due_at=due,
        sla_rule=rule if due else "",
        sla_source=source if due else "",
        first_published_at=first_published_at,
        published_at=first_published_at,
        sla_met_at=first_published_at if due else None,
    )
    revision = Revision.objects.create(item=item, number=1, title=title, author=author)
    item.current_revision = revision
    item.published_revision = revision if published else None
    item.save(update_fields=["current_revision", "published_revision"])
    if step is not None:
        WorkflowState.objects.create(
            item=item,
            workflow="component_site",
            profile_effective_from=current_profile().effective_from,
            steps=[{"code": "update"}, step],
            current_step=1,
        )
    return item


@pytest.fixture
def thainguyen(province_schema):
    _site, staff = province_schema("thainguyen")
    department = Agency.objects.get(short_name="sokhdt")
    district = Agency.objects.get(name="Ủy ban nhân dân huyện Phổ Yên")
    author = staff.holding("updater", agency=department)
    return staff, department, district, author


def titles(result) -> list[str]:
    return [row.title for row in result.rows]


# --- overdue, due soon ---------------------------------------------------------------------


def test_overdue_lists_unpublished_items_past_their_deadline_oldest_first(
    thainguyen, django_assert_num_queries
):
    # given
    _staff, department, _district, author = thainguyen
    step = {"code": "publish", "name": "Ban Biên tập kiểm duyệt, đăng tải", "role": "approver"}
    make_item(agency=department, author=author, title="Quá hạn 1 ngày", due=NOW - timedelta(days=1))
    make_item(
        agency=department,
        author=author,
        title="Quá hạn 2 ngày",
        due=NOW - timedelta(days=2),
        step=step,
    )
    make_item(
        agency=department,
        author=author,
        title="Đã đăng muộn",
        status=Item.Status.PUBLISHED,
        due=NOW - timedelta(days=3),
        first_published_at=NOW - timedelta(hours=1),
    )
    make_item(agency=department, author=author, title="Chưa đến hạn", due=NOW + timedelta(days=9))
    make_item(
        agency=department,
        author=author,
        title="Đã thu hồi",
        status=Item.Status.WITHDRAWN,
        due=NOW - timedelta(days=1),
    )
    # when
    with django_assert_num_queries(1):
        overdue = panel(items_overdue(scope=WHOLE_PROVINCE, now=NOW))
    # then
    assert titles(overdue) == ["Quá hạn 2 ngày", "Quá hạn 1 ngày"]
    assert overdue.total == 2
    assert overdue.rows[0].step["name"] == "Ban Biên tập kiểm duyệt, đăng tải"
    assert overdue.rows[1].step is None  # a draft never submitted waits at no step


def test_due_soon_runs_to_the_end_of_the_next_working_day_on_the_province_calendar(
    thainguyen, django_assert_num_queries
):
    # given: Friday 27/11/2026 15:00; the next working day is Monday 30/11
    _staff, department, _district, author = thainguyen
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=TZ)
    calendar = current_calendar()
    make_item(agency=department, author=author, title="Hạn chiều nay", due=friday.replace(hour=17))
    make_item(
        agency=department,
        author=author,
        title="Hạn Chủ nhật",
        due=datetime(2026, 11, 29, 23, 59, 59, tzinfo=TZ),
    )
    make_item(
        agency=department,
        author=author,
        title="Hạn tối thứ Hai",
        due=datetime(2026, 11, 30, 23, 59, 59, tzinfo=TZ),
    )
    make_item(
        agency=department,
        author=author,
        title="Hạn thứ Ba",
        due=datetime(2026, 12, 1, 10, 0, tzinfo=TZ),
    )
    make_item(agency=department, author=author, title="Đã quá hạn", due=friday - timedelta(hours=1))
    # when
    with django_assert_num_queries(1):
        soon = panel(items_due_soon(scope=WHOLE_PROVINCE, now=friday, calendar=calendar))
    # then
    # office opening (from the profile's office hours) of Tuesday 01/12
    assert due_soon_until(friday, calendar) == calendar.office_start(date(2026, 12, 1))
    assert titles(soon) == ["Hạn chiều nay", "Hạn Chủ nhật", "Hạn tối thứ Hai"]


def test_a_panel_shows_its_first_rows_and_counts_them_all(thainguyen):
    _staff, department, _district, author = thainguyen
    for days in range(1, 6):
        make_item(agency=department, author=author, due=NOW - timedelta(days=days))
    overdue = panel(items_overdue(scope=WHOLE_PROVINCE, now=NOW), limit=2)
    assert (len(overdue.rows), overdue.total, overdue.more) == (2, 5, 3)


# --- published late ------------------------------------------------------------------------


def test_published_late_shows_the_rule_and_article_broken_and_marks_platform_defaults(
    thainguyen, django_assert_num_queries
):
    # given
    _staff, department, _district, author = thainguyen
    start, _end = month_bounds(NOW.date())
    make_item(
        agency=department,
        author=author,
        title="Tin đăng muộn",
        status=Item.Status.PUBLISHED,
        due=NOW - timedelta(days=2),
        first_published_at=NOW - timedelta(days=1),
        rule="trong 8 giờ làm việc kể từ sự kiện",
        source="QĐ 40/2012 Art. 10(2)",
    )
    make_item(
        agency=department,
        author=author,
        title="Tin khẩn đăng muộn",
        status=Item.Status.PUBLISHED,
        due=NOW - timedelta(hours=5),
        first_published_at=NOW - timedelta(hours=2),
        rule="immediately (1 working hour) after the receipt",
        source="QĐ 2567/2007 Art. 9; platform default (reading of “ngay”/“ngay sau khi”)",
    )
    make_item(
        agency=department,
        author=author,
        title="Tin đúng hạn",
        status=Item.Status.PUBLISHED,
        due=NOW,
        first_published_at=NOW - timedelta(hours=3),
    )
    make_item(
        agency=department,
        author=author,
        title="Muộn tháng trước",
        status=Item.Status.PUBLISHED,
        due=start - timedelta(days=3),
        first_published_at=start - timedelta(days=1),
    )
    # when
    with django_assert_num_queries(1):
        late = panel(items_published_late(scope=WHOLE_PROVINCE, since=start))
    # then
    assert titles(late) == ["Tin khẩn đăng muộn", "Tin đăng muộn"]
    urgent, news = late.rows
    assert (news.sla_rule, news.sla_source) == (
        "trong 8 giờ làm việc kể từ sự kiện",
        "QĐ 40/2012 Art. 10(2)",
    )
    assert (news.sla_is_default, urgent.sla_is_default) == (False, True)


# --- quotas (Thái Nguyên Art. 8(3)) --------------------------------------------------------


def _featured_news(agency, author, n, *, when=NOW):
    """`n` featured news items `agency` supplied to the provincial portal (entered for it on
    the portal), first published there before `when`."""
    for i in range(n):
        make_item(
            agency=agency,
            author=author,
            title=f"Tin nổi bật {i}",
            status=Item.Status.PUBLISHED,
            featured=True,
            first_published_at=when - timedelta(hours=i + 1),
            on_portal=True,
        )


@pytest.mark.parametrize(("published", "below"), [(1, True), (2, False)])
def test_a_department_is_below_quota_with_one_featured_news_and_at_it_with_two(
    thainguyen, django_assert_num_queries, published, below
):
    # given
    _staff, department, _district, author = thainguyen
    _featured_news(department, author, published)
    # neither counts: not featured; featured but not news
    make_item(
        agency=department,
        author=author,
        status=Item.Status.PUBLISHED,
        first_published_at=NOW,
        on_portal=True,
    )
    make_item(
        agency=department,
        author=author,
        kind="announcement",
        featured=True,
        status=Item.Status.PUBLISHED,
        first_published_at=NOW,
        on_portal=True,
    )
    start, end = month_bounds(NOW.date())
    profile = current_profile()
    # when
    with django_assert_num_queries(1):
        rows = agency_quotas(scope=WHOLE_PROVINCE, profile=profile, start=start, end=end)
    # then
    row = next(row for row in rows if row.agency_id == department.pk)
    assert (row.count, row.minimum, row.below) == (published, 2, below)
    assert row.source == "QĐ 40/2012 Art. 8(3)"
    assert not row.source_is_default


def test_a_district_needs_three_and_last_month_and_unpublished_news_do_not_count(thainguyen):
    # given
    _staff, _department, district, author = thainguyen
    start, end = month_bounds(NOW.date())
    _featured_news(district, author, 2)
    _featured_news(district, author, 2, when=start)  # 23:00 the evening before: last month
    make_item(
        agency=district,
        author=author,
        featured=True,
        status=Item.Status.IN_WORKFLOW,
        on_portal=True,
    )
    # when
    rows = agency_quotas(scope=WHOLE_PROVINCE, profile=current_profile(), start=start, end=end)
    # then
    row = next(row for row in rows if row.agency_id == district.pk)
    assert (row.count, row.minimum, row.below) == (2, 3, True)
    kinds = {row.agency_kind for row in rows}
    assert kinds == {"department", "district"}  # agencies of other kinds have no quota


def test_a_quota_counts_news_supplied_to_the_portal_not_the_agencys_own_site(thainguyen):
    """Thái Nguyên Art. 8(3): "mỗi Sở, ban, ngành cung cấp ít nhất 2 tin hoạt động tiêu biểu"
    — supplied to the provincial portal (Art. 8; Art. 19(a)), not published on the agency's
    own component site."""
    # given: the department publishes three featured news items on its own site
    _staff, department, _district, author = thainguyen
    own = [
        make_item(
            agency=department,
            author=author,
            title=f"Tin của Sở {i}",
            status=Item.Status.PUBLISHED,
            featured=True,
            first_published_at=NOW - timedelta(hours=i + 1),
        )
        for i in range(3)
    ]
    # and the portal publishes one of them, shared from the site (the portal's copy has no
    # agency of its own: the portal's staff took it), plus one entered for the department
    make_item(
        agency=None,
        author=author,
        title="Tin Sở chia sẻ lên Cổng",
        status=Item.Status.PUBLISHED,
        featured=True,
        first_published_at=NOW - timedelta(minutes=30),
        on_portal=True,
        shared_from=own[0],
    )
    _featured_news(department, author, 1)
    start, end = month_bounds(NOW.date())
    # when
    rows = agency_quotas(scope=WHOLE_PROVINCE, profile=current_profile(), start=start, end=end)
    # then: two supplied, the site's own three are not counted again
    row = next(row for row in rows if row.agency_id == department.pk)
    assert (row.count, row.below) == (2, False)


# --- the portal's daily updates (Thái Nguyên Art. 10(1)) -----------------------------------


def test_the_portal_updates_of_each_day_are_shown_and_a_working_day_without_is_marked(
    thainguyen, django_assert_num_queries
):
    # given: Thursday 26/11/2026; the portal published on Wednesday (twice) and today, a
    # component site on Monday (not the portal), nothing on Tuesday (Vietnam Culture Day, a day
    # off in 2026) and the weekend
    _staff, department, _district, author = thainguyen
    for at in (NOW - timedelta(days=1), NOW - timedelta(days=1, hours=1), NOW - timedelta(hours=1)):
        make_item(
            agency=None,
            author=author,
            status=Item.Status.PUBLISHED,
            first_published_at=at,
            on_portal=True,
        )
    make_item(
        agency=department,
        author=author,
        status=Item.Status.PUBLISHED,
        first_published_at=NOW - timedelta(days=3),
    )
    profile = current_profile()
    calendar = calendar_for(profile)
    # when
    with django_assert_num_queries(1):
        (rule,) = portal_deadlines(profile=profile, now=NOW, calendar=calendar)
    # then: the seven days up to today, in order
    assert (rule.content_type, rule.source) == ("portal_refresh", "QĐ 40/2012 Art. 10(1)")
    shown = {day.day.isoformat(): (day.count, day.working, day.missed) for day in rule.days}
    assert list(shown) == [f"2026-11-{d}" for d in range(20, 27)]
    assert shown["2026-11-25"] == (2, True, False)
    assert shown["2026-11-26"] == (1, True, False)
    assert shown["2026-11-23"] == (0, True, True)  # the site's item is not the portal's
    assert shown["2026-11-22"] == (0, False, False)  # a Sunday
    assert shown["2026-11-24"] == (0, False, False)  # Ngày Văn hoá Việt Nam, a day off
    assert [day.day.isoformat() for day in rule.missed] == ["2026-11-20", "2026-11-23"]


def test_only_a_profile_with_a_portal_deadline_shows_the_daily_updates(province_schema):
    _site, _staff = province_schema("thuathienhue")
    assert portal_deadlines(profile=current_profile(), now=NOW) == []


def test_a_profile_without_quotas_shows_none(province_schema):
    _site, _staff = province_schema("thuathienhue")
    start, end = month_bounds(NOW.date())
    assert (
        agency_quotas(scope=WHOLE_PROVINCE, profile=current_profile(), start=start, end=end) == []
    )


# --- scope ---------------------------------------------------------------------------------


def test_a_portal_role_sees_the_province_and_an_agency_role_only_its_agency(thainguyen):
    # given
    staff, department, district, author = thainguyen
    make_item(agency=department, author=author, title="Của Sở", due=NOW - timedelta(hours=2))
    make_item(agency=district, author=author, title="Của huyện", due=NOW - timedelta(hours=1))
    editor_in_chief = staff.holding("editor_in_chief")
    district_approver = staff.holding("approver", agency=district)
    nobody = staff.holding("approver", agency=department)
    nobody.role_assignments.all().delete()
    # when
    whole = dashboard_panels(user=editor_in_chief, now=NOW)
    own = dashboard_panels(user=district_approver, now=NOW)
    empty = dashboard_panels(user=nobody, now=NOW)
    # then
    assert dashboard_scope(user=editor_in_chief).whole_province
    assert titles(whole.overdue) == ["Của Sở", "Của huyện"]
    assert titles(own.overdue) == ["Của huyện"]
    assert [row.agency_id for row in own.quotas] == [district.pk]
    assert empty.scope.is_empty
    assert (empty.overdue.total, empty.quotas) == (0, [])


def test_the_whole_dashboard_costs_one_query_per_panel(thainguyen, django_assert_num_queries):
    # given: a portal-scope user and items in every panel
    staff, department, district, author = thainguyen
    editor_in_chief = staff.holding("editor_in_chief")
    for agency in (department, district):
        for hours in range(1, 4):
            make_item(agency=agency, author=author, due=NOW - timedelta(hours=hours))
            make_item(agency=agency, author=author, due=NOW + timedelta(hours=hours))
        _featured_news(agency, author, 3)
    current_profile()  # the profile is read from disk once, not per request
    # when: scope + overdue + due soon + published late + quotas + the portal's daily updates
    with django_assert_num_queries(6):
        board = dashboard_panels(user=editor_in_chief, now=NOW)
    # then
    assert (board.overdue.total, board.due_soon.total) == (6, 6)
    assert len(board.quotas) == Agency.objects.filter(kind__in=["department", "district"]).count()


# --- the page ------------------------------------------------------------------------------


def test_the_page_shows_the_rule_and_article_of_a_late_item_and_the_quota_flag(
    thainguyen, django_assert_max_num_queries
):
    # given
    staff, department, _district, author = thainguyen
    editor_in_chief = staff.holding("editor_in_chief")
    now = timezone.now()  # the page shows the current month
    make_item(
        agency=department,
        author=author,
        title="Tin đăng muộn",
        status=Item.Status.PUBLISHED,
        due=now - timedelta(minutes=5),
        first_published_at=now - timedelta(minutes=1),
        rule="immediately (1 working hour) after the receipt",
        source="QĐ 40/2012 Art. 10(2); platform default (reading of “ngay”)",
    )
    client = signed_in("thainguyen.localhost", editor_in_chief)
    # when: host routing (cold cache: 4), session, user, then the scope and one query per
    # panel (the portal's daily updates included), whatever the number of items and agencies,
    # and what the portal publishes (the menu and the required sections' gaps share it)
    with django_assert_max_num_queries(14):
        response = client.get("/staff/dashboard/")
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tin đăng muộn" in page
    assert "immediately (1 working hour) after the receipt" in page
    # the article in Vietnamese (staff read no "Art."), the platform's reading left out of it
    assert "Điều 10 khoản 2 Quyết định số 40/2012/QĐ-UBND" in page
    assert "Art. 10(2)" not in page
    # late items, the portal's daily updates (Art. 10(1)), quotas
    assert page.count("<table") == page.count("<caption") == 3
    assert "Chưa đạt" in page  # no featured news yet this month in the test province
    assert department.name in page


def test_the_page_asks_for_a_sign_in(thainguyen):
    response = host_client("thainguyen.localhost").get("/staff/dashboard/")
    assert response.status_code == 302
    assert "/staff/login/" in response["Location"]
