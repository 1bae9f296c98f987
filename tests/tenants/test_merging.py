"""Merging a province into another (tenants.merging, ADR 0032), on the seed provinces inside a
test's transaction: Bắc Kạn into Thái Nguyên."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from editorial.models import Item
from organization.models import Agency, ComponentSite, RoleAssignment
from qa.models import Question, Topic
from tenants.merging import (
    MergeError,
    merge_cancel,
    merge_plan,
    merge_run,
    policies,
    tenant_tables,
)
from tenants.models import Domain, HostRedirect, MergeJob, Province
from tests.conftest import host_client
from tests.factories.editorial import published
from tests.factories.organization import Staff
from tests.factories.qa import submitted

EFFECTIVE = date(2025, 7, 1)


def test_every_table_of_a_province_has_a_policy():
    """A new model without a policy would be left behind by every merge."""
    covered = {p.table for p in policies()}
    assert set(tenant_tables()) - covered == set()


@pytest.fixture
def backan_content(tenant_db):
    """Bắc Kạn with a published article on its portal and on a component site, and an open
    question."""
    with schema_context(tenant_db["backan"].schema_name):
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        staff = Staff(site.agency)
        on_site = published(staff, site=site, title="Tin của sở", body="<p>Nội dung</p>")
        on_portal = published(staff, site=None, title="Tin của tỉnh", body="<p>Tỉnh</p>")
        topic = Topic.objects.create(name="Đất đai", slug="dat-dai", agency=site.agency)
        question = submitted(topic)
        return {
            "site": site,
            "on_site": on_site,
            "on_portal": on_portal,
            "question": question,
            "portal_revisions": on_portal.revisions.count(),
        }


def _topic() -> Topic:
    agency = Agency.objects.filter(site__isnull=False).order_by("pk").first()
    return Topic.objects.create(name="Giao thông", slug="giao-thong", agency=agency)


def _plan(tenant_db):
    return merge_plan(
        source=tenant_db["backan"], target=tenant_db["thainguyen"], effective_from=EFFECTIVE
    )


def _province(slug: str) -> Province:
    """Read afresh: the session's province objects must not carry one test's merge to the next."""
    return Province.objects.get(slug=slug)


def test_the_dry_run_lists_everything_and_changes_nothing(tenant_db, backan_content):
    with schema_context(tenant_db["thainguyen"].schema_name):
        before = Item.objects.count(), Question.objects.count(), Agency.objects.count()
    job = _plan(tenant_db)
    plan = job.plan
    assert job.status == MergeJob.Status.PLANNED
    assert plan["problems"] == []
    counts = {c["table"]: c for c in plan["counts"]}
    assert counts["editorial_item"]["to_move"] >= 2
    assert counts["qa_question"]["to_move"] == 1
    assert plan["former_portal"]["label"] == "backan"
    assert plan["hosts"]
    assert all(h["target_host"] for h in plan["hosts"])
    assert any(u["renamed"] for u in plan["users"]) or plan["users"]
    with schema_context(tenant_db["thainguyen"].schema_name):
        assert (Item.objects.count(), Question.objects.count(), Agency.objects.count()) == before


def test_a_merge_moves_content_questions_and_hosts(tenant_db, backan_content):
    thainguyen = tenant_db["thainguyen"]
    question = backan_content["question"]
    job = merge_run(job=_plan(tenant_db))
    assert job.status == MergeJob.Status.COMPLETED, job.error
    assert all(c["match"] for c in job.stages["verify"]["counts"])
    backan = _province("backan")
    assert backan.merged_into_id == thainguyen.pk
    assert backan.frozen_at is None
    with schema_context(thainguyen.schema_name):
        moved = Question.objects.get(tracking_code=question.tracking_code)
        assert moved.due_at == question.due_at
        assert moved.deadline_rule == question.deadline_rule
        assert moved.profile_province == "backan"
        former = ComponentSite.objects.get(label="backan")
        assert former.is_active
        assert former.agency.is_active
        item = Item.objects.get(site=former, slug=backan_content["on_portal"].slug)
        assert item.status == Item.Status.PUBLISHED
        assert item.current_revision.title == "Tin của tỉnh"
        assert item.revisions.count() == backan_content["portal_revisions"] > 0
    connection.set_schema_to_public()
    redirect = HostRedirect.objects.get(host="backan.localhost")
    assert redirect.target_host == former.dev_host
    assert Domain.objects.get(domain="backan.localhost").tenant_id == thainguyen.pk


def test_roles_are_mapped_and_staff_renamed_on_collision(tenant_db, backan_content):
    job = merge_run(job=_plan(tenant_db))
    renamed = {u["username"]: u["new_username"] for u in job.plan["users"]}
    with schema_context(tenant_db["thainguyen"].schema_name):
        from accounts.models import User

        for old, new in renamed.items():
            assert User.objects.filter(username=new).exists(), old
        carried = RoleAssignment.objects.filter(user__username__in=renamed.values())
        assert carried.count() == sum(r["mapped"] for r in job.plan["roles"])


def _clash_when(stage: str, code: str, schema: str):
    """A progress callback that, as `stage` starts, has the target take `code` (a citizen's
    question submitted there at that moment): the stage fails on the unique tracking code."""
    taken = []

    def progress(current: str, done: int, total: int) -> None:
        if current == stage and not taken:
            with schema_context(schema):
                clash = submitted(_topic())
                Question.objects.filter(pk=clash.pk).update(tracking_code=code)
                taken.append(clash.pk)

    return progress, taken


def test_a_failed_stage_leaves_both_provinces_serving_and_a_rerun_completes(
    tenant_db, backan_content
):
    thainguyen = tenant_db["thainguyen"]
    job = _plan(tenant_db)
    code = backan_content["question"].tracking_code
    progress, taken = _clash_when("questions", code, thainguyen.schema_name)
    with pytest.raises(MergeError) as failure:
        merge_run(job=job, progress=progress)
    assert failure.value.code == "stage_failed"
    job.refresh_from_db()
    assert job.status == MergeJob.Status.FAILED
    assert job.stage == "questions"
    assert job.stages["content"]["status"] == "done"
    backan = _province("backan")
    assert backan.frozen_at is None
    assert backan.merged_into_id is None
    assert Domain.objects.get(domain="backan.localhost").tenant_id == backan.pk
    with schema_context(thainguyen.schema_name):
        # Nothing moved shows on the target: the copied sites and agencies wait for the cutover.
        assert not ComponentSite.objects.filter(label="backan", is_active=True).exists()
        assert not Item.objects.filter(site__label="backan", status=Item.Status.PUBLISHED).exists()
        Question.objects.filter(pk=taken[0]).update(tracking_code="ZZZZ-ZZZZ")
    job = merge_run(job=job)
    assert job.status == MergeJob.Status.COMPLETED
    with schema_context(thainguyen.schema_name):
        assert Question.objects.filter(tracking_code=code).count() == 1
        assert Item.objects.filter(site__label="backan", status=Item.Status.PUBLISHED).exists()


def test_cancel_deletes_what_was_copied(tenant_db, backan_content):
    thainguyen = tenant_db["thainguyen"]
    with schema_context(thainguyen.schema_name):
        before = Item.objects.count(), Agency.objects.count()
    job = _plan(tenant_db)
    code = backan_content["question"].tracking_code
    progress, _taken = _clash_when("questions", code, thainguyen.schema_name)
    with pytest.raises(MergeError):
        merge_run(job=job, progress=progress)
    job = merge_cancel(job=job)
    assert job.status == MergeJob.Status.CANCELLED
    with schema_context(thainguyen.schema_name):
        assert (Item.objects.count(), Agency.objects.count()) == before


def test_refused_merges(tenant_db):
    with pytest.raises(MergeError) as same:
        merge_plan(source=tenant_db["backan"], target=tenant_db["backan"], effective_from=EFFECTIVE)
    assert same.value.code == "same_province"
    assert not MergeJob.objects.exists()
    assert Province.objects.filter(merged_into__isnull=False).count() == 0


def test_an_open_question_goes_to_the_agency_holding_its_topic_in_the_target(
    tenant_db, backan_content
):
    """Both provinces answer questions on land ("Đất đai"): after the merge the open question
    of Bắc Kạn is answered by Thái Nguyên's agency for land, under Bắc Kạn's rules and due date."""
    thainguyen = tenant_db["thainguyen"]
    question = backan_content["question"]
    with schema_context(thainguyen.schema_name):
        agency = Agency.objects.filter(site__isnull=False).order_by("-pk").first()
        land = Topic.objects.create(name="Đất Đai", slug="dat-dai-tn", agency=agency)
    job = _plan(tenant_db)
    (entry,) = [t for t in job.plan["topics"] if t["slug"] == "dat-dai"]
    assert entry["joins"]
    assert entry["agency"] == agency.name
    counts = {c["table"]: c for c in job.plan["counts"]}
    assert counts["qa_topic"]["not_moved"] == 1
    assert counts["qa_topic"]["why"]
    job = merge_run(job=job)
    assert job.status == MergeJob.Status.COMPLETED
    with schema_context(thainguyen.schema_name):
        moved = Question.objects.get(tracking_code=question.tracking_code)
        assert (moved.topic_id, moved.agency_id) == (land.pk, agency.pk)
        assert moved.due_at == question.due_at
        assert moved.profile_province == "backan"
        assert Topic.objects.filter(name__iexact="đất đai").count() == 1


def test_a_signed_off_ledger_moves_beside_the_targets_own_month(tenant_db, backan_content):
    from django.utils import timezone

    from royalties.models import LedgerMonth
    from royalties.selectors import month_list

    month = date(2025, 6, 1)
    for slug in ("backan", "thainguyen"):
        with schema_context(tenant_db[slug].schema_name):
            ledger = LedgerMonth.objects.create(month=month, budget_owner="Sở", budget_source="Đ")
            LedgerMonth.objects.filter(pk=ledger.pk).update(
                status=LedgerMonth.Status.SIGNED_OFF, signed_off_at=timezone.now(), total=0
            )
    job = merge_run(job=_plan(tenant_db))
    assert job.status == MergeJob.Status.COMPLETED, job.error
    with schema_context(tenant_db["thainguyen"].schema_name):
        (own,) = month_list()
        (former,) = month_list(former=True)
        assert own.month == former.month == month
        assert own.former_province == ""
        assert former.former_province == "Bắc Kạn"
        assert former.status == LedgerMonth.Status.SIGNED_OFF
        assert former.signed_off_at


def test_a_role_the_target_names_otherwise_is_mapped_by_the_operator(tenant_db, backan_content):
    """Bắc Kạn's site editors hold `site_editor`, a code Thái Nguyên's profile does not have:
    reported, then carried as Thái Nguyên's `updater` once the operator maps it."""
    from tenants.merging import merge_resolve

    job = _plan(tenant_db)
    (editor,) = [r for r in job.plan["roles"] if r["code"] == "site_editor"]
    assert editor["mapped"] == 0
    assert editor["holders"] >= 1
    assert editor["target_code"] is None
    assert {"code": "updater"} in [{"code": c["code"]} for c in job.plan["role_choices"]]
    with pytest.raises(MergeError) as portal_wide:
        merge_resolve(job=job, roles={"site_editor": "editor_in_chief"})
    assert portal_wide.value.code == "invalid_role"
    job = merge_resolve(job=job, roles={"site_editor": "updater"})
    (editor,) = [r for r in job.plan["roles"] if r["code"] == "site_editor"]
    assert editor["mapped"] == editor["holders"]
    assert job.plan["role_map"]["site_editor"] == "updater"
    with schema_context(tenant_db["backan"].schema_name):
        holders = set(
            RoleAssignment.objects.filter(role__code="site_editor").values_list(
                "user__username", "agency__name"
            )
        )
    job = merge_run(job=job)
    assert job.status == MergeJob.Status.COMPLETED, job.error
    renamed = {u["username"]: u["new_username"] for u in job.plan["users"]}
    agencies = {a["name"]: a["new_name"] for a in job.plan["agencies"]}
    with schema_context(tenant_db["thainguyen"].schema_name):
        carried = set(
            RoleAssignment.objects.filter(role__code="updater", user__is_active=True)
            .filter(user__username__in=[renamed[u] for u, _a in holders])
            .values_list("user__username", "agency__name")
        )
    assert carried == {(renamed[u], agencies[a]) for u, a in holders}


def test_a_run_whose_process_died_is_resumed_and_a_live_one_is_left_alone(
    tenant_db, backan_content
):
    """A job left `running` by a killed worker holds no lock: it is interrupted, and running it
    again resumes it. While another session holds its lock, it is running there: refused."""
    import psycopg
    from django.conf import settings

    from tenants.merging import _lock_key, merge_interrupted

    job = _plan(tenant_db)
    MergeJob.objects.filter(pk=job.pk).update(
        status=MergeJob.Status.RUNNING,
        stage="backup",
        stages={"backup": {"status": "running"}},
    )
    job.refresh_from_db()
    db = settings.DATABASES["default"]
    other = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [_lock_key(job)])
        assert not merge_interrupted(job)
        with pytest.raises(MergeError) as busy:
            merge_run(job=job)
        assert busy.value.code == "busy"
        # The other process ends (its session's locks go with it).
        other.execute("SELECT pg_advisory_unlock_all()")
    finally:
        other.close()
    assert merge_interrupted(job)
    job = merge_run(job=job)
    assert job.status == MergeJob.Status.COMPLETED


@pytest.mark.parametrize("keep", ["target", "source"])
def test_a_procedure_both_hold_ends_with_one_record_and_its_old_address_follows(
    tenant_db, backan_content, keep
):
    """Both provinces publish the national procedure 1.000656 (death registration): the operator
    keeps one record; the other stays, withdrawn, and the old host's address of the procedure
    leads to the one kept."""
    from tenants.merging import merge_resolve
    from tests.factories.catalog import procedure_published

    records = {}
    for slug in ("backan", "thainguyen"):
        with schema_context(tenant_db[slug].schema_name):
            site = ComponentSite.objects.select_related("agency").order_by("pk").first()
            records[slug] = procedure_published(
                Staff(site.agency), code="1.000656", title=f"Đăng ký khai tử ({slug})"
            )
    job = _plan(tenant_db)
    assert [c["code"] for c in job.plan["procedure_conflicts"]] == ["1.000656"]
    assert job.plan["problems"]
    job = merge_resolve(job=job, procedures={"1.000656": keep})
    assert job.plan["problems"] == []
    job = merge_run(job=job)
    assert job.status == MergeJob.Status.COMPLETED, job.error
    with schema_context(tenant_db["thainguyen"].schema_name):
        holder = Item.objects.get(kind="procedure", code="1.000656")
        assert holder.current_revision.title == (
            "Đăng ký khai tử (thainguyen)" if keep == "target" else "Đăng ký khai tử (backan)"
        )
        withdrawn = Item.objects.get(
            kind="procedure", code="", current_revision__title__startswith="Đăng ký khai tử"
        )
        assert withdrawn.status == Item.Status.WITHDRAWN
        assert withdrawn.withdrawal_reason
    # The province's catalogue (its portal) lists the procedure by code, whichever record kept it.
    for path in ("/thu-tuc/1.000656/", f"/bai-viet/{records['backan'].slug}/"):
        response = host_client("backan.localhost").get(path)
        assert response.status_code == 301, path
        assert response["Location"] == "http://thainguyen.localhost/thu-tuc/1.000656/"
    page = host_client("thainguyen.localhost").get("/thu-tuc/1.000656/")
    assert page.status_code == 200
    assert holder.current_revision.title in page.content.decode()


def test_cancelling_after_a_topic_joined_keeps_the_targets_own_topic(tenant_db, backan_content):
    """Undoing a merge deletes what it copied, never the target's own rows a source row joined:
    Thái Nguyên's "Đất đai", which Bắc Kạn's topic joined, and its questions stay."""
    thainguyen = tenant_db["thainguyen"]
    with schema_context(thainguyen.schema_name):
        agency = Agency.objects.filter(site__isnull=False).order_by("-pk").first()
        land = Topic.objects.create(name="Đất đai", slug="dat-dai-tn", agency=agency)
        own = submitted(land)
    job = _plan(tenant_db)

    def fail_at_records(stage: str, done: int, total: int) -> None:
        if stage == "records":
            raise RuntimeError("the machine stopped")

    with pytest.raises(MergeError):
        merge_run(job=job, progress=fail_at_records)
    job.refresh_from_db()
    assert job.stages["questions"]["status"] == "done"
    job = merge_cancel(job=job)
    assert job.status == MergeJob.Status.CANCELLED
    with schema_context(thainguyen.schema_name):
        assert Topic.objects.filter(pk=land.pk).exists()
        assert Question.objects.filter(pk=own.pk).exists()
        assert not Question.objects.filter(
            tracking_code=backan_content["question"].tracking_code
        ).exists()


def test_planning_again_after_rows_moved_keeps_the_plan_they_moved_under(tenant_db, backan_content):
    """The command plans before it runs: once rows have moved, planning the same merge again
    must not rename anything anew (the moved agencies and sites now take those names in the
    target), and the same answers again change nothing; the rerun completes."""
    from tenants.merging import merge_resolve

    job = _plan(tenant_db)

    def fail_at_records(stage: str, done: int, total: int) -> None:
        if stage == "records":
            raise RuntimeError("the machine stopped")

    with pytest.raises(MergeError):
        merge_run(job=job, progress=fail_at_records)
    job.refresh_from_db()
    before = job.plan
    again = _plan(tenant_db)
    assert again.pk == job.pk
    assert again.plan == before
    assert merge_resolve(job=again, procedures={}, roles={}).plan == before
    with pytest.raises(MergeError) as moved_on:
        merge_resolve(job=again, roles={"site_editor": "updater"})
    assert moved_on.value.code == "already_copying"
    assert merge_run(job=again).status == MergeJob.Status.COMPLETED
