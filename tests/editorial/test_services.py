"""Items run through each province's workflow, from the profiles alone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.profiles import current_profile
from editorial import rules
from editorial.content import ContentError
from editorial.models import Item, Transition
from editorial.selectors import public_items
from editorial.services import (
    EditorialError,
    item_correct,
    item_create,
    item_transition,
    item_update,
    item_withdraw,
)
from provinces.calendar import TZ
from tests.factories.editorial import run_to_the_end
from tests.factories.organization import delegated

SLUGS = ("backan", "dongnai", "hagiang", "thainguyen", "thuathienhue")


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("on_portal", [True, False])
def test_a_news_item_runs_the_whole_workflow_and_only_then_appears(
    province_schema, slug, on_portal
):
    site, staff = province_schema(slug)
    target = None if on_portal else site
    spec = rules.workflow_for(current_profile(), on_portal=on_portal)
    author = staff.holding(spec.steps[0].role)
    item = item_create(
        actor=author,
        kind="news",
        title="Khai mạc hội chợ",
        body="<p>Nội dung</p>",
        site=target,
        fields={"event_at": "2026-11-24T09:00:00+07:00"},
    )
    item = item_transition(item=item, actor=author, decision="forward")
    publish_index = rules.publish_step_index(spec.steps)
    # not public before the publish step passes
    if publish_index > 0:
        assert item not in public_items(site=target)
    item = run_to_the_end(item, staff=staff, agency=site.agency, comment=True)
    item.refresh_from_db()
    assert item.status == Item.Status.PUBLISHED
    assert item in public_items(site=target)
    actions = list(item.transitions.values_list("step_code", flat=True))
    assert [code for code in actions if code] == [step.code for step in spec.steps]


@pytest.mark.parametrize("slug", SLUGS)
def test_rejection_returns_the_item_to_its_author_with_the_reason(province_schema, slug):
    site, staff = province_schema(slug)
    spec = rules.workflow_for(current_profile(), on_portal=False)
    author = staff.holding(spec.steps[0].role)
    item = item_create(actor=author, kind="news", title="Tin cần sửa", site=site)
    item = item_transition(item=item, actor=author, decision="forward")
    reviewer = staff.holding(spec.steps[1].role)
    with pytest.raises(EditorialError) as caught:
        item_transition(item=item, actor=reviewer, decision="reject", comment="")
    assert caught.value.code == "reason_required"
    item = item_transition(item=item, actor=reviewer, decision="reject", comment="Thiếu nguồn")
    assert item.status == Item.Status.DRAFT
    last = item.transitions.last()
    assert (last.action, last.comment, last.actor) == ("reject", "Thiếu nguồn", reviewer)
    # the author edits and submits again: a new run starts at step 1
    item_update(item=item, actor=author, title="Tin đã sửa")
    item = item_transition(item=item, actor=author, decision="forward")
    assert item.workflow_states.filter(status="active").get().current_step == 1


def test_hue_updater_cannot_publish_and_nothing_changes(province_schema):
    site, staff = province_schema("thuathienhue")
    author = staff.holding("board_member")
    item = item_create(actor=author, kind="news", title="Tin Huế", site=site)
    item = item_transition(item=item, actor=author, decision="forward")
    item = item_transition(item=item, actor=staff.holding("deputy_head"), decision="forward")
    before = (item.status, Transition.objects.filter(item=item).count())
    with pytest.raises(EditorialError) as caught:
        item_transition(item=item, actor=author, decision="forward")
    assert caught.value.code == "not_allowed"
    # the role and step by their names in Huế's profile, never their codes
    assert "Trưởng Ban Biên tập" in caught.value.message
    assert "'head'" not in caught.value.message
    item.refresh_from_db()
    assert (item.status, Transition.objects.filter(item=item).count()) == before


def test_thainguyen_updater_cannot_approve(province_schema):
    site, staff = province_schema("thainguyen")
    updater = staff.holding("updater")
    item = item_create(actor=updater, kind="news", title="Tin Thái Nguyên", site=site)
    item = item_transition(item=item, actor=updater, decision="forward")
    with pytest.raises(EditorialError) as caught:
        item_transition(item=item, actor=updater, decision="forward")
    assert caught.value.code == "not_allowed"
    item.refresh_from_db()
    assert item.status == Item.Status.IN_WORKFLOW


def test_hue_head_delegates_publishing_for_a_period_and_it_is_recorded(province_schema):
    site, staff = province_schema("thuathienhue")
    author, deputy, head = (staff.holding(r) for r in ("board_member", "deputy_head", "head"))
    colleague = staff.holding("board_member")
    grant = delegated(
        delegator=head,
        delegate=colleague,
        role_code="head",
        agency=site.agency,
        days=7,
        reason="Trưởng ban đi công tác",
    )
    item = item_create(actor=author, kind="news", title="Tin uỷ quyền", site=site)
    item = item_transition(item=item, actor=author, decision="forward")
    item = item_transition(item=item, actor=deputy, decision="forward")
    item = item_transition(item=item, actor=colleague, decision="forward")
    assert item.status == Item.Status.PUBLISHED
    last = item.transitions.last()
    assert (last.actor, last.on_behalf_of) == (colleague, head)
    # once revoked, the delegate can no longer act
    from organization.services import delegation_revoke

    delegation_revoke(delegation=grant, actor=head)
    other = item_create(actor=author, kind="news", title="Tin sau thu hồi", site=site)
    other = item_transition(item=other, actor=author, decision="forward")
    other = item_transition(item=other, actor=deputy, decision="forward")
    with pytest.raises(EditorialError):
        item_transition(item=other, actor=colleague, decision="forward")


def test_delegation_is_refused_where_the_profile_does_not_allow_it(province_schema):
    site, staff = province_schema("thainguyen")
    updater, approver = staff.holding("updater"), staff.holding("approver")
    colleague = staff.holding("updater")
    delegated(delegator=approver, delegate=colleague, role_code="approver", agency=site.agency)
    item = item_create(actor=updater, kind="news", title="Tin", site=site)
    item = item_transition(item=item, actor=updater, decision="forward")
    with pytest.raises(EditorialError):
        item_transition(item=item, actor=colleague, decision="forward")


def test_dongnai_post_publication_check_can_take_an_item_down(province_schema):
    _site, staff = province_schema("dongnai")
    spec = rules.workflow_for(current_profile(), on_portal=True)
    author = staff.holding(spec.steps[0].role)
    item = item_create(actor=author, kind="news", title="Tin Đồng Nai")
    item = item_transition(item=item, actor=author, decision="forward")
    for step in spec.steps[1 : rules.publish_step_index(spec.steps) + 1]:
        item = item_transition(item=item, actor=staff.holding(step.role), decision="forward")
    assert item.status == Item.Status.PUBLISHED
    checker = staff.holding(spec.steps[-1].role)
    item = item_transition(item=item, actor=checker, decision="reject", comment="Sai số liệu")
    assert item.status == Item.Status.UNPUBLISHED
    assert item not in public_items(site=None)


def test_public_never_sees_a_working_copy(province_schema):
    site, staff = province_schema("backan")
    spec = rules.workflow_for(current_profile(), on_portal=False)
    author = staff.holding(spec.steps[0].role)
    item = item_create(actor=author, kind="news", title="Bản đã duyệt", site=site)
    item = item_transition(item=item, actor=author, decision="forward")
    item = run_to_the_end(item, staff=staff, agency=site.agency, comment=True)
    item_update(item=item, actor=author, title="Bản nháp chưa duyệt")
    item.refresh_from_db()
    public = public_items(site=site).get(pk=item.pk)
    assert public.published_revision.title == "Bản đã duyệt"
    assert item.current_revision.title == "Bản nháp chưa duyệt"


def test_correction_and_withdrawal_keep_history_and_need_a_reason(province_schema):
    site, staff = province_schema("backan")
    spec = rules.workflow_for(current_profile(), on_portal=False)
    author = staff.holding(spec.steps[0].role)
    item = item_create(
        actor=author, kind="news", title="Số liệu 2025", site=site, body="<p>Tăng 5%</p>"
    )
    item = item_transition(item=item, actor=author, decision="forward")
    item = run_to_the_end(item, staff=staff, agency=site.agency, comment=True)
    publisher = staff.holding(spec.steps[rules.publish_step_index(spec.steps)].role)
    first = item.published_revision
    correction = item_correct(
        item=item,
        actor=publisher,
        reason="Sai số liệu",
        text="Sửa 5% thành 6%",
        body="<p>Tăng 6%</p>",
    )
    item.refresh_from_db()
    assert item.published_revision == correction.revision != first
    assert item.revisions.count() == 2
    with pytest.raises(EditorialError):
        item_withdraw(item=item, actor=publisher, reason=" ")
    item = item_withdraw(item=item, actor=publisher, reason="Thông tin hết hiệu lực")
    assert (item.status, item.withdrawal_reason) == ("withdrawn", "Thông tin hết hiệu lực")


def test_rich_text_is_sanitised_and_normalised_to_nfc(province_schema):
    import unicodedata

    site, staff = province_schema("hagiang")
    spec = rules.workflow_for(current_profile(), on_portal=False)
    decomposed = unicodedata.normalize("NFD", "Hà Giang")
    item = item_create(
        actor=staff.holding(spec.steps[0].role),
        kind="news",
        site=site,
        title=decomposed,
        body='<p onclick="x()">Chào<script>alert(1)</script></p>'
        '<a href="javascript:alert(1)">x</a>',
    )
    revision = item.current_revision
    assert revision.title == unicodedata.normalize("NFC", "Hà Giang")
    assert "script" not in revision.body
    assert "onclick" not in revision.body
    assert "javascript:" not in revision.body


def test_repost_without_source_is_refused_in_hue(province_schema):
    site, staff = province_schema("thuathienhue")
    with pytest.raises(EditorialError) as caught:
        item_create(
            actor=staff.holding("board_member"),
            kind="news",
            site=site,
            title="Tin đăng lại",
            is_repost=True,
        )
    assert caught.value.field == "source_name"
    assert not Item.objects.filter(current_revision__title="Tin đăng lại").exists()


def test_late_publication_shows_the_rule_and_article(province_schema):
    from editorial.selectors import published_late_items

    site, staff = province_schema("thainguyen")
    updater, approver = staff.holding("updater"), staff.holding("approver")
    # Thái Nguyên Art. 10(2): news within 8 working hours of the event
    item = item_create(
        actor=updater,
        kind="news",
        site=site,
        title="Tin muộn",
        fields={"event_at": "2026-01-05T09:00:00+07:00"},
    )
    # Mon 09:00 + 8 office hours (07:30–11:30, 13:30–17:00; ADR 0008): 2.5 h + 3.5 h that day,
    # then Tue 07:30 + 2 h = Tue 09:30
    assert item.sla_due_at.astimezone(TZ).isoformat() == "2026-01-06T09:30:00+07:00"
    item = item_transition(item=item, actor=updater, decision="forward")
    item = item_transition(item=item, actor=approver, decision="forward")
    late = published_late_items().get(pk=item.pk)
    assert late.published_late
    assert "8 giờ làm việc" in late.sla_rule
    assert "Art. 10(2)" in late.sla_source


@pytest.mark.parametrize("value", ["9999-12-31T10:00:00+07:00", "0001-01-01T00:00:00+14:00"])
def test_an_implausible_date_is_a_field_error_not_a_crash(province_schema, value):
    site, staff = province_schema("thainguyen")
    with pytest.raises(ContentError) as caught:
        item_create(
            actor=staff.holding("updater"),
            kind="news",
            title="Tin",
            site=site,
            fields={"event_at": value},
        )
    assert "fields.event_at" in caught.value.fields


def test_scheduled_unpublication_takes_the_item_down_once(province_schema):
    from editorial.services import item_schedule_unpublish, items_unpublish_scheduled

    site, staff = province_schema("thainguyen")
    updater, approver = staff.holding("updater"), staff.holding("approver")
    item = item_create(actor=updater, kind="announcement", title="Thông báo có hạn", site=site)
    item = item_transition(item=item, actor=updater, decision="forward")
    item = item_transition(item=item, actor=approver, decision="forward")
    at = timezone.now() + timedelta(days=1)
    with pytest.raises(EditorialError):
        item_schedule_unpublish(item=item, actor=updater, at=at)  # not the publisher
    item_schedule_unpublish(item=item, actor=approver, at=at)
    assert items_unpublish_scheduled(now=at - timedelta(minutes=1)) == 0
    assert items_unpublish_scheduled(now=at + timedelta(minutes=1)) == 1
    assert items_unpublish_scheduled(now=at + timedelta(minutes=2)) == 0
    item.refresh_from_db()
    assert item.status == Item.Status.UNPUBLISHED
    assert item not in public_items(site=site)


def test_comment_contacts_are_erased_after_the_retention_period(province_schema):
    from editorial.models import PublicComment
    from editorial.services import public_comments_purge

    site, staff = province_schema("dongnai")
    item = item_create(
        actor=staff.holding("site_editor"),
        kind="draft_document",
        site=site,
        title="Dự thảo",
        fields={"drafting_body": "Sở Tư pháp", "opens_on": "2026-01-01", "closes_on": "2026-12-31"},
    )
    comment = PublicComment.objects.create(item=item, name="Dân", email="dan@example.vn", text="Ý")
    retention = current_profile().qa.retention_days
    assert public_comments_purge(today=timezone.localdate() + timedelta(days=retention)) == 0
    assert public_comments_purge(today=timezone.localdate() + timedelta(days=retention + 1)) == 1
    assert public_comments_purge(today=timezone.localdate() + timedelta(days=retention + 2)) == 0
    comment.refresh_from_db()
    assert (comment.email, comment.name) == ("", "Dân")


def test_delegation_is_refused_at_one_step_and_accepted_at_another_of_the_same_run(
    province_schema, monkeypatch
):
    # given: Thái Nguyên's portal workflow (no delegates, Art. 6(3), 17(2)) as a regulation
    # that lets a deputy act for the editor-in-chief at the last step only
    _site, staff = province_schema("thainguyen")
    shipped = current_profile()
    workflows = shipped.governance.workflows
    steps = [
        step.model_copy(update={"delegation_allowed": True}) if step.code == "publish" else step
        for step in workflows.portal.steps
    ]
    portal = workflows.portal.model_copy(update={"steps": steps})
    governance = shipped.governance.model_copy(
        update={"workflows": workflows.model_copy(update={"portal": portal})}
    )
    varied = shipped.model_copy(update={"governance": governance})
    monkeypatch.setattr("editorial.services.current_profile", lambda on=None: varied)
    updater, approver, chief = (
        staff.holding(role) for role in ("portal_updater", "portal_approver", "editor_in_chief")
    )
    deputy = staff.holding("portal_updater")  # granted both roles below, holding neither
    for delegator, role in ((approver, "portal_approver"), (chief, "editor_in_chief")):
        delegated(delegator=delegator, delegate=deputy, role_code=role)
    item = item_create(actor=updater, kind="news", title="Tin Cổng tỉnh")
    item = item_transition(item=item, actor=updater, decision="forward")
    # when / then: at the approver's step the grant counts for nothing
    with pytest.raises(EditorialError) as refused:
        item_transition(item=item, actor=deputy, decision="forward")
    assert refused.value.code == "not_allowed"
    item = item_transition(item=item, actor=approver, decision="forward")
    # at the last step the deputy acts for the editor-in-chief, and it is recorded
    item = item_transition(item=item, actor=deputy, decision="forward")
    assert item.status == Item.Status.PUBLISHED
    last = item.transitions.last()
    assert (last.step_code, last.actor, last.on_behalf_of) == ("publish", deputy, chief)


def test_a_delegate_is_refused_at_a_step_that_says_no_where_the_workflow_says_yes(
    province_schema, monkeypatch
):
    # given: Huế (delegates at every step by default) with the verification step refusing them
    site, staff = province_schema("thuathienhue")
    shipped = current_profile()
    workflows = shipped.governance.workflows
    steps = [
        step.model_copy(update={"delegation_allowed": False}) if step.code == "verify" else step
        for step in workflows.component_site.steps
    ]
    component = workflows.component_site.model_copy(update={"steps": steps})
    governance = shipped.governance.model_copy(
        update={"workflows": workflows.model_copy(update={"component_site": component})}
    )
    varied = shipped.model_copy(update={"governance": governance})
    monkeypatch.setattr("editorial.services.current_profile", lambda on=None: varied)
    member, deputy = staff.holding("board_member"), staff.holding("deputy_head")
    colleague = staff.holding("board_member")
    delegated(delegator=deputy, delegate=colleague, role_code="deputy_head", agency=site.agency)
    item = item_create(actor=member, kind="news", title="Tin cần xác thực", site=site)
    item = item_transition(item=item, actor=member, decision="forward")
    # when / then
    with pytest.raises(EditorialError) as refused:
        item_transition(item=item, actor=colleague, decision="forward")
    assert refused.value.code == "not_allowed"
    assert item.workflow_states.get(status="active").current_step == 1
