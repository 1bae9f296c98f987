"""The queues that say what to do next: the editorial queue, the item list and the Q&A inbox show
each row's due time in words (or why there is none), overdue first; their filters are bounded;
the staff navigation counts what waits for the user; on a phone every row is a labelled card;
and a page costs the same handful of queries at 1,000 open items as at ten."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from editorial.models import Item, Revision, WorkflowState
from editorial.services import item_create, item_transition
from frontend.due_words import due_of
from frontend.templatetags.staff_counts import nav_counts
from provinces.calendar import DEFAULT_CALENDAR
from qa.models import Question
from qa.services import topic_ensure
from tests.factories.pages import page_text, signed_in
from tests.factories.provinces import vn
from tests.factories.qa import submitted

# --- builders --------------------------------------------------------------------------------


class Hue:
    """Thừa Thiên Huế's first department website: a board member enters, the deputy head
    verifies (the queue under test is the deputy's)."""

    def __init__(self, site, staff):
        self.site, self.staff, self.host = site, staff, site.dev_host
        self.member = staff.holding("board_member")
        self.deputy = staff.holding("deputy_head")

    def waiting(self, title: str, *, event_at: str | None = None) -> Item:
        """An item sent to the deputy's step; news is due by 16:00 on its event's day (Huế Art.
        9(3)); without an event time the rules give it no due time."""
        fields = {"event_at": event_at} if event_at else {}
        item = item_create(
            actor=self.member, site=self.site, kind="news", title=title, fields=fields
        )
        return item_transition(item=item, actor=self.member, decision="forward")


@pytest.fixture
def hue(province_schema):
    site, staff = province_schema("thuathienhue")
    return Hue(site, staff)


_copy_numbers = itertools.count()


def waiting_copies(item: Item, *, dues) -> list[Item]:
    """Copies of an item waiting in its workflow run, one per due time, written in bulk: the
    original went through the services, the copies share its run's steps."""
    state = item.workflow_states.get(status=WorkflowState.Status.ACTIVE)
    revision = item.current_revision
    copies = Item.objects.bulk_create(
        Item(
            kind=item.kind,
            site=item.site,
            agency=item.agency,
            slug=f"{item.slug}-{next(_copy_numbers)}",
            status=item.status,
            author=item.author,
            sla_content_type=item.sla_content_type,
            sla_due_at=due,
            sla_rule=item.sla_rule,
            sla_source=item.sla_source,
        )
        for due in dues
    )
    revisions = Revision.objects.bulk_create(
        Revision(item=copy, number=1, title=f"{revision.title} {n}", author=revision.author)
        for n, copy in enumerate(copies)
    )
    for copy, made in zip(copies, revisions, strict=True):
        copy.current_revision = made
    Item.objects.bulk_update(copies, ["current_revision"])
    WorkflowState.objects.bulk_create(
        WorkflowState(
            item=copy,
            workflow=state.workflow,
            profile_effective_from=state.profile_effective_from,
            steps=state.steps,
            delegation_allowed=state.delegation_allowed,
            current_step=state.current_step,
        )
        for copy in copies
    )
    return copies


def question_copies(question: Question, *, dues) -> None:
    """Copies of a submitted question, one per due time, written in bulk."""
    fields = [f for f in Question._meta.concrete_fields if not f.primary_key]
    Question.objects.bulk_create(
        Question(
            **{f.attname: getattr(question, f.attname) for f in fields}
            | {"tracking_code": f"T{next(_copy_numbers):08d}", "due_at": due}
        )
        for due in dues
    )


def spread(n: int) -> list:
    """n due times from 30 days late to 30 days ahead."""
    now = timezone.now()
    return [now + timedelta(hours=(i * 1440) // n - 720) for i in range(n)]


# --- due times in words ----------------------------------------------------------------------


def _words(due, *, now, published: bool = False):
    return due_of(due=due, published=published, now=now, calendar=DEFAULT_CALENDAR)


def test_a_due_time_later_today_counts_the_working_hours_left():
    today = _words(vn(2026, 12, 3, 16), now=vn(2026, 12, 3, 9))
    tomorrow = _words(vn(2026, 12, 4, 10), now=vn(2026, 12, 3, 15))  # the night is not counted
    assert today.words == "Hạn: 16:00, 03/12/2026 (thứ Năm) – còn 7 giờ làm việc"
    assert tomorrow.words == "Hạn: 10:00, 04/12/2026 (thứ Sáu) – còn 4 giờ làm việc"
    assert not today.overdue


def test_a_due_time_next_week_counts_working_days_and_skips_the_weekend():
    due = _words(vn(2026, 12, 9, 17), now=vn(2026, 12, 4, 9))
    # Friday 4 to Wednesday 9 December, both included, without Saturday and Sunday
    assert due.words == "Hạn: 17:00, 09/12/2026 (thứ Tư) – còn 4 ngày làm việc"


def test_a_past_due_time_says_how_late_in_days_or_hours():
    days = _words(vn(2026, 12, 1, 16), now=vn(2026, 12, 3, 17))
    hours = _words(vn(2026, 12, 3, 14), now=vn(2026, 12, 3, 17))
    assert days.overdue
    assert days.words.startswith("Quá hạn 2 ngày – hạn 16:00, 01/12/2026")
    assert hours.overdue
    assert hours.words.startswith("Quá hạn 3 giờ")


def test_no_due_time_says_why_and_a_published_item_is_not_late():
    none = _words(None, now=vn(2026, 12, 3, 9))
    published = _words(vn(2026, 12, 1, 9), now=vn(2026, 12, 3, 9), published=True)
    assert none.words == "Không có thời hạn cập nhật theo quy chế"
    assert not published.overdue


# --- the editorial queue and list ------------------------------------------------------------


def _order(text: str, *titles: str) -> list[int]:
    return [text.index(title) for title in titles]


def test_queue_lists_overdue_first_then_soonest_due_then_those_without_a_due_time(hue):
    ahead = (timezone.localdate() + timedelta(days=20)).isoformat()
    hue.waiting("Tin không có hạn")
    hue.waiting("Tin hạn sau", event_at=f"{ahead}T09:00:00+07:00")
    hue.waiting("Tin quá hạn gần", event_at="2026-01-05T09:00:00+07:00")
    hue.waiting("Tin quá hạn lâu", event_at="2025-12-01T09:00:00+07:00")
    text = page_text(signed_in(hue.host, hue.deputy).get("/staff/queue/"))
    positions = _order(
        text, "Tin quá hạn lâu", "Tin quá hạn gần", "Tin hạn sau", "Tin không có hạn"
    )
    assert positions == sorted(positions)
    # news without its event time: the queue says which field starts the clock
    assert "Chưa tính được hạn: chưa nhập “Thời điểm diễn ra sự kiện”" in text
    assert re.search(r"Quá hạn \d+ ngày – hạn 16:00, 05/01/2026 \(thứ Hai\)", text)
    assert "Hạn cập nhật —" not in text
    assert "\n—\n" not in text


def test_queue_filters_by_kind_and_site_and_refuses_nonsense(hue):
    hue.waiting("Tin của sở")
    client = signed_in(hue.host, hue.deputy)
    assert "Tin của sở" in page_text(client.get(f"/staff/queue/?site={hue.site.label}&kind=news"))
    assert "Tin của sở" not in page_text(client.get("/staff/queue/?site=portal"))
    assert "Tin của sở" not in page_text(client.get("/staff/queue/?kind=event"))
    for query in (
        "site=nowhere",
        "kind=<script>",
        "page=0",
        "page=abc",
        "page=99999",
        "kind=" + "x" * 500,
    ):
        assert client.get(f"/staff/queue/?{query}").status_code == 400, query


def test_item_list_shows_due_words_and_refuses_nonsense_filters(hue):
    hue.waiting("Tin không có hạn")
    client = signed_in(hue.host, hue.member)
    text = page_text(client.get("/staff/items/"))
    assert "Chưa tính được hạn: chưa nhập “Thời điểm diễn ra sự kiện”" in text
    for query in ("status=gone", "site=x", "kind=x", "page=-1"):
        assert client.get(f"/staff/items/?{query}").status_code == 400, query


def test_staff_tables_are_cards_with_labelled_cells_on_a_phone(hue):
    hue.waiting("Tin trên điện thoại")
    html = signed_in(hue.host, hue.deputy).get("/staff/queue/").content.decode()
    assert 'class="table table-cards"' in html
    for label in ("Bài viết", "Bước", "Nơi đăng", "Hạn cập nhật"):
        assert f'data-label="{label}"' in html
    assert "frontend/staff.css" in html


# --- the navigation's counts -----------------------------------------------------------------


def test_navigation_counts_the_items_waiting_for_the_user_and_keeps_them_a_minute(hue):
    hue.waiting("Tin một")
    hue.waiting("Tin hai")
    deputy = signed_in(hue.host, hue.deputy)
    html = deputy.get("/staff/queue/").content.decode()
    assert re.search(
        r'Việc chờ xử lý <span class="count">2<span class="visually-hidden"> bài chờ bạn', html
    )
    # a member has nothing waiting at the deputy's step: no count at all
    assert (
        'class="count">'
        not in signed_in(hue.host, hue.member)
        .get("/staff/queue/")
        .content.decode()
        .split("</nav>")[1]
    )
    hue.waiting("Tin ba")
    assert nav_counts(hue.deputy).queue == 2  # cached for 60 s


def test_navigation_counts_are_kept_apart_by_province_and_user(hue, tenant_db):
    hue.waiting("Tin Huế")
    assert nav_counts(hue.deputy).queue == 1
    assert nav_counts(hue.member).queue == 0
    with schema_context(tenant_db["thainguyen"].schema_name):
        stranger = User(pk=hue.deputy.pk, username="same-number")  # same id, another province
        assert nav_counts(stranger).queue == 0


def test_navigation_counts_the_questions_in_the_inbox_and_the_overdue_ones(province_schema):
    site, staff = province_schema("thainguyen")
    topic = topic_ensure(name="Đất đai", agency=site.agency)
    updater = staff.holding("updater")
    question = submitted(topic)
    question_copies(question, dues=[timezone.now() - timedelta(days=3)])
    counts = nav_counts(updater)
    assert (counts.questions, counts.overdue_questions) == (2, 1)
    html = signed_in(site.dev_host, updater).get("/staff/hoi-dap/").content.decode()
    assert "1 quá hạn" in html


# --- the Q&A inbox ---------------------------------------------------------------------------


def test_inbox_rows_are_labelled_cards_and_nonsense_filters_are_refused(province_schema):
    site, staff = province_schema("thainguyen")
    submitted(topic_ensure(name="Đất đai", agency=site.agency))
    client = signed_in(site.dev_host, staff.holding("updater"))
    html = client.get("/staff/hoi-dap/").content.decode()
    assert 'class="table table-cards"' in html
    assert 'data-label="Hạn"' in html
    for query in ("trang_thai=x", "loai=x", "co_quan=999999", "qua_han=2", "trang=0", "trang=x"):
        assert client.get(f"/staff/hoi-dap/?{query}").status_code == 400, query


# --- queries at 1,000 open items -------------------------------------------------------------


def _queries(client, path: str) -> int:
    client.get(path)  # warm the host caches and the navigation's counts
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_queue_costs_the_same_few_queries_at_ten_and_at_a_thousand_items(hue):
    first = hue.waiting("Tin mẫu", event_at="2026-01-05T09:00:00+07:00")
    deputy = signed_in(hue.host, hue.deputy)
    waiting_copies(first, dues=spread(10))
    few = _queries(deputy, "/staff/queue/")
    waiting_copies(first, dues=spread(1000))
    many = _queries(deputy, "/staff/queue/?page=3")
    assert many == few <= 12
    assert Item.objects.filter(status=Item.Status.IN_WORKFLOW).count() == 1011


def test_inbox_costs_the_same_few_queries_at_ten_and_at_a_thousand_questions(province_schema):
    site, staff = province_schema("thainguyen")
    question = submitted(topic_ensure(name="Đất đai", agency=site.agency))
    client = signed_in(site.dev_host, staff.holding("updater"))
    question_copies(question, dues=spread(10))
    few = _queries(client, "/staff/hoi-dap/")
    Question.objects.exclude(pk=question.pk).delete()
    question_copies(question, dues=spread(1000))
    many = _queries(client, "/staff/hoi-dap/?trang=3")
    # one of them reads the device that verified the session's second factor (ADR 0022)
    assert many == few <= 13


def test_an_item_whose_clock_has_not_started_says_which_field_starts_it():
    # given: Thái Nguyên news takes the 8-working-hour rule from its event time (Art. 10(2)),
    # which the author has not entered
    from editorial.models import Item
    from frontend.views.backoffice import missing_anchor
    from provinces.loader import resolve_profile

    profile = resolve_profile("thainguyen")
    item = Item(kind="news", sla_content_type="news", sla_due_at=None)
    # when
    label = missing_anchor(item, profile)
    # then: the queue names the field instead of saying the rules set no deadline
    assert label == "Thời điểm diễn ra sự kiện"
    assert missing_anchor(Item(kind="news", sla_content_type="", sla_due_at=None), profile) is None
