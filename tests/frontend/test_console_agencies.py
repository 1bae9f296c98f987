"""The operator console's agency changes: linked from the console home; choose a province, fill
rows, "Chạy thử" shows the plan (nothing changed) with a signed "Thực hiện" that applies exactly
those changes; a problem is a 400 naming the row, nothing stored; a tampered plan is refused;
operators only."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from organization.models import Agency
from tenants.models import HostRedirect
from tests.conftest import host_client
from tests.factories.accounts import verified_login
from tests.factories.pages import page_text

PLATFORM = "platform.localhost"
PAGE = "/sap-xep-co-quan/thainguyen/"
APPLY = "/sap-xep-co-quan/thainguyen/thuc-hien/"
SOURCE = "Sở Thông tin và Truyền thông"
TARGET = "Sở Kế hoạch và Đầu tư"


def _client(username: str, *, is_staff: bool = True):
    user = User.objects.create_user(
        username=username, password="Sắp-xếp-cơ-quan-2026!", is_staff=is_staff
    )
    client = host_client(PLATFORM)
    verified_login(client, user)
    return client


@pytest.fixture
def operator(tenant_db):
    return _client("agency_console_operator")


def _rows(*changes: dict, rows: int = 3) -> dict:
    data = {
        "dong-TOTAL_FORMS": str(rows),
        "dong-INITIAL_FORMS": "0",
        "dong-MIN_NUM_FORMS": "0",
        "dong-MAX_NUM_FORMS": "200",
    }
    for index, change in enumerate(changes):
        for key, value in change.items():
            data[f"dong-{index}-{key}"] = value
    return data


def _signed(html: str) -> str:
    match = re.search(r'name="ke_hoach" value="([^"]+)"', html)
    assert match, "no apply button"
    return unescape(match.group(1))


def _active(tenant_db) -> bool:
    with schema_context(tenant_db["thainguyen"].schema_name):
        return Agency.objects.get(name=SOURCE).is_active


def test_the_console_home_links_the_page_and_it_lists_the_provinces(operator):
    home = operator.get("/")
    assert 'href="/sap-xep-co-quan/"' in home.content.decode()
    page = operator.get("/sap-xep-co-quan/")
    assert page.status_code == 200
    assert f'href="{PAGE}"' in page.content.decode()


def test_the_form_offers_the_provinces_agencies_by_name(operator):
    response = operator.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{SOURCE}">{SOURCE}</option>' in html
    assert "Chạy thử" in page_text(response)


def test_a_dry_run_shows_the_plan_and_the_apply_does_it(operator, tenant_db):
    # when
    plan = operator.post(PAGE, _rows({"action": "merge", "agency": SOURCE, "target": TARGET}))
    # then
    assert plan.status_code == 200, page_text(plan)
    text = page_text(plan)
    assert "Kết quả chạy thử" in text
    assert "<code>sotttt.thainguyen.gov.vn</code> → <code>sokhdt.thainguyen.gov.vn</code>" in text
    assert _active(tenant_db)
    # when
    done = operator.post(APPLY, {"ke_hoach": _signed(plan.content.decode())})
    # then
    assert done.status_code == 200
    assert "Đã thực hiện" in page_text(done)
    assert not _active(tenant_db)
    assert HostRedirect.objects.get(host="sotttt.thainguyen.gov.vn").reason == "agency_merge"


def test_a_problem_names_its_row_and_offers_no_apply(operator, tenant_db):
    # when: the second row is empty, the third merges an agency into itself
    response = operator.post(
        PAGE,
        _rows(
            {"action": "rename", "agency": SOURCE, "name": "Sở Truyền thông"},
            {},
            {"action": "merge", "agency": TARGET, "target": TARGET},
        ),
    )
    # then
    assert response.status_code == 400
    text = page_text(response)
    assert "Dòng 3: Không thể hợp nhất một cơ quan vào chính nó." in text
    assert 'name="ke_hoach"' not in response.content.decode()
    with schema_context(tenant_db["thainguyen"].schema_name):
        assert Agency.objects.filter(name=SOURCE).exists()


def test_an_agency_not_offered_is_a_400(operator, tenant_db):
    response = operator.post(PAGE, _rows({"action": "merge", "agency": "Sở Ma", "target": TARGET}))
    assert response.status_code == 400
    assert _active(tenant_db)


def test_a_tampered_or_another_provinces_plan_is_refused(operator, tenant_db):
    # given
    plan = operator.post(PAGE, _rows({"action": "merge", "agency": SOURCE, "target": TARGET}))
    signed = _signed(plan.content.decode())
    # when / then
    assert operator.post(APPLY, {"ke_hoach": signed + "x"}).status_code == 400
    other = APPLY.replace("thainguyen", "hagiang")
    assert operator.post(other, {"ke_hoach": signed}).status_code == 400
    assert _active(tenant_db)


def test_the_apply_checks_again(operator, tenant_db):
    # given: a plan, then the target retired by someone else before the apply
    plan = operator.post(PAGE, _rows({"action": "merge", "agency": SOURCE, "target": TARGET}))
    signed = _signed(plan.content.decode())
    with schema_context(tenant_db["thainguyen"].schema_name):
        Agency.objects.filter(name=TARGET).update(is_active=False)
    # when
    response = operator.post(APPLY, {"ke_hoach": signed})
    # then
    assert response.status_code == 400
    assert "Cơ quan nhận đã ngừng hoạt động." in page_text(response)
    assert _active(tenant_db)


def test_only_operators(tenant_db):
    clerk = _client("agency_console_clerk", is_staff=False)
    assert clerk.get(PAGE).status_code == 403
    assert (
        clerk.post(PAGE, _rows({"action": "merge", "agency": SOURCE, "target": TARGET})).status_code
        == 403
    )
    assert clerk.post(APPLY, {"ke_hoach": "x"}).status_code == 403
    anonymous = host_client(PLATFORM)
    assert anonymous.get(PAGE).status_code == 302
    assert host_client(PLATFORM).get("/sap-xep-co-quan/khongco/").status_code in (302, 404)
    assert _active(tenant_db)


def test_an_unknown_province_is_a_404(operator):
    assert operator.get("/sap-xep-co-quan/khongco/").status_code == 404
