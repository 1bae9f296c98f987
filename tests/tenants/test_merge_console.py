"""The operator console's province merges (/hop-nhat/ on the platform host): the dry run opens
the plan with every section; bad input is a 400 with nothing stored; the answers to procedures
both provinces hold are stored; the run is queued for a worker (an outbox row), refused while
the plan has problems and not queued twice; a planned job is cancelled; operators only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from organization.models import ComponentSite
from tenants.merge_display import plan_sections
from tenants.merging import MergeError, merge_run
from tenants.models import MergeJob, OutboxTask
from tests.conftest import Staff, host_client
from tests.factories.accounts import verified_login
from tests.factories.catalog import same_code_in_both
from tests.factories.pages import page_text

User = get_user_model()
PLATFORM = "platform.localhost"
PASSWORD = "Vận-hành-hợp-nhất-2026!"
PLAN = {"source": "backan", "target": "thainguyen", "effective_from": "2025-07-01"}
SECTION_TITLES = (
    "Hồ sơ quy chế áp dụng",
    "Số lượng theo loại",
    "Cơ quan",
    "Trang thành phần và tên miền",
    "Tài khoản (quy tắc trùng tên)",
    "Vai trò",
    "Lĩnh vực hỏi đáp",
    "Thủ tục trùng mã",
    "Vấn đề cần xử lý",
    "Lưu ý",
)


@pytest.fixture
def operator(tenant_db):
    user = User.objects.create_user(username="merge_operator", password=PASSWORD, is_staff=True)
    client = host_client(PLATFORM)
    verified_login(client, user)
    client.user = user
    return client


def planned(client) -> MergeJob:
    response = client.post("/hop-nhat/", PLAN)
    assert response.status_code == 302, page_text(response)
    job = MergeJob.objects.get()
    assert response["Location"] == f"/hop-nhat/{job.pk}/"
    return job


def merge_tasks():
    return OutboxTask.objects.filter(task="tenants.merge_run")


def test_the_dry_run_opens_the_plan_with_every_section(operator, tenant_db):
    # when an operator plans Bắc Kạn into Thái Nguyên from 1 July 2025
    job = planned(operator)
    # then the job is planned and nothing else
    assert job.status == MergeJob.Status.PLANNED
    assert (job.source.slug, job.target.slug) == ("backan", "thainguyen")
    tenant_db["backan"].refresh_from_db()
    assert tenant_db["backan"].merged_into is None
    # and its page shows every part of the plan, in words
    html = page_text(operator.get(f"/hop-nhat/{job.pk}/"))
    for title in SECTION_TITLES:
        assert title in html, title
    assert "Bắc Kạn vào Thái Nguyên" in html
    assert "Đã lập kế hoạch (chạy thử)" in html
    assert "Chạy hợp nhất" in html
    # the agencies of Bắc Kạn are named in the plan's table
    agencies = next(s for s in plan_sections(job.plan) if s.key == "agencies")
    assert agencies.rows
    assert agencies.rows[0][0] in html
    # and the list shows it, linked from the console's home
    listing = page_text(operator.get("/hop-nhat/"))
    assert f"/hop-nhat/{job.pk}/" in listing
    assert "/hop-nhat/" in page_text(operator.get("/"))


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({**PLAN, "target": "backan"}, "Tỉnh nhận phải khác tỉnh được hợp nhất."),
        ({**PLAN, "source": "khongco"}, "Không có tỉnh này trên nền tảng."),
        ({**PLAN, "source": "x" * 10_000}, "Không có tỉnh này trên nền tảng."),
        ({**PLAN, "effective_from": "2025-02-30"}, "Ngày không hợp lệ"),
        ({**PLAN, "effective_from": "ngày mai"}, "Ngày không hợp lệ"),
        ({**PLAN, "effective_from": "1800-01-01"}, "trong khoảng năm 2000 đến 2099"),
        ({"source": "backan"}, "Hãy chọn tỉnh nhận."),
    ],
)
def test_bad_input_is_a_400_and_stores_nothing(operator, form, message):
    response = operator.post("/hop-nhat/", form)
    assert response.status_code == 400
    assert message in page_text(response)
    assert not MergeJob.objects.exists()


def test_answers_to_the_procedure_conflicts_are_stored(operator, in_province):
    # given: one national code in both provinces, unanswered: a problem that blocks the run
    code = same_code_in_both(in_province)
    job = planned(operator)
    html = page_text(operator.get(f"/hop-nhat/{job.pk}/"))
    assert f"<code>{code}</code>" in html
    assert "Cấp phép Bắc Kạn" in html
    assert "Cấp phép Thái Nguyên" in html
    assert job.plan["problems"]
    # when the operator keeps Thái Nguyên's procedure
    response = operator.post(f"/hop-nhat/{job.pk}/thu-tuc/", {"p0": "target"})
    # then the answer is stored and the plan no longer lists the problem
    assert response.status_code == 302, page_text(response)
    job.refresh_from_db()
    assert job.resolutions["procedures"] == {code: "target"}
    assert job.plan["procedure_conflicts"][0]["resolution"] == "target"
    assert not any(code in problem for problem in job.plan["problems"])


def test_a_bad_answer_is_a_400_and_stores_nothing(operator, in_province):
    same_code_in_both(in_province)
    job = planned(operator)
    response = operator.post(f"/hop-nhat/{job.pk}/thu-tuc/", {"p0": "both"})
    assert response.status_code == 400
    assert "Lựa chọn không hợp lệ" in page_text(response)
    job.refresh_from_db()
    assert not job.resolutions.get("procedures")


def test_the_run_is_refused_while_the_plan_has_problems(operator, in_province, no_worker):
    same_code_in_both(in_province)
    job = planned(operator)
    html = page_text(operator.get(f"/hop-nhat/{job.pk}/"))
    assert "chưa chạy được" in html
    response = operator.post(f"/hop-nhat/{job.pk}/chay/")
    assert response.status_code == 409
    assert "còn vấn đề cần xử lý" in page_text(response)
    assert not merge_tasks().exists()


def test_the_run_is_queued_once_and_the_page_follows_it(operator, no_worker):
    job = planned(operator)
    # when the operator presses "Chạy hợp nhất"
    response = operator.post(f"/hop-nhat/{job.pk}/chay/")
    # then a run is queued for a worker, in the public schema, as the operator
    assert response.status_code == 302
    task = merge_tasks().get()
    assert task.args == [job.pk, operator.user.pk]
    assert task.schema_name == "public"
    # and the page says so and refreshes itself, without a script
    page = operator.get(f"/hop-nhat/{job.pk}/")
    html = page_text(page)
    assert "đang chờ đến lượt chạy" in html
    assert '<meta http-equiv="refresh" content="5">' in html
    assert "Sao lưu tỉnh được hợp nhất" in html  # the stages, none run yet
    # a second press queues nothing more
    again = operator.post(f"/hop-nhat/{job.pk}/chay/")
    assert again.status_code == 409
    assert merge_tasks().count() == 1


def test_a_planned_merge_is_cancelled(operator):
    job = planned(operator)
    response = operator.post(f"/hop-nhat/{job.pk}/huy/", follow=True)
    assert response.status_code == 200
    job.refresh_from_db()
    assert job.status == MergeJob.Status.CANCELLED
    html = page_text(response)
    assert "Đã huỷ" in html
    assert "Chạy hợp nhất</button>" not in html
    # a cancelled job is not run
    assert operator.post(f"/hop-nhat/{job.pk}/chay/").status_code == 409
    assert not merge_tasks().exists()


@pytest.mark.parametrize(
    "path", ["/hop-nhat/424242/", "/hop-nhat/0/", "/hop-nhat/99999999999999999999/"]
)
def test_unknown_jobs_are_404(operator, path):
    assert operator.get(path).status_code == 404


def test_only_operators(tenant_db, in_province):
    # anonymous: to the sign-in page
    anonymous = host_client(PLATFORM)
    assert anonymous.get("/hop-nhat/")["Location"].startswith("/login/")
    assert anonymous.post("/hop-nhat/", PLAN).status_code == 302
    # an account of the public schema without the operator flag: 403
    plain = User.objects.create_user(username="merge_not_operator", password=PASSWORD)
    client = host_client(PLATFORM)
    verified_login(client, plain)
    assert client.get("/hop-nhat/").status_code == 403
    assert client.post("/hop-nhat/", PLAN).status_code == 403
    # a province's staff: no such page on a province's host
    province_client = host_client("backan.localhost")
    with in_province("backan"):
        staff = User.objects.create_user(
            username="bk_merge_staff", password=PASSWORD, is_staff=True
        )
        verified_login(province_client, staff)
    assert province_client.get("/hop-nhat/").status_code == 404
    assert province_client.post("/hop-nhat/", PLAN).status_code == 404
    assert not MergeJob.objects.exists()


def test_a_run_to_its_end_shows_the_counts_before_and_after(operator, tenant_db):
    # given a plan without problems
    job = planned(operator)
    # when the run is pressed (the tests' tasks run at once, as a worker would)
    response = operator.post(f"/hop-nhat/{job.pk}/chay/")
    assert response.status_code == 302
    # then the job is completed, every stage done, and the page shows the counts with marks
    job.refresh_from_db()
    assert job.status == MergeJob.Status.COMPLETED, job.error
    assert merge_tasks().get().done_at is not None
    html = page_text(operator.get(f"/hop-nhat/{job.pk}/"))
    assert "Đã hợp nhất" in html
    assert "Số lượng trước và sau hợp nhất" in html
    assert "Đối chiếu số lượng" in html
    assert html.count("Xong") == len(job.stages)
    assert "Khớp" in html
    assert "Không khớp" not in html
    assert "http-equiv" not in html  # nothing runs any more
    assert "Chạy hợp nhất</button>" not in html
    assert f"/hop-nhat/{job.pk}/huy/" not in html


def test_a_failed_merge_says_where_and_is_resumed_or_cancelled(operator, no_worker):
    # given a run that fails inside the content stage
    job = planned(operator)
    calls = []

    def failing(stage, done, total):
        calls.append(stage)
        if calls.count("content") == 2:  # the stage's first step, inside its transaction
            raise RuntimeError("đĩa đầy")

    with pytest.raises(MergeError):
        merge_run(job=job, progress=failing)
    job.refresh_from_db()
    assert job.status == MergeJob.Status.FAILED
    # then its page says so, shows which stages are done, and offers to resume or cancel
    html = page_text(operator.get(f"/hop-nhat/{job.pk}/"))
    assert "Dừng do lỗi, có thể chạy tiếp" in html
    assert job.error in html
    assert '<th scope="row">Sao lưu tỉnh được hợp nhất</th>\n        <td>Xong</td>' in html
    assert '<th scope="row">Bài viết, trang và thủ tục</th>\n        <td>Lỗi</td>' in html
    assert '<th scope="row">Đối chiếu số lượng</th>\n        <td>Chưa chạy</td>' in html
    assert "Chạy tiếp hợp nhất" in html
    assert f"/hop-nhat/{job.pk}/huy/" in html
    assert "http-equiv" not in html
    # and pressing it queues the run again
    assert operator.post(f"/hop-nhat/{job.pk}/chay/").status_code == 302
    assert merge_tasks().get().args == [job.pk, operator.user.pk]


def test_a_csrf_token_is_required(tenant_db):
    user = User.objects.create_user(username="merge_csrf", password=PASSWORD, is_staff=True)
    client = host_client(PLATFORM, enforce_csrf_checks=True)
    verified_login(client, user)
    assert client.post("/hop-nhat/", PLAN).status_code == 403
    assert not MergeJob.objects.exists()


def test_the_list_reads_a_bounded_number_of_queries(operator, django_assert_max_num_queries):
    planned(operator)
    with django_assert_max_num_queries(15):
        response = operator.get("/hop-nhat/")
    assert response.status_code == 200


def test_a_role_named_otherwise_is_mapped_on_the_plan(operator, in_province):
    # given: a holder of Bắc Kạn's site_editor, a role Thái Nguyên's profile does not have
    with in_province("backan"):
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        Staff(site.agency).holding("site_editor")
    job = planned(operator)
    html = page_text(operator.get(f"/hop-nhat/{job.pk}/"))
    assert "Lưu vai trò" in html
    index = [r["code"] for r in job.plan["roles"] if r["holders"]].index("site_editor")
    # when the operator maps it to Thái Nguyên's updater (the roles' form alone)
    response = operator.post(f"/hop-nhat/{job.pk}/thu-tuc/", {f"r{index}": "updater"})
    # then the answer is stored and the plan carries its holder
    assert response.status_code == 302, page_text(response)
    job.refresh_from_db()
    assert job.resolutions["roles"] == {"site_editor": "updater"}
    (editor,) = [r for r in job.plan["roles"] if r["code"] == "site_editor"]
    assert editor["mapped"] == 1
    # a province-wide role is not offered, and refused when sent
    refused = operator.post(f"/hop-nhat/{job.pk}/thu-tuc/", {f"r{index}": "editor_in_chief"})
    assert refused.status_code == 400
    job.refresh_from_db()
    assert job.resolutions["roles"] == {"site_editor": "updater"}
