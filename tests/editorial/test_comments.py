"""Citizens' comments on drafts open for comment (Decree 43/2011 Art. 10(i); Đồng Nai Art. 8):
stored only with the citizen's consent to publish their name and comment, within the period,
and published only once someone who may edit the draft approves them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from editorial import rules
from editorial.models import PublicComment
from editorial.selectors import comment_access
from editorial.services import (
    EditorialError,
    public_cache_version,
    public_comment_moderate,
    public_comment_submit,
)
from organization.models import Agency
from tests.factories.editorial import Desk, workflow


@pytest.fixture
def newsroom(province_schema) -> Desk:
    site, staff = province_schema("dongnai")
    return Desk(staff, site)


def open_draft(newsroom: Desk, *, on_portal: bool = False, days_left: int = 10, **fields):
    today = timezone.localdate()
    values = {
        "drafting_body": "Sở Tư pháp",
        "opens_on": (today - timedelta(days=1)).isoformat(),
        "closes_on": (today + timedelta(days=days_left)).isoformat(),
        **fields,
    }
    return newsroom.publish(
        kind="draft_document", title="Dự thảo Nghị quyết", fields=values, on_portal=on_portal
    )


def comment(item, *, consent: bool = True, **values) -> PublicComment:
    return public_comment_submit(
        item=item,
        **{"name": "Lê Văn A", "email": "a@example.vn", "text": "Đề nghị sửa Điều 3.", **values},
        consent=consent,
    )


def another_agency(site_agency) -> Agency:
    return Agency.objects.exclude(pk=site_agency.pk).order_by("pk").first()


# --- submission ----------------------------------------------------------------------------


def test_a_comment_without_consent_is_refused_and_nothing_is_stored(newsroom):
    draft = open_draft(newsroom)
    with pytest.raises(EditorialError) as refused:
        comment(draft, consent=False)
    assert (refused.value.code, refused.value.field) == ("consent_required", "consent")
    assert not PublicComment.objects.filter(item=draft).exists()


def test_a_comment_with_consent_waits_for_moderation_and_records_the_consent(newsroom):
    draft = open_draft(newsroom)
    before = timezone.now()
    stored = comment(draft)
    assert stored.status == PublicComment.Status.PENDING
    assert stored.consented_at is not None
    assert stored.consented_at >= before
    assert (stored.moderated_at, stored.moderated_by) == (None, None)


def test_a_closed_draft_refuses_comments(newsroom):
    draft = newsroom.publish(
        kind="draft_document",
        title="Dự thảo đã hết hạn",
        fields={"drafting_body": "Sở Tư pháp", "opens_on": "2025-01-01", "closes_on": "2025-01-31"},
    )
    with pytest.raises(EditorialError) as refused:
        comment(draft)
    assert refused.value.code == "closed"
    assert not PublicComment.objects.filter(item=draft).exists()


def test_only_drafts_take_comments(newsroom):
    news = newsroom.publish(title="Tin thường")
    with pytest.raises(EditorialError) as refused:
        comment(news)
    assert refused.value.code == "not_open"


# --- moderation ----------------------------------------------------------------------------


def test_the_sites_editor_approves_a_comment_with_an_audit_row(
    newsroom, django_capture_on_commit_callbacks
):
    # given a pending comment on a component site's draft
    draft = open_draft(newsroom)
    pending = comment(draft)
    editor = newsroom.author(newsroom.site)
    version = public_cache_version()
    # when the editor who enters the site's items approves it
    with django_capture_on_commit_callbacks(execute=True):
        approved = public_comment_moderate(comment=pending, decision="approve", acting_user=editor)
    # then it is public, says who decided when, and the public pages are renewed
    assert approved.status == PublicComment.Status.VISIBLE
    assert approved.moderated_by == editor
    assert approved.moderated_at is not None
    entry = AuditEntry.objects.get(action="draft_comment_approved")
    assert entry.actor == editor
    assert entry.target == f"comment {pending.pk} on item {draft.pk}"
    assert public_cache_version() > version


def test_the_publisher_rejects_and_may_reverse_a_decision(
    newsroom, django_capture_on_commit_callbacks
):
    draft = open_draft(newsroom)
    pending = comment(draft)
    publisher = newsroom.publisher(newsroom.site)
    rejected = public_comment_moderate(comment=pending, decision="reject", acting_user=publisher)
    assert rejected.status == PublicComment.Status.HIDDEN
    # the same decision twice is refused
    with pytest.raises(EditorialError) as refused:
        public_comment_moderate(comment=pending, decision="reject", acting_user=publisher)
    assert refused.value.code == "already_decided"
    # approved after all, then taken off again: each change renews the public pages
    public_comment_moderate(comment=pending, decision="approve", acting_user=publisher)
    version = public_cache_version()
    with django_capture_on_commit_callbacks(execute=True):
        public_comment_moderate(comment=pending, decision="reject", acting_user=publisher)
    assert public_cache_version() > version
    actions = list(
        AuditEntry.objects.filter(action__startswith="draft_comment_")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["draft_comment_rejected", "draft_comment_approved", "draft_comment_rejected"]


def test_an_unknown_decision_is_refused(newsroom):
    draft = open_draft(newsroom)
    pending = comment(draft)
    with pytest.raises(EditorialError) as refused:
        public_comment_moderate(
            comment=pending, decision="publish", acting_user=newsroom.author(newsroom.site)
        )
    assert (refused.value.code, refused.value.field) == ("unknown_decision", "decision")


def test_staff_of_another_agency_may_not_moderate(newsroom):
    # given a pending comment on the first site's draft, and the same role at another agency
    draft = open_draft(newsroom)
    pending = comment(draft)
    spec = workflow(on_portal=False)
    outsider = newsroom.staff.holding(
        spec.steps[0].role, agency=another_agency(newsroom.site.agency)
    )
    # when
    with pytest.raises(EditorialError) as refused:
        public_comment_moderate(comment=pending, decision="approve", acting_user=outsider)
    # then
    assert refused.value.code == "not_allowed"
    pending.refresh_from_db()
    assert pending.status == PublicComment.Status.PENDING
    assert not AuditEntry.objects.filter(action__startswith="draft_comment_").exists()


def test_who_reads_and_who_moderates_the_comments(newsroom):
    draft = open_draft(newsroom)
    agency = newsroom.site.agency
    spec = workflow(on_portal=False)
    portal = workflow(on_portal=True)
    portal_editor = newsroom.staff.holding(
        portal.steps[rules.publish_step_index(portal.steps)].role
    )
    # Đồng Nai: the head of the drafting agency has no step in its component site's workflow
    assert "agency_head" not in {step.role for step in spec.steps}
    colleague = newsroom.staff.holding("agency_head", agency=agency)
    outsider = newsroom.staff.holding(spec.steps[0].role, agency=another_agency(agency))
    assert comment_access(item=draft, user=newsroom.author(newsroom.site)).may_moderate
    assert comment_access(item=draft, user=newsroom.publisher(newsroom.site)).may_moderate
    assert comment_access(item=draft, user=colleague) == comment_access(
        item=draft, user=portal_editor
    )
    assert comment_access(item=draft, user=colleague).may_read
    assert not comment_access(item=draft, user=colleague).may_moderate
    assert not comment_access(item=draft, user=outsider).may_read


def test_an_overlong_email_is_refused_not_truncated(newsroom):
    draft = open_draft(newsroom)
    with pytest.raises(EditorialError) as refused:
        comment(draft, email="a" * 250 + "@x.vn")
    assert (refused.value.code, refused.value.field) == ("email_too_long", "email")
    assert not PublicComment.objects.filter(item=draft).exists()
