"""The staff side of the public-service catalogue (issue 11): procedures entered and edited with
the item editor (every field labelled in Vietnamese: choices, tick boxes, rows of steps and
dossier components, the implementing agency), the publication refused with each missing part,
the staff list with its bounded filters, the import page with its progress, and the export."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from catalog.models import ImportJob
from core.profiles import current_profile
from editorial.models import Item, Kind, WorkflowState
from editorial.services import item_transition, item_update
from organization.models import Agency, Role
from tests.factories.catalog import procedure_entered
from tests.factories.editorial import item_author, run_to_the_end, workflow
from tests.factories.pages import page_text, signed_in

NEW = "/staff/items/new/?kind=procedure"
LIST = "/staff/thu-tuc/"
IMPORT = "/staff/thu-tuc/nhap/"


class Catalogue:
    """Thái Nguyên's portal: a holder of the first step of its workflow enters procedures."""

    def __init__(self, site, staff):
        self.site, self.staff = site, staff
        self.host = f"{site.dev_host.split('.', 1)[1]}"  # the portal: thainguyen.localhost
        self.author = item_author(staff, on_portal=True)
        self.agency = site.agency
        self.other_agency = Agency.objects.exclude(pk=self.agency.pk).order_by("pk").first()

    def client(self, user=None):
        return signed_in(self.host, user or self.author)

    def entered(self, code: str, title: str, **kwargs) -> Item:
        return procedure_entered(
            self.staff, code=code, title=title, agency=kwargs.pop("agency", self.agency), **kwargs
        )


@pytest.fixture
def desk(province_schema):
    site, staff = province_schema("thainguyen")
    return Catalogue(site, staff)


def _form_data(**overrides) -> dict:
    """What an author types on the new-procedure form: two steps, one dossier component."""
    return {
        "title": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "fields__code": "1.009994",
        "fields__field": "Hoạt động xây dựng",
        "fields__level": "province",
        "fields__methods": ["in_person", "online"],
        "fields__steps-0-description": "Nộp hồ sơ tại Trung tâm Phục vụ hành chính công",
        "fields__steps-0-responsible": "Bộ phận một cửa",
        "fields__steps-1-description": "Thẩm định hồ sơ, trình ký",
        "fields__steps-1-responsible": "Phòng Quản lý xây dựng",
        "fields__dossier-0-name": "Đơn đề nghị cấp giấy phép",
        "fields__dossier-0-originals": "1",
        "fields__dossier-0-copies": "0",
        "fields__dossier-0-form": "Mẫu số 01",
        "fields__dossier_sets": "1",
        "fields__processing_days": "0,5",
        "fields__processing_unit": "working_days",
        "fields__fees": "Không",
        "fields__online_level": "level3",
        "fields__effective_on": "2026-11-02",
        **overrides,
    }


def _select(html: str, name: str) -> str:
    match = re.search(rf'<select name="{re.escape(name)}".*?</select>', html, re.DOTALL)
    assert match, f"no <select name={name}>"
    return match.group(0)


# --- entering and editing a procedure -------------------------------------------------------


def test_the_new_procedure_form_labels_every_field_and_offers_the_profiles_levels(desk):
    html = page_text(desk.client().get(NEW))
    # the name and the implementing agency first, among the agencies the author acts for
    assert "Tên thủ tục" in html
    agencies = _select(html, "agency")
    assert f'value="{desk.agency.pk}"' in agencies
    assert "Tin nổi bật" not in html  # news-only fields are not asked of a procedure
    # choices in Vietnamese, never codes
    levels = _select(html, "fields__level")
    assert ">Cấp tỉnh<" in levels
    assert ">Cấp xã<" in levels
    online = _select(html, "fields__online_level")
    offered = re.findall(r'<option value="([^"]*)"', online)
    assert offered == ["", *[str(level) for level in current_profile().public_services.levels]]
    assert ">Không có dịch vụ công trực tuyến<" in online
    assert ">Mức độ 3<" in online
    assert ">ngày làm việc<" in _select(html, "fields__processing_unit")
    # methods as tick boxes; steps and dossier as rows of labelled inputs
    assert 'type="checkbox" name="fields__methods" value="post"' in html
    assert "Qua dịch vụ bưu chính" in html
    assert 'name="fields__steps-0-responsible"' in html
    assert "Đơn vị, người chịu trách nhiệm, dòng 1" in html
    assert "Tên thành phần hồ sơ, dòng 1" in html  # not a contact's "Họ và tên"
    assert "Họ và tên" not in html
    assert 'name="fields__dossier-2-copies"' in html  # the empty rows to add components
    assert 'type="date"' in html
    assert "Ngày có hiệu lực" in html


def test_a_procedure_is_created_through_the_form_with_its_rows_methods_and_agency(desk):
    # when
    response = desk.client().post(NEW, _form_data(agency=str(desk.other_agency.pk)))
    # then
    assert response.status_code == 302, page_text(response)[:3000]
    item = Item.objects.get(kind=Kind.PROCEDURE, code="1.009994")
    assert item.agency_id == desk.other_agency.pk
    assert item.site_id is None
    fields = item.current_revision.fields
    assert fields["methods"] == ["in_person", "online"]
    assert fields["steps"] == [
        {
            "description": "Nộp hồ sơ tại Trung tâm Phục vụ hành chính công",
            "responsible": "Bộ phận một cửa",
        },
        {"description": "Thẩm định hồ sơ, trình ký", "responsible": "Phòng Quản lý xây dựng"},
    ]
    assert fields["dossier"][0]["originals"] == 1
    assert fields["dossier"][0]["form"] == "Mẫu số 01"
    assert fields["processing_days"] == 0.5
    assert fields["online_level"] == "level3"
    assert fields["effective_on"] == "2026-11-02"


def test_an_agency_not_offered_is_refused_and_nothing_is_stored(desk):
    response = desk.client().post(NEW, _form_data(agency="999999999"))
    assert response.status_code == 400
    assert "Bạn không làm việc cho cơ quan này." in page_text(response)
    assert not Item.objects.filter(kind=Kind.PROCEDURE).exists()


def test_rows_are_removed_and_added_when_the_procedure_is_edited(desk):
    item = desk.entered("1.000001", "Đăng ký kết hôn")
    url = f"/staff/items/{item.pk}/"
    html = page_text(desk.client().get(url))
    assert 'value="Bộ phận tiếp nhận và trả kết quả"' in html  # the stored rows, shown as rows
    data = {
        "title": "Đăng ký kết hôn",
        "fields__code": "1.000001",
        "fields__field": "Hộ tịch",
        "fields__methods": ["in_person"],
        "fields__effective_on": "2026-03-01",
        # row 1 removed, row 2 kept, a blank row filled in
        "fields__steps-0-description": "Nộp hồ sơ tại Trung tâm Phục vụ hành chính công tỉnh.",
        "fields__steps-0-responsible": "Bộ phận tiếp nhận và trả kết quả",
        "fields__steps-0-remove": "1",
        "fields__steps-1-description": "Thẩm định hồ sơ, trình ký.",
        "fields__steps-1-responsible": "Phòng Quản lý xây dựng",
        "fields__steps-3-description": "Trả kết quả",
        "fields__steps-3-responsible": "Bộ phận một cửa",
        "fields__processing_days": "5",
        "fields__fees": "Không",
    }
    response = desk.client().post(url, data)
    assert response.status_code == 302, page_text(response)[:3000]
    item.refresh_from_db()
    steps = item.current_revision.fields["steps"]
    assert [step["description"] for step in steps] == ["Thẩm định hồ sơ, trình ký.", "Trả kết quả"]
    assert item.current_revision.fields["processing_days"] == 5


def test_refusals_are_shown_on_their_fields_in_vietnamese(desk):
    desk.entered("1.009994", "Thủ tục đã có")
    # a number that is not one, and a dossier row whose copies are not a number
    response = desk.client().post(
        NEW,
        _form_data(
            agency=str(desk.agency.pk),
            **{"fields__processing_days": "mười", "fields__dossier-0-copies": "hai"},
        ),
    )
    html = page_text(response)
    assert response.status_code == 400
    assert "Phải là một số, ví dụ 15 hoặc 0,5." in html
    assert "Dòng 1 – Bản sao: phải là một số." in html
    # the service's refusals: a code already used, a form file named without the form
    response = desk.client().post(
        NEW,
        _form_data(
            agency=str(desk.agency.pk),
            **{"fields__dossier-0-form": "", "fields__dossier-0-form_file": "mau.pdf"},
        ),
    )
    html = page_text(response)
    assert response.status_code in (400, 409)
    assert 'id="id_fields__code_error"' in html or 'id="id_fields__dossier_error"' in html
    assert Item.objects.filter(kind=Kind.PROCEDURE).count() == 1
    # a procedure with the same code: refused on the code
    response = desk.client().post(NEW, _form_data(agency=str(desk.agency.pk)))
    html = page_text(response)
    assert response.status_code in (400, 409)
    assert 'id="id_fields__code_error"' in html
    assert Item.objects.filter(kind=Kind.PROCEDURE).count() == 1
    # no implementing agency: refused on it (it is never changed after creation)
    response = desk.client().post(NEW, _form_data(**{"fields__code": "1.000001"}))
    assert response.status_code == 400
    assert 'id="id_agency_error"' in page_text(response)
    assert Item.objects.filter(kind=Kind.PROCEDURE).count() == 1


def test_the_item_page_says_which_dossier_forms_are_attached(desk):
    item = desk.entered("1.000002", "Cấp phép", forms={"mau-01.pdf": "Mẫu số 01"})
    fields = dict(item.current_revision.fields)
    fields["dossier"] = [
        *fields["dossier"],
        {"name": "Tờ khai bổ sung", "form": "Mẫu số 02", "form_file": "mau-02.pdf"},
    ]
    item_update(item=item, actor=desk.author, title="Cấp phép", fields=fields)
    html = page_text(desk.client().get(f"/staff/items/{item.pk}/"))
    assert "đã đính kèm “mau-01.pdf”" in html
    assert "chưa đính kèm tệp “mau-02.pdf”" in html


def test_the_item_page_lists_what_is_missing_before_publication_with_the_article(desk):
    complete = desk.entered("1.000004", "Thủ tục đủ")
    item = desk.entered("1.000005", "Thủ tục thiếu phí", fees="")
    html = page_text(desk.client().get(f"/staff/items/{item.pk}/"))
    assert "Còn thiếu trước khi công bố" in html
    assert "Chưa có “Phí, lệ phí”." in html
    assert "Quyết định số 40/2012/QĐ-UBND" in html  # Thái Nguyên's regulation, cited
    assert "Còn thiếu trước khi công bố" not in page_text(
        desk.client().get(f"/staff/items/{complete.pk}/")
    )


def _at_publish_step(item, staff) -> tuple[Item, object]:
    """Forward `item` until its run waits at the publish step: (item, a holder of that step)."""
    spec = workflow(on_portal=item.site_id is None)
    publish = next(i for i, step in enumerate(spec.steps) if step.action == "publish")
    while True:
        state = item.workflow_states.get(status=WorkflowState.Status.ACTIVE)
        if state.current_step == publish:
            return item, staff.holding(spec.steps[publish].role, agency=item.agency)
        holder = staff.holding(spec.steps[state.current_step].role, agency=item.agency)
        item = item_transition(item=item, actor=holder, decision="forward")


def test_publication_of_an_incomplete_procedure_shows_each_missing_part(desk):
    # given: no fees, and a form whose file is not attached (Thái Nguyên requires both)
    item = desk.entered("1.000003", "Thủ tục thiếu", fees="")
    fields = dict(item.current_revision.fields)
    fields["dossier"] = [{"name": "Tờ khai", "form": "Mẫu số 01", "form_file": "mau-01.pdf"}]
    item = item_update(item=item, actor=desk.author, title="Thủ tục thiếu", fields=fields)
    item = item_transition(item=item, actor=desk.author, decision="forward")
    item, publisher = _at_publish_step(item, desk.staff)
    # when
    response = signed_in(desk.host, publisher).post(
        f"/staff/items/{item.pk}/duyet/", {"decision": "forward", "forward-comment": ""}
    )
    # then
    html = page_text(response)
    assert response.status_code in (400, 409)
    assert "Chưa có “Phí, lệ phí”." in html
    assert "Chưa đính kèm tệp mẫu “Mẫu số 01”." in html
    assert "Thành phần hồ sơ" in html  # the part named, not its key
    assert "fields." not in html
    item.refresh_from_db()
    assert item.status == Item.Status.IN_WORKFLOW


# --- the staff list -------------------------------------------------------------------------


def test_the_list_shows_each_procedure_with_its_state_and_filters(desk):
    late = desk.entered(
        "1.000010", "Cấp giấy phép kinh doanh", effective_on="2026-01-05", field="Thương mại"
    )
    soon = (timezone.localdate() + timedelta(days=30)).isoformat()  # not yet in effect
    desk.entered(
        "1.000011",
        "Đăng ký khai sinh",
        field="Hộ tịch",
        agency=desk.other_agency,
        effective_on=soon,
    )
    published = desk.entered("2.000012", "Chứng thực bản sao", field="Chứng thực")
    published = item_transition(item=published, actor=desk.author, decision="forward")
    run_to_the_end(published, staff=desk.staff, agency=published.agency)
    client = desk.client()
    # every procedure, with its code, agency, effective date and state in Vietnamese
    html = page_text(client.get(LIST))
    for words in ("1.000010", "Cấp giấy phép kinh doanh", "Đăng ký khai sinh", "05/01/2026"):
        assert words in html
    assert "Bản nháp" in html
    assert "Đã công bố" in html
    assert "draft" not in re.sub(r'value="[^"]*"', "", html)
    # the late one's rule cited as staff read it (Thái Nguyên Art. 10(3), 13(3)), never "Art."
    assert "Điều 10 khoản 3, Điều 13 khoản 3 Quyết định số 40/2012/QĐ-UBND" in html
    assert "Art." not in html
    # by state, agency, field, words and lateness
    assert "Chứng thực bản sao" not in page_text(client.get(LIST, {"state": "draft"}))
    by_agency = page_text(client.get(LIST, {"agency": desk.other_agency.pk}))
    assert "Đăng ký khai sinh" in by_agency
    assert "Cấp giấy phép kinh doanh" not in by_agency
    by_field = page_text(client.get(LIST, {"field": "Thương mại"}))
    assert "Cấp giấy phép kinh doanh" in by_field
    assert "Đăng ký khai sinh" not in by_field
    assert "Đăng ký khai sinh" in page_text(client.get(LIST, {"q": "khai sinh"}))
    unaccented = page_text(client.get(LIST, {"q": "dang ky KHAI sinh"}))
    assert "Đăng ký khai sinh" in unaccented
    assert "Cấp giấy phép kinh doanh" not in unaccented
    assert "Cấp giấy phép kinh doanh" in page_text(client.get(LIST, {"q": "1.00001"}))
    assert "Chứng thực bản sao" not in page_text(client.get(LIST, {"q": "1.00001"}))
    lately = page_text(client.get(LIST, {"late": "1"}))
    if late.sla_due_at is not None:  # Thái Nguyên: 2 working days from taking effect
        assert "Cấp giấy phép kinh doanh" in lately
        assert "Quá hạn" in lately
        assert "Đăng ký khai sinh" not in lately


def test_a_published_procedures_new_version_is_listed_as_waiting_for_approval(desk):
    item = desk.entered("1.000015", "Chứng thực chữ ký")
    item = item_transition(item=item, actor=desk.author, decision="forward")
    item = run_to_the_end(item, staff=desk.staff, agency=item.agency)
    fields = {**item.current_revision.fields, "fees": "10.000 đồng"}
    item = item_update(item=item, actor=desk.author, title="Chứng thực chữ ký", fields=fields)
    client = desk.client()
    assert "có bản sửa chưa gửi duyệt" in page_text(client.get(LIST))
    assert "Chứng thực chữ ký" not in page_text(client.get(LIST, {"state": "in_workflow"}))
    # when the new version is sent for approval
    item_transition(item=item, actor=desk.author, decision="forward")
    # then: still published, and listed among those waiting
    waiting = page_text(client.get(LIST, {"state": "in_workflow"}))
    assert "Chứng thực chữ ký" in waiting
    assert "phiên bản mới đang chờ duyệt" in waiting
    assert "Chứng thực chữ ký" in page_text(client.get(LIST, {"state": "published"}))


def test_agency_staff_see_only_their_agencys_procedures(desk):
    desk.entered("1.000020", "Thủ tục của sở", agency=desk.agency)
    desk.entered("1.000021", "Thủ tục của sở khác", agency=desk.other_agency)
    role = Role.objects.filter(scope=Role.Scope.AGENCY).order_by("pk").first()
    member = desk.staff.holding(role.code, agency=desk.agency)
    html = page_text(signed_in(desk.host, member).get(LIST))
    assert "Thủ tục của sở" in html
    assert "Thủ tục của sở khác" not in html
    # an agency outside their scope is not a filter they can ask for
    response = signed_in(desk.host, member).get(LIST, {"agency": desk.other_agency.pk})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "0"},
        {"page": "99999"},
        {"state": "bogus"},
        {"late": "yes"},
        {"agency": "999999999"},
        {"agency": "x" * 30},
        {"field": "Không có lĩnh vực này"},
        {"q": "x" * 201},
        {"q": "a\x00b"},
    ],
)
def test_bad_filters_and_pages_are_refused_never_a_500(desk, params):
    desk.entered("1.000030", "Thủ tục")
    response = desk.client().get(LIST, params)
    assert response.status_code == 400


def test_the_list_reads_a_bounded_number_of_queries(desk, django_assert_max_num_queries):
    for number in range(12):
        desk.entered(f"3.{number:06d}", f"Thủ tục số {number}")
    client = desk.client()
    client.get(LIST)  # warm the session and the profile's caches
    # one more: the device that verified the session's second factor (ADR 0022)
    with django_assert_max_num_queries(13):
        response = client.get(LIST)
    assert response.status_code == 200
    assert page_text(response).count("Thủ tục số") == 12


def test_the_staff_navigation_links_the_catalogue(desk):
    html = page_text(desk.client().get(LIST))
    assert f'<a href="{LIST}" aria-current="page">Thủ tục hành chính</a>' in html


# --- import, progress and export -----------------------------------------------------------


def _exported(client, fmt: str):
    response = client.get(f"/staff/thu-tuc/xuat.{fmt}")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_exports_download_and_parse_back(desk):
    desk.entered("1.000040", "Cấp giấy phép xây dựng")
    client = desk.client()
    rows = list(csv.DictReader(io.StringIO(_exported(client, "csv").decode("utf-8-sig"))))
    assert [row["code"] for row in rows] == ["1.000040"]
    data = json.loads(_exported(client, "json"))
    assert "1.000040" in json.dumps(data, ensure_ascii=False)
    sheet = openpyxl.load_workbook(io.BytesIO(_exported(client, "xlsx")), read_only=True).active
    assert any("1.000040" in [str(c) for c in row] for row in sheet.iter_rows(values_only=True))
    assert client.get("/staff/thu-tuc/xuat.pdf").status_code == 404


def _csv_of(desk, *changes: dict) -> bytes:
    """A file in the import's own columns: the export's row of the one entered procedure, once
    per entry of `changes`, with those columns changed (a new code makes a new procedure)."""
    client = desk.client()
    rows = list(csv.DictReader(io.StringIO(_exported(client, "csv").decode("utf-8-sig"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    for change in changes:
        writer.writerow({**rows[0], **change})
    return out.getvalue().encode()


def test_the_import_page_imports_a_file_and_shows_the_result(
    desk, django_capture_on_commit_callbacks
):
    desk.entered("1.000050", "Thủ tục mẫu")
    data = _csv_of(desk, {"code": "1.000051", "name": "Thủ tục nhập từ tệp"})
    client = desk.client()
    assert "Nhập từ tệp" in page_text(client.get(LIST))
    # when: the file is uploaded (the worker runs eagerly in tests)
    upload = SimpleUploadedFile("danh-muc.csv", data, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT, {"file": upload})
    # then: the progress page, which ends with the counts
    assert response.status_code == 302
    job = ImportJob.objects.get(actor=desk.author)
    assert response["Location"] == f"/staff/thu-tuc/nhap/{job.pk}/"
    html = page_text(client.get(response["Location"]))
    assert job.original_name in html
    assert "1 thủ tục mới" in html
    assert "0 thủ tục được cập nhật" in html
    # the new procedure was sent into the portal's workflow: the page links the queue
    job.refresh_from_db()
    assert job.waiting == 1
    assert "1 thay đổi đang chờ duyệt" in html
    assert 'href="/staff/queue/?kind=procedure"' in html
    assert client.get("/staff/queue/?kind=procedure").status_code == 200
    assert Item.objects.filter(kind=Kind.PROCEDURE, code="1.000051").exists()
    assert 'http-equiv="refresh"' not in html  # finished: no more refreshing


def test_a_file_with_a_bad_row_is_refused_with_the_line_and_the_reason(
    desk, django_capture_on_commit_callbacks
):
    desk.entered("1.000060", "Thủ tục mẫu")
    data = _csv_of(
        desk,
        {"code": "1.000061", "name": "Thủ tục đúng"},
        {"code": "1.000062", "name": "Thủ tục sai", "effective_on": "ngày mai"},
    )
    client = desk.client()
    upload = SimpleUploadedFile("loi.csv", data, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(IMPORT, {"file": upload})
    html = page_text(client.get(response["Location"]))
    assert "Không nhập: tệp có 1 dòng lỗi" in html
    # the line where the bad row starts in the file (a cell may hold several lines)
    first_row_end = data.decode().index("1.000062")
    line = data.decode()[:first_row_end].count("\n") + 1
    assert f"Dòng {line}: Ngày có hiệu lực: Ngày không hợp lệ" in html
    assert not Item.objects.filter(code__in=["1.000061", "1.000062"]).exists()


def test_a_running_job_refreshes_itself_without_inline_script(desk):
    job = ImportJob.objects.create(
        actor=desk.author,
        original_name="lon.csv",
        format="csv",
        status=ImportJob.Status.RUNNING,
        total=200,
        done=50,
    )
    html = page_text(desk.client().get(f"/staff/thu-tuc/nhap/{job.pk}/"))
    assert '<progress id="import-bar" max="200" value="50">' in html
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert '<script src="/static/frontend/progress.js" defer></script>' in html
    assert 'data-refresh="2000"' in html
    assert not re.search(r"<script>(?!\s*</script>)", html)  # no inline script


def test_a_file_that_cannot_be_read_is_not_counted_as_bad_rows(desk):
    job = ImportJob.objects.create(
        actor=desk.author,
        original_name="hong.xlsx",
        format="xlsx",
        status=ImportJob.Status.REFUSED,
        problems=[{"line": 0, "field": "file", "reason": "Tệp Excel không mở được."}],
    )
    html = page_text(desk.client().get(f"/staff/thu-tuc/nhap/{job.pk}/"))
    assert "Không nhập: không đọc được tệp" in html
    assert "Tệp: Tệp Excel không mở được." in html
    assert "Dòng 0" not in html


def test_a_job_is_seen_only_by_its_owner_or_an_administrator(desk):
    job = ImportJob.objects.create(
        actor=desk.author, original_name="cua-toi.csv", format="csv", status="done"
    )
    url = f"/staff/thu-tuc/nhap/{job.pk}/"
    assert desk.client().get(url).status_code == 200
    someone = item_author(desk.staff, on_portal=True)
    assert signed_in(desk.host, someone).get(url).status_code == 404
    admin = User.objects.create(username="quantri_catalogue", is_superuser=True, is_staff=True)
    assert signed_in(desk.host, admin).get(url).status_code == 200
    assert desk.client().get("/staff/thu-tuc/nhap/999999999/").status_code == 404


def test_staff_who_do_not_enter_portal_items_get_a_403_page_that_says_why(desk):
    spec = workflow(on_portal=True)
    other_role = next(step.role for step in spec.steps if step.role != spec.steps[0].role)
    reader = desk.staff.holding(other_role, agency=desk.agency)
    client = signed_in(desk.host, reader)
    response = client.get(IMPORT)
    assert response.status_code == 403
    html = page_text(response)
    assert "Không có quyền nhập danh mục" in html
    assert spec.steps[0].name in html
    assert client.post(IMPORT, {}).status_code == 403
    assert "Nhập từ tệp" not in page_text(client.get(LIST))


def test_a_file_that_is_not_csv_json_or_xlsx_is_refused_on_the_form(desk):
    client = desk.client()
    upload = SimpleUploadedFile("danh-muc.pdf", b"%PDF-1.4", content_type="application/pdf")
    response = client.post(IMPORT, {"file": upload})
    assert response.status_code == 400
    assert "Chỉ nhận tệp .csv, .json hoặc .xlsx" in page_text(response)
    assert not ImportJob.objects.exists()


def test_an_empty_file_is_refused_by_the_service_with_its_message(desk):
    upload = SimpleUploadedFile("rong.csv", b"", content_type="text/csv")
    response = desk.client().post(IMPORT, {"file": upload})
    assert response.status_code == 400
    assert not ImportJob.objects.exists()
