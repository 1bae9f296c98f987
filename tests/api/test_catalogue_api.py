"""The public-service catalogue through the API: citizens read the published procedures of the
host's site (searched without diacritics and with a typo), staff keys with the `catalogue` scope
enter drafts and new versions that only the workflow publishes, the `write` scope alone writes
no procedure, and bad input is a 4xx with nothing stored."""

from __future__ import annotations

import itertools
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from catalog.importing import MAX_FILE_BYTES
from editorial.models import Item, Kind
from editorial.services import item_create, item_unpublish
from integrations.models import ApiKey
from organization.models import Agency, ComponentSite
from tests.conftest import host_client
from tests.factories.accounts import administrator
from tests.factories.api import error_of, patch_json, post_json
from tests.factories.catalog import procedure_fields as complete_fields
from tests.factories.catalog import procedure_published
from tests.factories.integrations import api_key
from tests.factories.organization import Staff
from tests.factories.pages import signed_in

_codes = itertools.count(1)
_addresses = itertools.count(1)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


# Thái Nguyên's procedures here can be done online (profile levels level1..level4) and took
# effect on 15 January 2026.
ONLINE = {
    "methods": ["in_person", "online"],
    "online_level": "level4",
    "effective_on": "2026-01-15",
}


def procedure_fields(code: str, **overrides) -> dict:
    """The fields of a complete procedure (tests.factories.catalog) done online."""
    return complete_fields(code=code, **{**ONLINE, **overrides})


class Catalogue:
    """Thái Nguyên's catalogue through its API: the first component site (its agency's
    procedures) and the portal host, staff of that agency holding the component-site roles."""

    def __init__(self, province):
        self.province = province
        with self.inside():
            self.site = ComponentSite.objects.select_related("agency").order_by("pk").first()
            self.agency = self.site.agency
            self.other_agency = Agency.objects.exclude(pk=self.agency.pk).order_by("pk").first()
            self.staff = Staff(self.agency)
        self.portal_host = f"{province.slug}.localhost"

    def inside(self):
        return schema_context(self.province.schema_name)

    def key(self, role: str, *scopes: str) -> str:
        with self.inside():
            return api_key(self.staff.holding(role), scopes=scopes or ("read", "catalogue"))

    def client(self, key: str | None = None, *, portal: bool = False):
        headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}"} if key else {}
        host = self.portal_host if portal else self.site.dev_host
        return host_client(host, REMOTE_ADDR=f"198.51.100.{next(_addresses) % 250}", **headers)

    def procedure(self, title: str, *, on_portal=False, agency=None, form=False, **fields) -> Item:
        """A procedure published through the workflow (on the component site, or on the portal
        for `agency`), with a form attached when `form`; its search document pushed."""
        code = fields.pop("code", f"1.00{next(_codes):04d}")
        with self.inside():
            return procedure_published(
                self.staff,
                code=code,
                title=title,
                site=None if on_portal else self.site,
                agency=agency,
                forms={"to-khai.pdf": "Mẫu số 01"} if form else None,
                **{**ONLINE, **fields},
            )

    def items(self) -> int:
        with self.inside():
            return Item.objects.filter(kind=Kind.PROCEDURE).count()


@pytest.fixture
def tn(tenant_db):
    return Catalogue(tenant_db["thainguyen"])


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [entry["code"] for entry in response.json()["results"]]


# --- reading: list, filters, search, component sites ------------------------------------------


def test_the_portal_lists_the_provinces_procedures_and_a_site_its_agencys_by_name(
    tn, django_assert_max_num_queries
):
    # given: two procedures of the site's agency, one of another agency (on the portal), a draft
    permit = tn.procedure("Cấp giấy phép xây dựng", code="1.009994")
    land = tn.procedure(
        "Giao đất, cho thuê đất",
        code="1.003003",
        field="Đất đai",
        level="commune",
        online_level="",
    )
    other = tn.procedure("Thành lập doanh nghiệp", on_portal=True, agency=tn.other_agency)
    with tn.inside():
        item_create(
            actor=tn.staff.holding("updater"),
            kind=Kind.PROCEDURE,
            title="Bản nháp chưa đăng",
            site=tn.site,
            fields=procedure_fields("9.999999"),
        )

    # when / then: the portal lists the published three by name; the site its agency's two
    with django_assert_max_num_queries(6):
        portal = tn.client(portal=True).get("/api/v1/procedures/")
    assert codes(portal) == [permit.code, land.code, other.code]
    assert codes(tn.client().get("/api/v1/procedures/")) == [permit.code, land.code]

    # and an entry has labels next to its codes and the absolute public page
    entry = portal.json()["results"][1]
    assert entry == {
        "code": "1.003003",
        "name": "Giao đất, cho thuê đất",
        "field": "Đất đai",
        "agency": {"id": tn.agency.pk, "name": tn.agency.name},
        "level": {"code": "commune", "label": "Cấp xã"},
        "online_level": {"code": "", "label": "Không có dịch vụ công trực tuyến"},
        "effective_on": "2026-01-15",
        "url": f"http://{tn.portal_host}/thu-tuc/1.003003/",
        "updated": entry["updated"],
    }


def test_filters_narrow_the_list_and_a_bad_filter_is_a_400(tn):
    permit = tn.procedure("Cấp giấy phép xây dựng", online_level="level4")
    land = tn.procedure("Đăng ký đất đai", field="Đất đai", level="commune", online_level="")
    other = tn.procedure("Thành lập doanh nghiệp", on_portal=True, agency=tn.other_agency)
    portal = tn.client(portal=True)

    assert codes(portal.get("/api/v1/procedures/", {"field": "Đất đai"})) == [land.code]
    assert codes(portal.get("/api/v1/procedures/", {"level": "commune"})) == [land.code]
    assert codes(portal.get("/api/v1/procedures/", {"online": "none"})) == [land.code]
    assert permit.code in codes(portal.get("/api/v1/procedures/", {"online": "any_online"}))
    assert land.code not in codes(portal.get("/api/v1/procedures/", {"online": "level4"}))
    assert codes(portal.get("/api/v1/procedures/", {"agency": tn.other_agency.pk})) == [other.code]

    for params, field in [
        ({"level": "district"}, "level"),
        ({"online": "level9"}, "online"),
        ({"agency": "abc"}, "agency"),
        ({"agency": "0"}, "agency"),
        ({"q": "x" * 201}, "q"),
        ({"field": "a" * 201}, "field"),
        ({"status": "draft"}, "status"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ]:
        error = error_of(portal.get("/api/v1/procedures/", params), 400)
        assert field in error["fields"], (params, error)
    # a NUL byte in the query string is refused before any view: a 400, never a 500
    assert portal.get("/api/v1/procedures/", {"q": "xây\x00dựng"}).status_code == 400


def test_search_finds_a_procedure_without_diacritics_and_with_a_one_letter_typo(tn):
    # given: published procedures with their search documents
    permit = tn.procedure("Cấp giấy phép xây dựng")
    land = tn.procedure("Đăng ký đất đai lần đầu", field="Đất đai")
    portal = tn.client(portal=True)

    # when / then: the words without diacritics, with a typo, and another procedure's words
    assert codes(portal.get("/api/v1/procedures/", {"q": "cap giay phep xay dung"}))[0] == (
        permit.code
    )
    assert permit.code in codes(portal.get("/api/v1/procedures/", {"q": "giay phep xay dunh"}))
    assert codes(portal.get("/api/v1/procedures/", {"q": "dat dai"})) == [land.code]
    assert codes(portal.get("/api/v1/procedures/", {"q": "dat dai", "level": "commune"})) == []
    # words no procedure has, not even by a typo, and a control character: an empty list
    for nothing in ("zzqqxw kkjjvv", "\x80B"):
        response = portal.get("/api/v1/procedures/", {"q": nothing})
        assert response.status_code == 200
        assert codes(response) == []


# --- reading one procedure -------------------------------------------------------------------


def test_a_procedure_reads_in_full_with_labels_forms_the_national_portal_and_versions(
    tn, django_assert_max_num_queries
):
    item = tn.procedure("Cấp giấy phép xây dựng", code="1.009994", form=True)

    with django_assert_max_num_queries(7):
        response = tn.client().get("/api/v1/procedures/1.009994/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["code"] == "1.009994"
    assert body["name"] == "Cấp giấy phép xây dựng"
    assert body["agency"] == {"id": tn.agency.pk, "name": tn.agency.name}
    assert body["level"] == {"code": "province", "label": "Cấp tỉnh"}
    assert body["methods"] == [
        {"code": "in_person", "label": "Trực tiếp"},
        {"code": "online", "label": "Trực tuyến"},
    ]
    assert body["online_level"] == {"code": "level4", "label": "Mức độ 4"}
    assert body["processing_days"] == 15
    assert body["processing_unit"]["code"] == "working_days"
    assert body["fees"] == "Không"
    assert body["national_portal_url"].endswith("1.009994")
    assert body["steps"][1] == {
        "description": "Thẩm định hồ sơ, trình ký.",
        "responsible": "Phòng Quản lý xây dựng",
    }
    [form] = body["forms"]
    assert form["name"] == "to-khai.pdf"
    assert form["url"].startswith(f"http://{tn.site.dev_host}/tep/")
    assert body["dossier"][-1]["form_url"] == form["url"]
    assert body["versions"] == [{"revision": 1, "effective_on": "2026-01-15", "current": True}]
    assert body["url"] == f"http://{tn.site.dev_host}/thu-tuc/1.009994/"
    # the form downloads from the public address the answer gives
    download = tn.client().get(form["url"].removeprefix(f"http://{tn.site.dev_host}"))
    assert download.status_code == 200
    assert item.pk not in body.values()  # the public shape carries no item id


def test_a_site_lists_its_agencys_procedure_entered_on_the_portal_with_its_forms_there(tn):
    # given: a procedure of the site's agency entered and published on the portal, with a form
    item = tn.procedure("Cấp phép khai thác khoáng sản", on_portal=True, agency=tn.agency, form=1)

    # when: the component site's host reads it
    body = tn.client().get(f"/api/v1/procedures/{item.code}/").json()

    # then: its page is on this host, its form downloads from the portal's host
    assert body["url"] == f"http://{tn.site.dev_host}/thu-tuc/{item.code}/"
    [form] = body["forms"]
    assert form["url"].startswith(f"http://{tn.portal_host}/tep/")
    download = tn.client(portal=True).get(form["url"].removeprefix(f"http://{tn.portal_host}"))
    assert download.status_code == 200


def test_a_procedure_not_published_here_is_a_404_and_one_taken_down_a_410(tn):
    other = tn.procedure("Thành lập doanh nghiệp", on_portal=True, agency=tn.other_agency)
    gone = tn.procedure("Thủ tục đã bãi bỏ")
    with tn.inside():
        item_unpublish(item=gone, actor=tn.staff.holding("approver"), reason="Đã bị bãi bỏ")
    client = tn.client()

    assert error_of(client.get(f"/api/v1/procedures/{other.code}/"), 404)
    assert tn.client(portal=True).get(f"/api/v1/procedures/{other.code}/").status_code == 200
    assert error_of(client.get("/api/v1/procedures/9.999999/"), 404)
    for bad in ["x" * 61, "-abc", "%C3%A1", "a%20b"]:
        assert error_of(client.get(f"/api/v1/procedures/{bad}/"), 404), bad
    for nul in ["%00", "a%00b"]:  # refused before any view: never a 500
        assert client.get(f"/api/v1/procedures/{nul}/").status_code in (400, 404), nul
    assert error_of(client.get(f"/api/v1/procedures/{gone.code}/"), 410)["message"] == (
        "Đã bị bãi bỏ"
    )


def test_the_staff_view_gives_the_working_copy_state_deadline_and_item_id(
    tn, django_assert_max_num_queries
):
    item = tn.procedure("Cấp giấy phép xây dựng")
    path = f"/api/v1/procedures/{item.code}/?view=staff"

    assert error_of(tn.client().get(path), 401)
    client = tn.client(tn.key("updater", "read"))
    with django_assert_max_num_queries(12):
        response = client.get(path)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == item.pk
    assert body["status"] == {"code": "published", "label": "Đã đăng"}
    assert body["working_copy"]["name"] == "Cấp giấy phép xây dựng"
    assert (body["revision"], body["published_revision"]) == (1, 1)
    deadline = body["deadline"]
    assert deadline["content_type"] == "procedure_change"
    assert deadline["article"] == "QĐ 40/2012 Art. 10(3), 13(3)"
    assert deadline["due_at"] is not None
    # published on the day of writing, long after 2 working days from 15 January 2026
    assert deadline["late"] is True


# --- writing through the workflow -------------------------------------------------------------


def create_body(code: str, **overrides) -> dict:
    return {"name": "Cấp giấy phép xây dựng", "fields": procedure_fields(code), **overrides}


def test_a_catalogue_key_enters_a_draft_and_only_the_workflow_publishes_each_version(tn):
    # given: an updater and an approver of the site's agency with catalogue keys
    updater = tn.client(tn.key("updater"))
    approver = tn.client(tn.key("approver"))
    anonymous = tn.client()

    # when: the updater enters the procedure
    created = post_json(updater, "/api/v1/procedures/", create_body("2.002154"))

    # then: a draft of the site's agency, invisible to the public
    assert created.status_code == 201, created.content
    draft = created.json()
    assert (draft["status"]["code"], draft["site"], draft["code"]) == (
        "draft",
        tn.site.label,
        "2.002154",
    )
    assert draft["agency"]["id"] == tn.agency.pk
    assert draft["missing"] == {}
    assert error_of(anonymous.get("/api/v1/procedures/2.002154/"), 404)

    # when: it goes through the workflow (the items' transitions), updater then approver
    moves = f"/api/v1/items/{draft['id']}/transitions/"
    assert post_json(updater, moves, {"decision": "forward"}).status_code == 200
    assert error_of(anonymous.get("/api/v1/procedures/2.002154/"), 404)
    assert post_json(approver, moves, {"decision": "forward"}).status_code == 200

    # then: the public reads it
    assert anonymous.get("/api/v1/procedures/2.002154/").json()["fees"] == "Không"

    # when: a new version (new fees, new effective date) is entered
    changed = patch_json(
        updater,
        "/api/v1/procedures/2.002154/",
        {
            "fields": procedure_fields("2.002154", fees="500.000 đồng", effective_on="2026-03-01"),
            "comment": "Phí mới",
        },
    )

    # then: the working copy has it, the public still reads the approved version
    assert changed.status_code == 200, changed.content
    assert changed.json()["working_copy"]["fees"] == "500.000 đồng"
    assert changed.json()["published_revision"] == 1
    assert anonymous.get("/api/v1/procedures/2.002154/").json()["fees"] == "Không"

    # when: it is approved; then: the public reads it, with both versions
    assert post_json(updater, moves, {"decision": "forward"}).status_code == 200
    assert anonymous.get("/api/v1/procedures/2.002154/").json()["fees"] == "Không"
    assert post_json(approver, moves, {"decision": "forward"}).status_code == 200
    public = anonymous.get("/api/v1/procedures/2.002154/").json()
    assert public["fees"] == "500.000 đồng"
    assert [v["effective_on"] for v in public["versions"]] == ["2026-03-01", "2026-01-15"]


def test_an_incomplete_procedure_is_refused_at_publication_with_the_field(tn):
    updater = tn.client(tn.key("updater"))
    approver = tn.client(tn.key("approver"))
    created = post_json(
        updater,
        "/api/v1/procedures/",
        create_body("2.000001", fields=procedure_fields("2.000001", fees="")),
    )
    assert created.status_code == 201, created.content
    assert list(created.json()["missing"]) == ["fields.fees"]  # told before it is submitted
    moves = f"/api/v1/items/{created.json()['id']}/transitions/"
    post_json(updater, moves, {"decision": "forward"})

    error = error_of(post_json(approver, moves, {"decision": "forward"}), 409)

    assert error["code"] == "procedure_incomplete"
    assert "fields.fees" in error["fields"]
    assert error_of(tn.client().get("/api/v1/procedures/2.000001/"), 404)


# --- scopes ----------------------------------------------------------------------------------


def test_the_write_scope_alone_writes_no_procedure_and_the_catalogue_scope_only_procedures(tn):
    writer = tn.client(tn.key("updater", "read", "write"))
    reader = tn.client(tn.key("updater", "read"))
    cataloguer = tn.client(tn.key("updater", "read", "catalogue"))
    item = tn.procedure("Cấp giấy phép xây dựng")
    before = tn.items()

    # a write key: no procedure, by either endpoint
    assert error_of(post_json(writer, "/api/v1/procedures/", create_body("3.0001")), 403)
    procedure_as_item = {
        "kind": "procedure",
        "title": "Thủ tục",
        "fields": procedure_fields("3.0002"),
    }
    assert error_of(post_json(writer, "/api/v1/items/", procedure_as_item), 403)["code"] == (
        "scope_missing"
    )
    assert error_of(patch_json(writer, f"/api/v1/procedures/{item.code}/", {"name": "Khác"}), 403)
    assert error_of(patch_json(writer, f"/api/v1/items/{item.pk}/", {"title": "Khác"}), 403)
    moves = f"/api/v1/items/{item.pk}/transitions/"
    assert error_of(post_json(writer, moves, {"decision": "forward"}), 403)
    pdf = SimpleUploadedFile("mau.pdf", PDF, content_type="application/pdf")
    assert error_of(writer.post(f"/api/v1/items/{item.pk}/attachments/", {"file": pdf}), 403)
    # a read key: nothing
    assert error_of(post_json(reader, "/api/v1/procedures/", create_body("3.0003")), 403)
    assert tn.items() == before

    # a catalogue key: procedures by either endpoint, but no news
    assert post_json(cataloguer, "/api/v1/procedures/", create_body("3.0004")).status_code == 201
    assert post_json(cataloguer, "/api/v1/items/", procedure_as_item).status_code == 201
    news = {"kind": "news", "title": "Tin", "fields": {"event_at": "2026-11-24T09:00:00+07:00"}}
    assert error_of(post_json(cataloguer, "/api/v1/items/", news), 403)
    assert tn.items() == before + 2
    # and a write key still writes news
    assert post_json(writer, "/api/v1/items/", news).status_code == 201


def test_the_administrator_issues_a_catalogue_key_through_the_api(tn):
    with tn.inside():
        user = tn.staff.holding("updater")
        client = signed_in(tn.portal_host, administrator())

    issued = post_json(
        client, "/api/v1/api-keys/", {"user": user.username, "scopes": ["read", "catalogue"]}
    )

    assert issued.status_code == 201, issued.content
    assert issued.json()["scopes"] == ["catalogue", "read"]
    unknown = post_json(client, "/api/v1/api-keys/", {"user": user.username, "scopes": ["all"]})
    assert error_of(unknown, 400)


def test_the_key_page_offers_and_issues_the_catalogue_scope(tn):
    with tn.inside():
        user = tn.staff.holding("updater")
        page = signed_in(tn.portal_host, administrator())
        form = page.get("/staff/quan-tri/khoa-api/")
        assert "Ghi danh mục thủ tục hành chính" in form.content.decode()
        issued = page.post(
            "/staff/quan-tri/khoa-api/",
            {"user": user.pk, "name": "Một cửa", "scopes": ["catalogue"], "expires_in_days": "30"},
        )
        assert issued.status_code == 200, issued.content
        assert ApiKey.objects.get(user=user).scopes == ["catalogue"]


# --- bad input -------------------------------------------------------------------------------


def test_bad_procedures_are_4xx_with_the_field_and_nothing_is_stored(tn):
    updater = tn.client(tn.key("updater"))
    tn.procedure("Cấp giấy phép xây dựng", code="4.000001")
    before = tn.items()

    cases = [
        (create_body("4.1", name="x" * 501), 400, "name"),
        (create_body("4.2", fields="không phải đối tượng"), 400, "fields"),
        (create_body("4.3", fields=procedure_fields("mã có dấu")), 400, "fields.code"),
        (
            create_body("4.4", fields=procedure_fields("4.4", processing_days="mười")),
            400,
            "fields.processing_days",
        ),
        (create_body("4.5", fields=procedure_fields("4.5", level="district")), 400, "fields.level"),
        (
            create_body("4.6", fields=procedure_fields("4.6", steps=[{"x": 1}] * 51)),
            400,
            "fields.steps",
        ),
        (create_body("4.7", agency=2**40), 400, "agency"),
        (create_body("4.8", name="Tên\x00"), 400, "name"),
        (
            create_body("4.9", fields=procedure_fields("4.9", effective_on="0001-01-01")),
            400,
            "fields.effective_on",
        ),
        (
            create_body("4.10", fields=procedure_fields("4.10", issued_on="9999-12-31")),
            400,
            "fields.issued_on",
        ),
        (create_body("4.11", fields=procedure_fields("4.11", subjects="a\x00b")), 400, "fields"),
        (
            create_body("4.12", fields=procedure_fields("4.12", online_level="full")),
            400,
            "fields.online_level",
        ),
        (create_body("4.000001"), 409, "fields.code"),
    ]
    for body, status, field in cases:
        error = error_of(post_json(updater, "/api/v1/procedures/", body), status)
        assert any(path.startswith(field) for path in error["fields"]), (field, error)
    assert error_of(post_json(updater, "/api/v1/procedures/", "[" * 1000 + "]" * 1000), 400)
    assert error_of(post_json(updater, "/api/v1/procedures/", json.dumps({"name": 1})), 400)
    assert tn.items() == before

    # an update may change neither the code nor the agency, and must change something
    path = "/api/v1/procedures/4.000001/"
    assert "code" in error_of(patch_json(updater, path, {"code": "5.1"}), 400)["fields"]
    assert "agency" in error_of(patch_json(updater, path, {"agency": 1}), 400)["fields"]
    assert error_of(patch_json(updater, path, {"comment": "chỉ ghi chú"}), 400)
    renamed = patch_json(
        updater, path, {"fields": procedure_fields("4.000009"), "comment": "đổi mã"}
    )
    assert error_of(renamed, 400)["code"] == "code_immutable"
    assert error_of(patch_json(updater, "/api/v1/procedures/4.999999/", {"name": "Khác"}), 404)


# --- files: import and export ----------------------------------------------------------------


def test_export_gives_each_format_and_reimporting_it_changes_nothing(
    tn, django_capture_on_commit_callbacks
):
    tn.procedure("Cấp giấy phép xây dựng", code="6.000001")
    tn.procedure("Đăng ký đất đai", code="6.000002", field="Đất đai")
    client = tn.client(tn.key("portal_updater"))

    for format, content_type in [
        ("csv", "text/csv"),
        ("json", "application/json"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ]:
        exported = client.get("/api/v1/procedures/export/", {"format": format})
        assert exported.status_code == 200, exported.content
        assert exported["Content-Type"].startswith(content_type)
        assert "attachment" in exported["Content-Disposition"]
    assert error_of(client.get("/api/v1/procedures/export/", {"format": "pdf"}), 400)
    assert error_of(
        tn.client(tn.key("updater", "read", "write")).get("/api/v1/procedures/export/"), 403
    )
    assert error_of(tn.client().get("/api/v1/procedures/export/"), 401)

    # when: the exported CSV is imported again
    data = client.get("/api/v1/procedures/export/", {"format": "csv"}).content
    upload = SimpleUploadedFile("thu-tuc.csv", data, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):  # the task is queued on commit
        queued = client.post("/api/v1/procedures/imports/", {"file": upload})

    # then: the job ran (Celery runs eagerly in tests) and changed nothing
    assert queued.status_code == 202, queued.content
    job = client.get(f"/api/v1/procedures/imports/{queued.json()['id']}/").json()
    assert job["status"]["code"] == "done", job
    assert (job["created"], job["changed"], job["unchanged"]) == (0, 0, 2)
    assert job["problems"] == []


def test_an_import_with_a_bad_row_is_refused_with_its_line_and_stores_nothing(
    tn, django_capture_on_commit_callbacks
):
    client = tn.client(tn.key("portal_updater"))
    tn.procedure("Cấp giấy phép xây dựng", code="7.000001")
    exported = client.get("/api/v1/procedures/export/", {"format": "json"})
    assert exported.status_code == 200, exported.content
    rows = json.loads(exported.content)
    records = rows if isinstance(rows, list) else rows[next(iter(rows))]
    good = dict(records[0], code="7.000002")
    bad = dict(records[0], code="mã sai")
    payload = json.dumps(
        [good, bad] if isinstance(rows, list) else {**rows, next(iter(rows)): [good, bad]}
    )
    before = tn.items()

    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(
            "/api/v1/procedures/imports/",
            {
                "file": SimpleUploadedFile(
                    "thu-tuc.json", payload.encode(), content_type="application/json"
                )
            },
        )

    assert queued.status_code == 202, queued.content
    job = client.get(f"/api/v1/procedures/imports/{queued.json()['id']}/").json()
    assert job["status"]["code"] == "refused"
    assert [problem["line"] for problem in job["problems"]] == [2]
    assert tn.items() == before
    # another staff member's job is not theirs to read
    other = tn.client(tn.key("portal_updater"))
    assert error_of(other.get(f"/api/v1/procedures/imports/{queued.json()['id']}/"), 404)


def test_import_refusals_are_4xx(tn):
    client = tn.client(tn.key("portal_updater"))
    writer = tn.client(tn.key("portal_updater", "read", "write"))
    upload = SimpleUploadedFile("thu-tuc.csv", b"code\n1.1\n", content_type="text/csv")

    assert error_of(writer.post("/api/v1/procedures/imports/", {"file": upload}), 403)
    assert error_of(client.post("/api/v1/procedures/imports/", {}), 400)
    odd = SimpleUploadedFile("thu-tuc.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    assert error_of(client.post("/api/v1/procedures/imports/", {"file": odd}), 400)
    assert error_of(client.get("/api/v1/procedures/imports/999999/"), 404)
    big = SimpleUploadedFile("thu-tuc.csv", b"a" * (MAX_FILE_BYTES + 1), content_type="text/csv")
    assert error_of(client.post("/api/v1/procedures/imports/", {"file": big}), 413)
