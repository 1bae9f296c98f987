"""Scheduled publication (ADR 0010): scheduling freezes the approved revision; the beat run
publishes exactly that revision in the name of whoever approved and scheduled it; an edit
after scheduling cancels the schedule, tells the approver and sends the item back to the
first step of its workflow. Through the services, the API and the back-office forms alike."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone

from editorial.models import Item, Transition, WorkflowState
from editorial.selectors import public_items
from editorial.services import EditorialError, item_create, item_transition, item_update
from editorial.tasks import publish_scheduled
from provinces.calendar import TZ
from tests.conftest import host_client
from tests.factories.accounts import with_email
from tests.factories.integrations import api_key
from tests.factories.organization import delegated
from tests.factories.pages import signed_in


class Newsroom:
    """A Thái Nguyên agency's site (Art. 6(3), 17(2), 19): the updater enters and submits,
    the approver approves and publishes, or schedules the publication."""

    def __init__(self, site, staff):
        self.site, self.staff = site, staff
        self.updater = with_email(staff.holding("updater"))
        self.approver = with_email(staff.holding("approver"))

    def scheduled(self, *, title: str = "Bản đã duyệt", in_hours: int = 2) -> Item:
        item = item_create(actor=self.updater, kind="news", title=title, site=self.site)
        item = item_transition(item=item, actor=self.updater, decision="forward")
        at = timezone.now() + timedelta(hours=in_hours)
        return item_transition(item=item, actor=self.approver, decision="forward", publish_at=at)


@pytest.fixture
def newsroom(province_schema):
    site, staff = province_schema("thainguyen")
    return Newsroom(site, staff)


def _after(item: Item) -> str:
    assert item.publish_at is not None
    return (item.publish_at + timedelta(minutes=1)).isoformat()


def _publications(item: Item):
    return Transition.objects.filter(item=item, action=Transition.Action.PUBLISH)


# --- scheduling freezes what was approved --------------------------------------------------


def test_scheduling_records_the_approved_revision_and_who_scheduled_it(newsroom):
    # when
    item = newsroom.scheduled()
    # then
    item.refresh_from_db()
    assert item.scheduled_revision == item.current_revision
    assert item.scheduled_revision.number == 1
    assert (item.scheduled_by, item.scheduled_on_behalf_of) == (newsroom.approver, None)
    assert item.status == Item.Status.IN_WORKFLOW


def test_an_edit_after_scheduling_is_never_published(newsroom):
    # given: the approver scheduled revision 1
    item = newsroom.scheduled()
    run_at = _after(item)
    # when: the author edits the working copy afterwards
    item_update(item=item, actor=newsroom.updater, title="Bản chưa ai duyệt")
    publish_scheduled(now=run_at)
    # then: nothing is published; the item waits at the first step, out of any run
    item.refresh_from_db()
    assert item.status == Item.Status.DRAFT
    assert item.published_revision is None
    assert (item.publish_at, item.scheduled_revision, item.scheduled_by) == (None, None, None)
    assert not _publications(item).exists()
    assert item not in public_items(site=newsroom.site)
    assert not item.workflow_states.filter(status=WorkflowState.Status.ACTIVE).exists()


def test_the_edit_is_audited_with_the_cancellation_of_the_schedule(newsroom):
    item = newsroom.scheduled()
    item_update(item=item, actor=newsroom.updater, title="Bản sửa sau khi hẹn giờ")
    edit, cancel = item.transitions.order_by("-pk")[:2][::-1]
    assert (edit.action, edit.actor, edit.revision.number) == ("edit", newsroom.updater, 2)
    assert (cancel.action, cancel.actor) == ("unschedule", newsroom.updater)
    assert cancel.revision.number == 1  # the revision that will no longer be published
    assert cancel.comment  # says why, in Vietnamese
    assert "hẹn giờ" in cancel.comment


def test_the_edited_item_runs_the_whole_workflow_again_before_it_is_published(newsroom):
    item = newsroom.scheduled()
    item_update(item=item, actor=newsroom.updater, title="Bản sửa")
    # the updater submits the new revision; it waits for the approver again
    item = item_transition(item=item, actor=newsroom.updater, decision="forward")
    state = item.workflow_states.get(status=WorkflowState.Status.ACTIVE)
    assert state.current_step == 1
    item = item_transition(item=item, actor=newsroom.approver, decision="forward")
    assert item.status == Item.Status.PUBLISHED
    assert item.published_revision.title == "Bản sửa"


def test_the_approver_is_told_that_the_schedule_was_cancelled(
    newsroom, mailoutbox, django_capture_on_commit_callbacks
):
    item = newsroom.scheduled(title="Khai mạc hội chợ")
    local = item.publish_at.astimezone(TZ)
    mailoutbox.clear()
    # when
    with django_capture_on_commit_callbacks(execute=True):
        item_update(item=item, actor=newsroom.updater, title="Khai mạc hội chợ (sửa)")
    # then: one mail, to the approver only, in Vietnamese, naming the item and the lost time
    assert [mail.to for mail in mailoutbox] == [[newsroom.approver.email]]
    mail = mailoutbox[0]
    assert "huỷ" in mail.subject.lower()
    assert "Khai mạc hội chợ" in mail.subject
    assert f"{local:%H:%M %d/%m/%Y}" in mail.body
    assert newsroom.updater.full_name in mail.body
    assert "duyệt lại" in mail.body


def test_no_mail_is_sent_when_the_edit_is_refused(
    newsroom, mailoutbox, django_capture_on_commit_callbacks
):
    item = newsroom.scheduled()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(EditorialError):
        item_update(item=item, actor=newsroom.updater, title="")
    item.refresh_from_db()
    assert item.publish_at is not None
    assert item.scheduled_revision.number == 1
    assert mailoutbox == []


# --- the scheduled run -----------------------------------------------------------------------


def test_the_run_publishes_the_frozen_revision_in_the_schedulers_name(newsroom):
    item = newsroom.scheduled(title="Bản đã duyệt")
    # when
    publish_scheduled(now=_after(item))
    # then
    item.refresh_from_db()
    assert item.status == Item.Status.PUBLISHED
    assert item.published_revision.number == 1
    assert item.published_revision.title == "Bản đã duyệt"
    publication = _publications(item).get()
    assert (publication.actor, publication.on_behalf_of) == (newsroom.approver, None)
    assert publication.revision == item.published_revision
    assert publication.step_code == "publish"
    assert publication.workflow_state is not None
    assert (item.scheduled_revision, item.scheduled_by) == (None, None)


def test_the_run_publishes_the_approved_revision_whatever_the_working_copy_holds(newsroom):
    # given: the working copy moved on without going through an edit (a restored backup,
    # a path added later): the run still publishes only what the approver scheduled
    item = newsroom.scheduled(title="Bản đã duyệt")
    newer = item.revisions.create(number=2, title="Bản không ai duyệt", author=newsroom.updater)
    Item.objects.filter(pk=item.pk).update(current_revision=newer)
    publish_scheduled(now=_after(item))
    item.refresh_from_db()
    assert item.published_revision.title == "Bản đã duyệt"
    assert item.current_revision == newer


def test_a_schedule_with_no_edit_publishes_on_time_and_once(newsroom):
    item = newsroom.scheduled(in_hours=1)
    # not before its time
    publish_scheduled(now=(item.publish_at - timedelta(minutes=1)).isoformat())
    item.refresh_from_db()
    assert item.status == Item.Status.IN_WORKFLOW
    # on time, and a second run changes nothing
    run_at = _after(item)
    publish_scheduled(now=run_at)
    item.refresh_from_db()
    published_at = item.published_at
    publish_scheduled(now=run_at)
    item.refresh_from_db()
    assert item.status == Item.Status.PUBLISHED
    assert item.published_at == published_at
    assert _publications(item).count() == 1


def test_a_delegate_who_scheduled_is_recorded_as_publisher_for_the_head(province_schema):
    # Huế Art. 19 (bước 3): the head "hoặc cán bộ được uỷ quyền" publishes
    site, staff = province_schema("thuathienhue")
    member, deputy, head = (staff.holding(r) for r in ("board_member", "deputy_head", "head"))
    colleague = staff.holding("deputy_head")
    now = timezone.now()
    delegated(
        delegator=head,
        delegate=colleague,
        role_code="head",
        agency=site.agency,
        days=7,
        reason="Trưởng ban đi công tác",
    )
    item = item_create(actor=member, kind="news", title="Tin hẹn giờ Huế", site=site)
    item = item_transition(item=item, actor=member, decision="forward")
    item = item_transition(item=item, actor=deputy, decision="forward")
    at = now + timedelta(hours=3)
    item = item_transition(item=item, actor=colleague, decision="forward", publish_at=at)
    assert (item.scheduled_by, item.scheduled_on_behalf_of) == (colleague, head)
    publish_scheduled(now=(at + timedelta(minutes=1)).isoformat())
    publication = _publications(item).get()
    assert (publication.actor, publication.on_behalf_of) == (colleague, head)


def test_a_withdrawn_item_is_not_brought_back_by_its_schedule(newsroom):
    # given: a published item whose new revision is scheduled, then withdrawn
    item = item_create(actor=newsroom.updater, kind="news", title="Bản 1", site=newsroom.site)
    item = item_transition(item=item, actor=newsroom.updater, decision="forward")
    item = item_transition(item=item, actor=newsroom.approver, decision="forward")
    item = item_update(item=item, actor=newsroom.updater, title="Bản 2")
    item = item_transition(item=item, actor=newsroom.updater, decision="forward")
    at = timezone.now() + timedelta(hours=1)
    item = item_transition(item=item, actor=newsroom.approver, decision="forward", publish_at=at)
    from editorial.services import item_withdraw

    item_withdraw(item=item, actor=newsroom.approver, reason="Thông tin sai")
    # when
    publish_scheduled(now=(at + timedelta(minutes=1)).isoformat())
    # then
    item.refresh_from_db()
    assert item.status == Item.Status.WITHDRAWN
    assert item.published_revision.title == "Bản 1"
    assert item.publish_at is None


# --- through the API -------------------------------------------------------------------------


def test_through_the_api_an_edit_after_scheduling_cancels_it(
    newsroom, mailoutbox, django_capture_on_commit_callbacks
):
    updater_key = api_key(newsroom.updater)
    approver_key = api_key(newsroom.approver)
    updater = host_client(newsroom.site.dev_host, HTTP_AUTHORIZATION=f"Api-Key {updater_key}")
    approver = host_client(newsroom.site.dev_host, HTTP_AUTHORIZATION=f"Api-Key {approver_key}")
    item = item_create(actor=newsroom.updater, kind="news", title="Tin API", site=newsroom.site)
    item_transition(item=item, actor=newsroom.updater, decision="forward")
    path = f"/api/v1/items/{item.pk}/"
    at = (timezone.now() + timedelta(hours=2)).astimezone(TZ)
    # when: the approver schedules; then: the schedule shows with its frozen revision
    scheduled = approver.post(
        path + "transitions/",
        {"decision": "forward", "publish_at": at.isoformat()},
        content_type="application/json",
    )
    assert scheduled.status_code == 200, scheduled.content
    assert scheduled.json()["publish_at"] is not None
    # when: the author edits
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        edited = updater.patch(path, {"title": "Tin API (sửa)"}, content_type="application/json")
    # then: the schedule is gone, the item is back at the first step, the approver told
    assert edited.status_code == 200, edited.content
    body = edited.json()
    assert (body["status"], body["publish_at"], body["workflow"]) == ("draft", None, None)
    assert [mail.to for mail in mailoutbox] == [[newsroom.approver.email]]
    publish_scheduled(now=(at + timedelta(minutes=1)).isoformat())
    assert host_client(newsroom.site.dev_host).get(path).status_code == 404


# --- through the back-office pages -----------------------------------------------------------


def test_through_the_back_office_an_edit_after_scheduling_cancels_it(
    newsroom, mailoutbox, django_capture_on_commit_callbacks
):
    approver = signed_in(newsroom.site.dev_host, newsroom.approver)
    updater = signed_in(newsroom.site.dev_host, newsroom.updater)
    item = item_create(actor=newsroom.updater, kind="news", title="Tin trang", site=newsroom.site)
    item_transition(item=item, actor=newsroom.updater, decision="forward")
    when = timezone.localtime() + timedelta(days=1)
    response = approver.post(
        f"/staff/items/{item.pk}/decide/",
        {"decision": "forward", "forward-publish_at": when.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    # the editor warns the author before an edit cancels the schedule
    page = unescape(updater.get(f"/staff/items/{item.pk}/").content.decode())
    assert "huỷ lịch hẹn đăng" in page
    # when
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = updater.post(
            f"/staff/items/{item.pk}/", {"title": "Tin trang (sửa)"}, follow=True
        )
    # then
    assert response.status_code == 200
    assert "Lịch hẹn đăng đã bị huỷ" in unescape(response.content.decode())
    item.refresh_from_db()
    assert (item.status, item.publish_at) == (Item.Status.DRAFT, None)
    assert [mail.to for mail in mailoutbox] == [[newsroom.approver.email]]
    publish_scheduled(now=(when + timedelta(minutes=1)).isoformat())
    item.refresh_from_db()
    assert item.published_revision is None
