"""`manage.py merge_provinces`: the dry run prints every part of the plan in Vietnamese and
changes nothing in either province; answers given with --procedure are stored; a refusal exits
with its reason; without --yes the run waits for a confirmation and does nothing without it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from psycopg import sql

from accounts.models import User
from organization.models import ComponentSite
from tenants.models import Domain, MergeJob, Province
from tests.conftest import Staff
from tests.factories.catalog import procedure_entered

DRY_RUN = ("--from", "backan", "--into", "thainguyen", "--effective", "2025-07-01", "--dry-run")
SECTION_TITLES = (
    "== Hồ sơ quy chế áp dụng ==",
    "== Số lượng theo loại ==",
    "== Cơ quan ==",
    "== Trang thành phần và tên miền ==",
    "== Tài khoản (quy tắc trùng tên) ==",
    "== Vai trò ==",
    "== Lĩnh vực hỏi đáp ==",
    "== Thủ tục trùng mã ==",
    "== Vấn đề cần xử lý ==",
    "== Lưu ý ==",
)


def row_counts(schema: str) -> dict[str, int]:
    """Every table of `schema` with its number of rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE' ORDER BY table_name",
            [schema],
        )
        tables = [name for (name,) in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(schema, table)))
            counts[table] = cursor.fetchone()[0]
    return counts


def same_code_in_both(in_province, code: str = "1.009999") -> str:
    """A procedure under national code `code` entered in Bắc Kạn and in Thái Nguyên."""
    for slug, title in (("backan", "Cấp phép Bắc Kạn"), ("thainguyen", "Cấp phép Thái Nguyên")):
        with in_province(slug):
            site = ComponentSite.objects.select_related("agency").order_by("pk").first()
            procedure_entered(Staff(site.agency), code=code, title=title)
    return code


def test_the_dry_run_prints_the_plan_and_changes_nothing(tenant_db, capsys):
    # given
    backan, thainguyen = tenant_db["backan"], tenant_db["thainguyen"]
    before = {p.slug: row_counts(p.schema_name) for p in (backan, thainguyen)}
    domains = list(Domain.objects.order_by("pk").values_list("domain", "tenant_id"))
    # when
    call_command("merge_provinces", *DRY_RUN)
    # then: every part of the plan, in Vietnamese
    out = capsys.readouterr().out
    assert "Kế hoạch hợp nhất Bắc Kạn (backan) vào Thái Nguyên (thainguyen) từ 01/07/2025" in out
    for title in SECTION_TITLES:
        assert title in out, title
    assert "Chạy thử: chưa có gì thay đổi." in out
    # and nothing changed in either province, nor in their hosts
    after = {p.slug: row_counts(p.schema_name) for p in (backan, thainguyen)}
    assert after == before
    assert list(Domain.objects.order_by("pk").values_list("domain", "tenant_id")) == domains
    assert Province.objects.get(slug="backan").merged_into is None
    # only the plan is kept, as a planned job
    job = MergeJob.objects.get()
    assert job.status == MergeJob.Status.PLANNED
    assert job.requested_name


def test_answers_given_on_the_command_line_are_stored(tenant_db, in_province, capsys):
    code = same_code_in_both(in_province)
    call_command("merge_provinces", *DRY_RUN, "--procedure", f"{code}=target")
    job = MergeJob.objects.get()
    assert job.resolutions["procedures"] == {code: "target"}
    out = capsys.readouterr().out
    assert code in out
    assert "Giữ thủ tục của tỉnh nhận" in out


def test_an_unanswered_conflict_is_a_problem_and_the_run_is_refused(tenant_db, in_province):
    same_code_in_both(in_province)
    with pytest.raises(CommandError, match="plan_problems"):
        call_command("merge_provinces", *DRY_RUN[:-1], "--yes")
    assert MergeJob.objects.get().status == MergeJob.Status.PLANNED


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--from", "backan", "--into", "backan", "--effective", "2025-07-01"), "same_province"),
        (("--from", "khongco", "--into", "thainguyen", "--effective", "2025-07-01"), "--from"),
        (("--from", "backan", "--into", "khongco", "--effective", "2025-07-01"), "--into"),
        (("--from", "backan", "--into", "thainguyen", "--effective", "01/07/2025"), "--effective"),
        ((*DRY_RUN, "--procedure", "1.0=both"), "--procedure"),
        ((*DRY_RUN, "--procedure", "=target"), "--procedure"),
        ((*DRY_RUN, "--operator", "khongai"), "--operator"),
        ((*DRY_RUN, "--role", "site_editor"), "--role"),
        ((*DRY_RUN, "--role", "site_editor="), "--role"),
    ],
)
def test_refusals_exit_with_their_reason_and_store_nothing(tenant_db, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("merge_provinces", *arguments)
    assert not MergeJob.objects.exists()


def test_an_account_that_is_not_an_operator_cannot_act(tenant_db):
    User.objects.create_user(username="merge_plain_user", password="Mật-khẩu-dài-2026!")
    with pytest.raises(CommandError, match="not an active operator"):
        call_command("merge_provinces", *DRY_RUN, "--operator", "merge_plain_user")
    assert not MergeJob.objects.exists()


def test_the_operator_named_is_recorded(tenant_db):
    User.objects.create_user(
        username="merge_cli_operator", password="Mật-khẩu-dài-2026!", is_staff=True
    )
    call_command("merge_provinces", *DRY_RUN, "--operator", "merge_cli_operator")
    assert MergeJob.objects.get().requested_name == "merge_cli_operator"


def test_without_yes_nothing_runs_unless_confirmed(tenant_db, monkeypatch, capsys):
    # given: the operator answers "no" to the question
    asked = []
    monkeypatch.setattr("builtins.input", lambda question: asked.append(question) or "no")
    before = row_counts(tenant_db["backan"].schema_name)
    # when
    with pytest.raises(CommandError, match="chưa được xác nhận"):
        call_command("merge_provinces", *DRY_RUN[:-1])
    # then: asked once, nothing ran
    assert len(asked) == 1
    assert "Hợp nhất Bắc Kạn vào Thái Nguyên từ 01/07/2025?" in asked[0]
    job = MergeJob.objects.get()
    assert job.status == MergeJob.Status.PLANNED
    assert not job.stages
    assert row_counts(tenant_db["backan"].schema_name) == before


def test_a_confirmed_run_prints_each_step_and_the_counts(tenant_db, capsys):
    # when the operator runs it without asking
    call_command("merge_provinces", *DRY_RUN[:-1], "--yes")
    # then the merge is done, each step printed, and the counts compared
    job = MergeJob.objects.get()
    assert job.status == MergeJob.Status.COMPLETED, job.error
    assert Province.objects.get(slug="backan").merged_into.slug == "thainguyen"
    out = capsys.readouterr().out
    assert "Đã hợp nhất: Bắc Kạn → Thái Nguyên" in out
    assert "== Số lượng trước và sau hợp nhất ==" in out
    assert "khớp" in out
    assert "KHÔNG KHỚP" not in out


def test_a_role_mapped_on_the_command_line_is_stored(tenant_db, in_province, capsys):
    with in_province("backan"):
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        Staff(site.agency).holding("site_editor")
    call_command("merge_provinces", *DRY_RUN, "--role", "site_editor=updater")
    job = MergeJob.objects.get()
    assert job.resolutions["roles"] == {"site_editor": "updater"}
    assert "Vai trò ở tỉnh nhận" in capsys.readouterr().out
    with pytest.raises(CommandError, match="invalid_role"):
        call_command("merge_provinces", *DRY_RUN, "--role", "site_editor=editor_in_chief")
