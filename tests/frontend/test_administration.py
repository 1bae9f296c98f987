"""The province administrator's pages (/staff/quan-tri/), as the administrator uses them in a
browser: staff accounts named by the province's rule, a one-time secret shown once, roles given
and taken away, accounts locked, and the Hỏi – Đáp topics routed to agencies. Nobody else may
open them; every refusal is the form again with its message (400)."""

from __future__ import annotations

import logging
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from organization.models import Agency, Leader, RoleAssignment
from organization.services import leader_add
from qa.models import Topic
from tests.conftest import host_client
from tests.factories.accounts import administrator
from tests.factories.pages import options, page_text, signed_in

HOST = "thuathienhue.localhost"  # Thừa Thiên Huế's portal
ADMIN_PASSWORD = "Quản-trị-Huế-2025"
SECRET = re.compile(r'<code id="one-time-secret"[^>]*>([^<]+)</code>')


def _secret(response) -> str:
    match = SECRET.search(response.content.decode())
    assert match, "the page shows no one-time secret"
    return match.group(1)


class Hue:
    """Thừa Thiên Huế: its administrator (seeded at onboarding, password already changed),
    two agencies and a staff factory."""

    def __init__(self, site, staff):
        self.staff = staff
        self.agency = site.agency
        self.other = Agency.objects.exclude(pk=site.agency.pk).order_by("pk").first()
        self.admin = administrator(password=ADMIN_PASSWORD)

    def client(self, user=None, **kwargs):
        return signed_in(HOST, user or self.admin, **kwargs)


@pytest.fixture
def hue(province_schema):
    site, staff = province_schema("thuathienhue")
    return Hue(site, staff)


# --- staff accounts ---------------------------------------------------------------------------


def test_admin_creates_a_hue_staff_member_named_by_the_regulation(hue, caplog):
    caplog.set_level(logging.DEBUG)
    admin = hue.client()
    form = admin.get("/staff/quan-tri/can-bo/them/")
    assert form.status_code == 200
    assert "deputy_head" in options(page_text(form), "role")
    # when: no username given — Huế Art. 11 names the account from the full name
    response = admin.post(
        "/staff/quan-tri/can-bo/them/",
        {
            "full_name": "Nguyễn Văn An",
            "email": "nvan@thuathienhue.gov.vn",
            "username": "",
            "role": "deputy_head",
            "agency": hue.agency.pk,
        },
    )
    # then: the account, its role for the agency, and the secret on this one page
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = _secret(response)
    created = User.objects.get(username="nvan")
    assert created.full_name == "Nguyễn Văn An"
    assert created.must_change_password is True
    assert secret not in created.password  # only its hash is kept
    assert secret not in caplog.text  # nor logged
    assert list(created.role_assignments.values_list("role__code", "agency")) == [
        ("deputy_head", hue.agency.pk)
    ]
    # and never again: not on the list, not on the account's page
    listing = admin.get("/staff/quan-tri/can-bo/")
    account = admin.get(f"/staff/quan-tri/can-bo/{created.pk}/")
    for page in (listing, account):
        assert page.status_code == 200
        assert secret not in page.content.decode()
        assert 'id="one-time-secret"' not in page.content.decode()
    assert "nvan" in page_text(listing)
    assert hue.agency.name in page_text(listing)
    # the new staff member signs in with it and must change it first
    newcomer = host_client(HOST)
    login = newcomer.post("/staff/login/", {"username": "nvan", "password": secret})
    assert login.status_code == 302
    assert login["Location"] == "/staff/password/"
    assert newcomer.get("/staff/").headers["Location"] == "/staff/password/"


def test_an_agency_role_without_an_agency_is_refused_and_nothing_is_created(hue):
    response = hue.client().post(
        "/staff/quan-tri/can-bo/them/",
        {"full_name": "Trần Thị Bích", "role": "deputy_head", "agency": ""},
    )
    html = page_text(response)
    assert response.status_code == 400
    assert "hãy chọn cơ quan" in html
    assert 'aria-invalid="true"' in html
    assert 'id="one-time-secret"' not in html
    assert not User.objects.filter(full_name="Trần Thị Bích").exists()


def test_a_taken_username_is_refused_with_a_free_one_suggested(hue):
    User.objects.create(username="nvan")
    response = hue.client().post(
        "/staff/quan-tri/can-bo/them/",
        {"full_name": "Nguyễn Văn An", "role": "head", "agency": hue.agency.pk},
    )
    html = page_text(response)
    assert response.status_code == 400
    assert "'nvan' đã tồn tại" in html
    assert "'nvan2'" in html
    assert 'href="#id_username"' in html  # the error summary links to the field


def test_admin_resets_a_one_time_secret_the_old_password_stops_working(hue):
    member = hue.staff.holding("board_member")
    member.set_password("Mật-khẩu-cũ-2025")
    member.must_change_password = False
    member.save()
    # when
    response = hue.client().post(f"/staff/quan-tri/can-bo/{member.pk}/cap-lai-mat-khau/")
    # then
    assert response.status_code == 200
    secret = _secret(response)
    member.refresh_from_db()
    assert member.must_change_password is True
    assert member.check_password(secret)
    assert not member.check_password("Mật-khẩu-cũ-2025")


def test_admin_gives_and_removes_a_role(hue):
    member = hue.staff.holding("board_member")
    admin = hue.client()
    # when: a second role, for the other agency
    given = admin.post(
        f"/staff/quan-tri/can-bo/{member.pk}/vai-tro/",
        {"role": "deputy_head", "agency": hue.other.pk},
    )
    assert given.status_code == 302
    added = RoleAssignment.objects.get(user=member, role__code="deputy_head")
    assert added.agency == hue.other
    # the same again is refused on the form
    again = admin.post(
        f"/staff/quan-tri/can-bo/{member.pk}/vai-tro/",
        {"role": "deputy_head", "agency": hue.other.pk},
    )
    assert again.status_code == 400
    assert "đã giữ vai trò" in page_text(again)
    # when: removed
    removed = admin.post(f"/staff/quan-tri/can-bo/{member.pk}/vai-tro/{added.pk}/go/")
    # then
    assert removed.status_code == 302
    assert list(member.role_assignments.values_list("role__code", flat=True)) == ["board_member"]
    page = page_text(admin.get(f"/staff/quan-tri/can-bo/{member.pk}/"))
    assert "Đã gỡ vai trò." in page


def test_deactivating_yourself_is_refused(hue):
    response = hue.client().post(
        f"/staff/quan-tri/can-bo/{hue.admin.pk}/trang-thai/", {"active": "0"}
    )
    assert response.status_code == 400
    assert "không thể tự khoá" in page_text(response)
    hue.admin.refresh_from_db()
    assert hue.admin.is_active is True


def test_a_deactivated_account_can_no_longer_sign_in_until_reactivated(hue):
    member = hue.staff.holding("board_member")
    member.set_password("Mật-khẩu-2025")
    member.must_change_password = False
    member.save()
    session = hue.client(member)
    admin = hue.client()
    # when
    locked = admin.post(f"/staff/quan-tri/can-bo/{member.pk}/trang-thai/", {"active": "0"})
    # then: its open session ends and the password no longer opens one
    assert locked.status_code == 302
    assert session.get("/staff/").status_code == 302
    refused = host_client(HOST).post(
        "/staff/login/", {"username": member.username, "password": "Mật-khẩu-2025"}
    )
    assert refused.status_code == 200
    assert "không đúng" in page_text(refused)
    # reactivated
    admin.post(f"/staff/quan-tri/can-bo/{member.pk}/trang-thai/", {"active": "1"})
    member.refresh_from_db()
    assert member.is_active is True


def test_the_account_list_reads_in_a_fixed_number_of_queries(hue):
    admin = hue.client()
    hue.staff.holding("head")
    admin.get("/staff/quan-tri/can-bo/")  # warm the host caches
    with CaptureQueriesContext(connection) as few:
        assert admin.get("/staff/quan-tri/can-bo/").status_code == 200
    for role in ("board_member", "deputy_head", "it_officer", "agency_head"):
        hue.staff.holding(role, agency=hue.other)
    with CaptureQueriesContext(connection) as many:
        assert admin.get("/staff/quan-tri/can-bo/").status_code == 200
    assert len(many) == len(few)


def test_the_account_list_is_a_captioned_table(hue):
    html = page_text(hue.client().get("/staff/quan-tri/can-bo/"))
    assert "<caption>" in html
    assert '<th scope="col">' in html
    assert '<th scope="row">' in html


# --- who may open the pages -------------------------------------------------------------------


def _admin_urls(hue) -> list[str]:
    from frontend.urls_administration import urlpatterns

    member = hue.staff.holding("board_member")
    assignment = member.role_assignments.get()
    topic = Topic.objects.create(name="Thuế", slug="thue", agency=hue.agency)
    leader = leader_add(agency=hue.agency, name="Nguyễn Văn An", title="Giám đốc")
    values = {"pk": member.pk, "assignment_pk": assignment.pk, "leader_pk": leader.pk}
    urls = []
    for pattern in urlpatterns:
        kwargs = {key: values[key] for key in pattern.pattern.converters}
        if "topic" in pattern.name:
            kwargs = dict.fromkeys(kwargs, topic.pk)
        if "agency" in pattern.name or "leader" in pattern.name:
            kwargs["pk"] = hue.agency.pk
        urls.append(reverse(f"frontend:{pattern.name}", kwargs=kwargs))
    return urls


def test_a_staff_member_who_is_not_the_administrator_gets_403_on_every_admin_url(hue):
    head = hue.staff.holding("head")
    client = hue.client(head)
    urls = _admin_urls(hue)
    assert len(urls) == 24
    for url in urls:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"active": "0", "role": "head"}).status_code == 403, url
    # nothing changed
    assert User.objects.filter(is_active=False).count() == 0
    assert RoleAssignment.objects.filter(user__username__startswith="board_member").exists()
    assert Topic.objects.get(slug="thue").is_active is True
    assert Leader.objects.filter(agency=hue.agency).exists()


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_sign_in_page(hue):
    for url in _admin_urls(hue):
        response = host_client(HOST).get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/staff/login/"), url


def test_a_post_without_the_csrf_token_is_refused(hue):
    client = hue.client(enforce_csrf_checks=True)
    member = hue.staff.holding("board_member")
    response = client.post(f"/staff/quan-tri/can-bo/{member.pk}/trang-thai/", {"active": "0"})
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.is_active is True


# --- Hỏi – Đáp topics -------------------------------------------------------------------------


def test_a_topic_is_created_moved_to_another_agency_and_deactivated(hue):
    admin = hue.client()
    public = host_client(HOST)
    Topic.objects.create(name="Giáo dục", slug="giao-duc", agency=hue.other)
    # when: created
    created = admin.post(
        "/staff/quan-tri/linh-vuc/", {"name": "Đất đai", "agency": hue.agency.pk, "position": ""}
    )
    # then: it is offered on the citizens' submission form
    assert created.status_code == 302
    topic = Topic.objects.get(name="Đất đai")
    assert topic.agency == hue.agency
    assert topic.slug in options(page_text(public.get("/hoi-dap/gui/")), "topic")
    # when: routed to another agency
    moved = admin.post(
        f"/staff/quan-tri/linh-vuc/{topic.pk}/",
        {"name": "Đất đai", "agency": hue.other.pk, "position": topic.position, "is_active": "on"},
    )
    assert moved.status_code == 302
    topic.refresh_from_db()
    assert (topic.agency, topic.is_active) == (hue.other, True)
    # when: deactivated
    stopped = admin.post(f"/staff/quan-tri/linh-vuc/{topic.pk}/trang-thai/", {"active": "0"})
    # then: no longer offered, still listed for the administrator
    assert stopped.status_code == 302
    topic.refresh_from_db()
    assert topic.is_active is False
    assert options(page_text(public.get("/hoi-dap/gui/")), "topic") == ["", "giao-duc"]
    listing = page_text(admin.get("/staff/quan-tri/linh-vuc/"))
    assert "Đất đai" in listing
    assert "Ngừng sử dụng" in listing


def test_topics_are_listed_by_position(hue):
    admin = hue.client()
    admin.post("/staff/quan-tri/linh-vuc/", {"name": "Giáo dục", "agency": hue.agency.pk})
    admin.post("/staff/quan-tri/linh-vuc/", {"name": "Xây dựng", "agency": hue.agency.pk})
    # when: "Giáo dục" is moved down the list
    topic = Topic.objects.get(name="Giáo dục")
    admin.post(
        f"/staff/quan-tri/linh-vuc/{topic.pk}/",
        {"name": "Giáo dục", "agency": hue.agency.pk, "position": 99, "is_active": "on"},
    )
    # then
    html = page_text(admin.get("/staff/quan-tri/linh-vuc/"))
    table = html[html.index("<table") :]
    assert table.index("Xây dựng") < table.index("Giáo dục")
    assert [t.slug for t in Topic.objects.all()][-1] == "giao-duc"


def test_a_topic_with_a_name_already_used_is_refused_on_the_form(hue):
    admin = hue.client()
    admin.post("/staff/quan-tri/linh-vuc/", {"name": "Đất đai", "agency": hue.agency.pk})
    response = admin.post("/staff/quan-tri/linh-vuc/", {"name": "đất đai", "agency": hue.other.pk})
    assert response.status_code == 400
    assert "Đã có lĩnh vực 'Đất đai'" in page_text(response)
    assert Topic.objects.filter(name__iexact="đất đai").count() == 1


def test_a_topic_form_without_an_agency_is_refused(hue):
    response = hue.client().post("/staff/quan-tri/linh-vuc/", {"name": "Y tế", "agency": ""})
    assert response.status_code == 400
    assert "Hãy chọn cơ quan trả lời." in page_text(response)
    assert not Topic.objects.filter(name="Y tế").exists()


def test_every_administrative_change_is_in_the_audit_log_without_secrets(hue):
    from accounts.models import AuditEntry

    admin = hue.client()
    response = admin.post(
        "/staff/quan-tri/can-bo/them/",
        {
            "full_name": "Trần Thị Bình",
            "email": "",
            "username": "",
            "role": "deputy_head",
            "agency": hue.agency.pk,
        },
    )
    secret = _secret(response)
    entry = AuditEntry.objects.order_by("-pk").first()
    assert (entry.actor_name, entry.action) == (hue.admin.username, "staff_created")
    page = page_text(admin.get("/staff/quan-tri/nhat-ky/"))
    # the action in words, never its code
    assert "<td>Tạo tài khoản</td>" in page
    assert "staff_created" not in page
    assert secret not in page
    assert all(secret not in str(e.data) for e in AuditEntry.objects.all())
    head = hue.staff.holding("head")
    assert hue.client(head).get("/staff/quan-tri/nhat-ky/").status_code == 403
