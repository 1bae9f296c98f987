"""Agencies renamed, merged and retired inside one province (issue 16): a merge moves the
agency's items, categories, topics, questions, roles and running delegations into the target
and its hosts redirect there; a slug the target already uses is renamed with a PathRedirect; an
open question keeps its tracking code and due date; the dry run changes nothing; a rename with
a new label adds the new hosts and redirects the old; every problem refuses the whole list and
stores nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import AuditEntry, User
from editorial.models import Category, Item
from editorial.services import category_create
from organization.models import Agency, ComponentSite, Delegation, RoleAssignment
from qa.models import Question, Topic
from qa.services import topic_create
from search.models import Document
from tenants.agencies import AgencyChangeError, agency_changes_apply, agency_changes_plan
from tenants.models import Domain, HostRedirect, PathRedirect
from tests.conftest import host_client
from tests.factories.editorial import published
from tests.factories.organization import Staff, delegated
from tests.factories.qa import answered, submitted

SLUG = "thainguyen"
SOURCE, TARGET = "sotttt", "sokhdt"  # Sở Thông tin và Truyền thông → Sở Kế hoạch và Đầu tư


@pytest.fixture
def province(tenant_db):
    return tenant_db[SLUG]


@pytest.fixture
def inside(province):
    with schema_context(province.schema_name):
        yield


def _site(label: str) -> ComponentSite:
    return ComponentSite.objects.select_related("agency").get(label=label)


def _counts() -> dict[str, int]:
    """Rows of every table a change writes, in the province and in the public schema."""
    return {
        "items": Item.objects.filter(site__label=SOURCE).count(),
        "categories": Category.objects.filter(site__label=SOURCE).count(),
        "topics": Topic.objects.filter(agency__site__label=SOURCE).count(),
        "questions": Question.objects.filter(agency__site__label=SOURCE).count(),
        "roles": RoleAssignment.objects.count(),
        "active_agencies": Agency.objects.filter(is_active=True).count(),
        "agency_names": hash(tuple(Agency.objects.values_list("name", flat=True))),
        "domains": Domain.objects.count(),
        "host_redirects": HostRedirect.objects.count(),
        "path_redirects": PathRedirect.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def _content():
    """On the source site: a news item whose address the target also uses, one of its own, a
    category named as one of the target's, a topic with an open and an answered question, a
    staff member holding a role there, and a delegation running."""
    source, target = _site(SOURCE), _site(TARGET)
    source_staff, target_staff = Staff(source.agency), Staff(target.agency)
    same = {"title": "Hội nghị chuyển đổi số năm 2025"}
    theirs = published(target_staff, site=target, **same)
    clash = published(source_staff, site=source, **same)
    own = published(source_staff, site=source, title="Cấp phép bưu chính")
    category_create(name="Tin hoạt động", site=target)
    category = category_create(name="Tin hoạt động", site=source)
    topic = topic_create(name="Viễn thông và Internet", agency=source.agency)
    head = source_staff.holding("agency_head")
    open_question = submitted(topic)
    closed = answered(submitted(topic, title="Hỏi về bưu chính"), by=head)
    deputy = source_staff.holding("updater")
    running = delegated(
        delegator=head, delegate=deputy, role_code="agency_head", agency=source.agency
    )
    return {
        "theirs": theirs,
        "clash": clash,
        "own": own,
        "category": category,
        "topic": topic,
        "open": open_question,
        "closed": closed,
        "head": head,
        "delegation": running,
    }


# --- merge -------------------------------------------------------------------------------


def test_merge_moves_everything_live_and_redirects_the_old_hosts(province, inside):
    # given
    made = _content()
    due_at, code = made["open"].due_at, made["open"].tracking_code
    target = _site(TARGET)
    # when
    result = agency_changes_apply(
        province=province,
        changes=[{"action": "merge", "agency": SOURCE, "into": TARGET}],
        actor=None,
    )
    # then
    assert result["applied"] is True
    change = result["changes"][0]
    assert change["moves"]["questions_open"] == 1
    assert change["moves"]["questions_closed"] == 1
    assert change["moves"]["topics"] == 1
    assert change["moves"]["categories"] == 1
    assert {row["kind"]: row["count"] for row in change["moves"]["items"]} == {"news": 2}
    assert change["moves"]["items"][0]["label"] == "Tin tức"
    for key in ("clash", "own"):
        item = Item.objects.get(pk=made[key].pk)
        assert (item.site_id, item.agency_id) == (target.pk, target.agency_id)
    assert Category.objects.get(pk=made["category"].pk).site_id == target.pk
    assert Topic.objects.get(pk=made["topic"].pk).agency_id == target.agency_id
    question = Question.objects.get(pk=made["open"].pk)
    assert question.agency_id == target.agency_id
    assert (question.tracking_code, question.due_at) == (code, due_at)
    assert question.is_open
    assert Question.objects.get(pk=made["closed"].pk).agency_id == target.agency_id
    assert RoleAssignment.objects.filter(user=made["head"], agency=target.agency).exists()
    assert Delegation.objects.get(pk=made["delegation"].pk).agency_id == target.agency_id
    old = Agency.objects.get(site__label=SOURCE)
    assert not old.is_active
    assert not old.site.is_active
    redirect = HostRedirect.objects.get(host="sotttt.thainguyen.gov.vn")
    assert redirect.target_host == "sokhdt.thainguyen.gov.vn"
    assert redirect.reason == HostRedirect.Reason.AGENCY_MERGE
    assert redirect.province_id == province.pk
    assert redirect.former_name == "Sở Thông tin và Truyền thông"
    assert redirect.current_name == "Sở Kế hoạch và Đầu tư"
    dev = HostRedirect.objects.get(host="sotttt.thainguyen.localhost")
    assert dev.target_host == "sokhdt.thainguyen.localhost"
    # The old Domain rows stay: the redirect is answered on them.
    assert Domain.objects.filter(domain="sotttt.thainguyen.gov.vn", tenant=province).exists()
    entry = AuditEntry.objects.filter(action="agency_changes").get()
    assert entry.data["changes"] == [{"action": "merge", "agency": SOURCE, "into": TARGET}]


def test_a_slug_the_target_uses_gets_a_new_one_and_a_path_redirect(province, inside):
    # given
    made = _content()
    old_slug = made["clash"].slug
    assert old_slug == made["theirs"].slug
    category_slug = made["category"].slug
    # when
    result = agency_changes_apply(
        province=province,
        changes=[{"action": "merge", "agency": SOURCE, "into": TARGET}],
        actor=None,
    )
    # then
    moved = Item.objects.get(pk=made["clash"].pk)
    assert moved.slug == f"{old_slug}-2"
    assert Item.objects.get(pk=made["own"].pk).slug == made["own"].slug
    assert Category.objects.get(pk=made["category"].pk).slug == f"{category_slug}-2"
    path = PathRedirect.objects.get(
        host="sotttt.thainguyen.gov.vn", old_path=f"/bai-viet/{old_slug}/"
    )
    assert (path.target_host, path.new_path) == (
        "sokhdt.thainguyen.gov.vn",
        f"/bai-viet/{old_slug}-2/",
    )
    assert PathRedirect.objects.filter(
        host="sotttt.thainguyen.localhost",
        old_path=f"/chuyen-muc/{category_slug}/",
        target_host="sokhdt.thainguyen.localhost",
        new_path=f"/chuyen-muc/{category_slug}-2/",
    ).exists()
    renames = result["changes"][0]["slug_renames"]
    assert {(r["what"], r["old_slug"], r["new_slug"]) for r in renames} == {
        ("item", old_slug, f"{old_slug}-2"),
        ("category", category_slug, f"{category_slug}-2"),
    }


def test_a_role_the_holder_already_has_in_the_target_is_dropped_and_reported(province, inside):
    # given
    source, target = _site(SOURCE), _site(TARGET)
    user = Staff(source.agency).holding("approver")
    role = RoleAssignment.objects.get(user=user).role
    RoleAssignment.objects.create(user=user, role=role, agency=target.agency)
    # when
    result = agency_changes_apply(
        province=province,
        changes=[{"action": "merge", "agency": SOURCE, "into": TARGET}],
        actor=None,
    )
    # then
    assert list(RoleAssignment.objects.filter(user=user).values_list("agency_id", flat=True)) == [
        target.agency_id
    ]
    assert result["changes"][0]["dropped_roles"] == [{"user": user.username, "role": role.name}]


def test_moved_items_are_found_on_the_target_site(
    province, inside, django_capture_on_commit_callbacks
):
    # given
    made = _content()
    target = _site(TARGET)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        agency_changes_apply(
            province=province,
            changes=[{"action": "merge", "agency": SOURCE, "into": TARGET}],
            actor=None,
        )
    # then
    document = Document.objects.get(source="editorial.item", source_id=made["clash"].pk)
    assert document.site_id == target.pk
    assert document.url == f"/bai-viet/{made['clash'].slug}-2/"


def test_the_old_hosts_answer_with_redirects_to_the_target(
    province, inside, django_capture_on_commit_callbacks
):
    # given: the old host's answers are cached before the merge
    made = _content()
    slug, own = made["clash"].slug, made["own"].slug
    old = host_client("sotttt.thainguyen.localhost")
    assert old.get(f"/bai-viet/{own}/").status_code == 200
    # when
    with django_capture_on_commit_callbacks(execute=True):
        agency_changes_apply(
            province=province,
            changes=[{"action": "merge", "agency": SOURCE, "into": TARGET}],
            actor=None,
        )
    # then
    renamed = old.get(f"/bai-viet/{slug}/")
    assert renamed.status_code == 301
    assert renamed["Location"].endswith(f"sokhdt.thainguyen.localhost/bai-viet/{slug}-2/")
    same = old.get(f"/bai-viet/{own}/")
    assert same.status_code == 301
    assert same["Location"].endswith(f"sokhdt.thainguyen.localhost/bai-viet/{own}/")


# --- dry run -----------------------------------------------------------------------------


def test_the_dry_run_reports_the_plan_and_changes_nothing(province, inside):
    # given
    _content()
    before = _counts()
    changes = [
        {"action": "merge", "agency": SOURCE, "into": TARGET},
        {
            "action": "rename",
            "agency": TARGET,
            "name": "Sở Khoa học và Công nghệ",
            "label": "skhcn",
        },
        {"action": "retire", "agency": "Ủy ban nhân dân huyện Đại Từ", "successor": "skhcn"},
    ]
    # when
    plan = agency_changes_plan(province=province, changes=changes)
    # then
    assert plan["problems"] == [], plan["problems"]
    assert plan["dry_run"] is True
    assert plan["applied"] is False
    assert [c["action_label"] for c in plan["changes"]] == [
        "Hợp nhất cơ quan",
        "Đổi tên cơ quan",
        "Giải thể cơ quan",
    ]
    assert plan["changes"][0]["moves"]["items_total"] == 2
    assert {r["host"] for r in plan["changes"][1]["host_redirects"]} == {
        "sokhdt.thainguyen.gov.vn",
        "sokhdt.thainguyen.localhost",
    }
    # the third change reads the province as the first two leave it: the renamed target
    assert plan["changes"][2]["target"]["name"] == "Sở Khoa học và Công nghệ"
    assert {r["target_host"] for r in plan["changes"][2]["host_redirects"]} == {
        "skhcn.thainguyen.gov.vn",
        "skhcn.thainguyen.localhost",
    }
    # the first change's redirects were pointed on at the renamed hosts in the same run
    assert _counts() == before


# --- rename ------------------------------------------------------------------------------


def test_rename_with_a_new_label_adds_the_hosts_and_redirects_the_old(province, inside):
    # when
    result = agency_changes_apply(
        province=province,
        changes=[
            {
                "action": "rename",
                "agency": TARGET,
                "name": "Sở Khoa học và Công nghệ",
                "short_name": "skhcn",
                "label": "skhcn",
            }
        ],
        actor=None,
    )
    # then
    assert result["changes"][0]["rename"]["name_after"] == "Sở Khoa học và Công nghệ"
    site = _site("skhcn")
    assert site.agency.name == "Sở Khoa học và Công nghệ"
    assert site.agency.short_name == "skhcn"
    assert (site.host, site.dev_host) == ("skhcn.thainguyen.gov.vn", "skhcn.thainguyen.localhost")
    new = Domain.objects.get(domain="skhcn.thainguyen.gov.vn")
    assert (new.tenant_id, new.kind, new.is_development) == (province.pk, "component", False)
    assert Domain.objects.get(domain="skhcn.thainguyen.localhost").is_development
    assert Domain.objects.filter(domain="sokhdt.thainguyen.gov.vn").exists()
    redirect = HostRedirect.objects.get(host="sokhdt.thainguyen.gov.vn")
    assert redirect.target_host == "skhcn.thainguyen.gov.vn"
    assert redirect.reason == HostRedirect.Reason.AGENCY_RENAME
    assert redirect.former_name == "Sở Kế hoạch và Đầu tư"
    assert HostRedirect.objects.get(host="sokhdt.thainguyen.localhost").target_host == (
        "skhcn.thainguyen.localhost"
    )


def test_rename_without_a_label_keeps_the_hosts(province, inside):
    # when
    agency_changes_apply(
        province=province,
        changes=[{"action": "rename", "agency": "Sở Thông tin và Truyền thông", "name": "Sở  X"}],
        actor=None,
    )
    # then
    assert _site(SOURCE).agency.name == "Sở  X"
    assert not HostRedirect.objects.exists()


def test_the_hosts_merged_into_a_renamed_site_redirect_straight_to_its_new_host(province, inside):
    # when
    agency_changes_apply(
        province=province,
        changes=[
            {"action": "merge", "agency": SOURCE, "into": TARGET},
            {"action": "rename", "agency": TARGET, "name": "Sở Khoa học", "label": "skhcn"},
        ],
        actor=None,
    )
    # then: no chain of two redirects
    assert HostRedirect.objects.get(host="sotttt.thainguyen.gov.vn").target_host == (
        "skhcn.thainguyen.gov.vn"
    )
    assert HostRedirect.objects.get(host="sotttt.thainguyen.gov.vn").current_name == "Sở Khoa học"
    assert HostRedirect.objects.get(host="sokhdt.thainguyen.gov.vn").target_host == (
        "skhcn.thainguyen.gov.vn"
    )


# --- refusals ----------------------------------------------------------------------------


REFUSED = [
    ([{"action": "merge", "agency": "khong-co", "into": TARGET}], "changes[0].agency"),
    ([{"action": "merge", "agency": SOURCE, "into": "khong-co"}], "changes[0].into"),
    ([{"action": "merge", "agency": SOURCE, "into": SOURCE}], "changes[0].into"),
    ([{"action": "retire", "agency": "phoyen"}], "changes[0].successor"),
    ([{"action": "retire", "agency": "phoyen", "successor": ""}], "changes[0].successor"),
    (
        [
            {"action": "merge", "agency": SOURCE, "into": TARGET},
            {"action": "retire", "agency": "phoyen", "successor": SOURCE},
        ],
        "changes[1].successor",
    ),
    (
        [
            {"action": "rename", "agency": SOURCE, "name": "Sở A"},
            {"action": "merge", "agency": SOURCE, "into": TARGET},
        ],
        "changes[1].agency",
    ),
    ([{"action": "rename", "agency": SOURCE, "name": "Sở Kế hoạch và Đầu tư"}], "changes[0].name"),
    ([{"action": "rename", "agency": SOURCE, "name": "  "}], "changes[0].name"),
    ([{"action": "rename", "agency": SOURCE, "name": "Sở A", "label": "Sở"}], "changes[0].label"),
    (
        [{"action": "rename", "agency": SOURCE, "name": "Sở A", "label": "daitu"}],
        "changes[0].label",
    ),
    (
        [{"action": "rename", "agency": SOURCE, "name": "Sở A", "label": "a" * 64}],
        "changes[0].label",
    ),
    (
        [
            {
                "action": "merge",
                "agency": SOURCE,
                "into": "Trung tâm Thông tin tỉnh (Văn phòng Ủy ban nhân dân tỉnh)",
            }
        ],
        "changes[0].into",
    ),
    ([{"action": "merge", "agency": SOURCE, "into": TARGET, "force": "yes"}], "changes[0].force"),
    ([{"action": "delete", "agency": SOURCE}], "changes[0].action"),
    ([{"action": "rename", "agency": SOURCE, "name": "x" * 256}], "changes[0].name"),
    ([{"action": "rename", "agency": SOURCE, "name": 5}], "changes[0].name"),
    ([], "changes"),
    ([{"action": "merge", "agency": SOURCE, "into": TARGET}] * 201, "changes"),
    ("merge", "changes"),
]


@pytest.mark.parametrize(("changes", "path"), REFUSED)
def test_each_problem_refuses_the_whole_list_and_stores_nothing(province, inside, changes, path):
    # given
    before = _counts()
    # when
    plan = agency_changes_plan(province=province, changes=changes)
    with pytest.raises(AgencyChangeError) as refused:
        agency_changes_apply(province=province, changes=changes, actor=None)
    # then
    assert path in {problem["path"] for problem in plan["problems"]}, plan["problems"]
    assert path in refused.value.fields
    assert refused.value.plan["problems"] == plan["problems"]
    assert _counts() == before


def test_a_host_taken_by_another_province_is_refused(province, tenant_db, inside):
    # given: a host of Bắc Kạn's under Thái Nguyên's pattern cannot exist, so take one by hand
    Domain.objects.create(
        domain="sotruyenthong.thainguyen.gov.vn", tenant=tenant_db["backan"], kind="component"
    )
    # when
    plan = agency_changes_plan(
        province=province,
        changes=[{"action": "rename", "agency": SOURCE, "name": "Sở A", "label": "sotruyenthong"}],
    )
    # then
    assert [p["code"] for p in plan["problems"]] == ["host_taken"]


def test_only_an_operator_applies(province, inside):
    # given
    with schema_context("public"):
        clerk = User.objects.create(username="agency_changes_clerk", is_staff=False)
    # when / then
    with pytest.raises(AgencyChangeError) as refused:
        agency_changes_apply(
            province=province,
            changes=[{"action": "merge", "agency": SOURCE, "into": TARGET}],
            actor=clerk,
        )
    assert refused.value.code == "not_operator"
    assert Agency.objects.get(site__label=SOURCE).is_active


def test_an_open_question_keeps_its_deadline_after_the_move(province, inside):
    # given
    topic = topic_create(name="Báo chí", agency=_site(SOURCE).agency)
    question = submitted(topic, received_at=timezone.now() - timedelta(days=2))
    kept = ("tracking_code", "due_at", "status", "deadline_rule", "profile_effective_from")
    before = Question.objects.values(*kept).get(pk=question.pk)
    # when
    agency_changes_apply(
        province=province,
        changes=[{"action": "retire", "agency": SOURCE, "successor": TARGET}],
        actor=None,
    )
    # then
    after = Question.objects.values(*kept).get(pk=question.pk)
    assert after == before
    assert HostRedirect.objects.get(host="sotttt.thainguyen.gov.vn").reason == "agency_retire"


def test_a_new_label_renames_the_alternate_hosts_as_the_profile_names_them(tenant_db):
    # given: Huế's sites answer on so<label>.thuathienhue.gov.vn and s<label>.hue.gov.vn
    hue = tenant_db["thuathienhue"]
    with schema_context(hue.schema_name):
        # when
        agency_changes_apply(
            province=hue,
            changes=[{"action": "rename", "agency": "khdt", "name": "Sở Tài chính", "label": "tc"}],
            actor=None,
        )
        # then
        site = _site("tc")
        assert (site.host, site.alternate_hosts, site.dev_host) == (
            "sotc.thuathienhue.gov.vn",
            ["stc.hue.gov.vn"],
            "sotc.thuathienhue.localhost",
        )
    redirects = dict(HostRedirect.objects.values_list("host", "target_host"))
    assert redirects == {
        "sokhdt.thuathienhue.gov.vn": "sotc.thuathienhue.gov.vn",
        "skhdt.hue.gov.vn": "stc.hue.gov.vn",
        "sokhdt.thuathienhue.localhost": "sotc.thuathienhue.localhost",
    }
    assert set(
        Domain.objects.filter(tenant=hue, domain__contains="tc.").values_list("domain", flat=True)
    ) == {"sotc.thuathienhue.gov.vn", "stc.hue.gov.vn", "sotc.thuathienhue.localhost"}
