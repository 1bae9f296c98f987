"""The audit as people read it (issue 13): the province administrator's log filtered by kind,
in pages, with the address of every security event; the operator console's page per province,
read from that province's schema, and the platform's own."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django_tenants.utils import schema_context

from accounts.models import AuditEntry, User
from accounts.services import audit_record
from tests.conftest import host_client
from tests.factories.accounts import administrator, verified_login
from tests.factories.pages import page_text, signed_in

HOST = "thuathienhue.localhost"
PLATFORM = "platform.localhost"
LOG = "/staff/quan-tri/nhat-ky/"


def _rows(response) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", response.content.decode(), re.DOTALL)
    return re.findall(r"<tr>(.*?)</tr>", body.group(1), re.DOTALL) if body else []


def _security_events(actor) -> None:
    audit_record(
        actor=actor,
        action="sign_in",
        target=actor.username,
        address="198.51.100.5",
        user_agent="Firefox",
    )
    audit_record(
        actor=None,
        actor_name="quantri",
        action="sign_in_blocked",
        target="quantri",
        address="203.0.113.66",
        blocked_by="account",
        minutes=15,
        via="web",
    )
    audit_record(
        actor=actor,
        action="session_expired",
        target=actor.username,
        address="198.51.100.5",
        reason="idle",
    )
    audit_record(
        actor=actor,
        action="otp_failed",
        target=actor.username,
        address="198.51.100.5",
        step="sign_in",
        reason="wrong_code",
    )


@pytest.fixture
def hue(in_province, tenant_db):
    with in_province("thuathienhue"):
        admin = administrator()
        _security_events(admin)
        audit_record(actor=admin, action="category_created", target="Tin tức Huế")
        audit_record(actor=admin, action="user_deactivated", target="nvan")
        audit_record(actor=admin, action="api_key_revoked", target="khoá cổng dịch vụ công")
        client = host_client(HOST)
        verified_login(client, admin, host=HOST)  # itself a sign-in in the audit
    return client


# --- the province administrator's log ---------------------------------------------------------


def test_the_log_shows_security_events_in_words_with_their_address(hue):
    response = hue.get(LOG)
    assert response.status_code == 200
    text = page_text(response)
    for words in (
        "Đăng nhập",
        "Tạm chặn đăng nhập do sai nhiều lần",
        "Phiên làm việc hết hạn",
        "Nhập sai mã xác thực hai lớp",
        "tài khoản bị nhập sai mật khẩu nhiều lần",
        "chặn 15 phút",
        "quá 30 phút không thao tác",
        "mã không đúng",
        "trình duyệt: Firefox",
    ):
        assert words in text, words
    assert "<code>198.51.100.5</code>" in text
    assert "<code>203.0.113.66</code>" in text
    # no stored code reaches the reader
    for code in ("sign_in_blocked", "blocked_by", "session_expired", "wrong_code", "via: web"):
        assert code not in text, code


@pytest.mark.parametrize(
    ("kind", "present", "absent"),
    [
        ("bao-mat", ["Phiên làm việc hết hạn"], ["Thêm chuyên mục", "Khoá tài khoản"]),
        ("tai-khoan", ["Khoá tài khoản"], ["Phiên làm việc hết hạn", "Thu hồi khoá API"]),
        ("khoa-api", ["Thu hồi khoá API"], ["Khoá tài khoản", "Đăng nhập không"]),
        ("khac", ["Thêm chuyên mục"], ["Phiên làm việc hết hạn", "Thu hồi khoá API"]),
        ("", ["Thêm chuyên mục", "Phiên làm việc hết hạn", "Thu hồi khoá API"], []),
    ],
)
def test_the_log_filters_by_kind(hue, kind, present, absent):
    response = hue.get(LOG, {"loai": kind})
    assert response.status_code == 200
    table = "".join(_rows(response))
    for words in present:
        assert words in table, words
    for words in absent:
        assert words not in table, words
    assert f'<option value="{kind}" selected>' in response.content.decode()


@pytest.mark.parametrize("kind", ["unknown", "x" * 5000, "bao-mat ", "BAO-MAT"])
def test_an_unknown_kind_is_a_400_with_the_choices(hue, kind):
    response = hue.get(LOG, {"loai": kind})
    assert response.status_code == 400
    assert "Loại nhật ký không hợp lệ" in page_text(response)
    assert '<select name="loai"' in response.content.decode()


def test_the_log_comes_in_pages_of_fifty(hue, in_province):
    with in_province("thuathienhue"):
        admin = User.objects.get(is_superuser=True)
        for index in range(120):
            audit_record(actor=admin, action="sign_in", target=f"n{index}", address="192.0.2.1")
        security_rows = AuditEntry.objects.filter(
            action__in=["sign_in", "sign_in_blocked", "session_expired", "otp_failed"]
        ).count()
    first = hue.get(LOG, {"loai": "bao-mat"})
    assert len(_rows(first)) == 50
    assert "n119" in first.content.decode()  # newest first
    assert "Trang 1 / 3" in page_text(first)
    assert "?loai=bao-mat&amp;trang=2" in first.content.decode()
    assert security_rows > 120
    last = hue.get(LOG, {"loai": "bao-mat", "trang": "3"})
    assert len(_rows(last)) == security_rows - 100
    for page in ("abc", "-1", "0", "9" * 5000, "99999", ""):
        response = hue.get(LOG, {"loai": "bao-mat", "trang": page})
        assert response.status_code == 200, page
        assert _rows(response), page


def test_times_are_shown_in_vietnam_time(hue, in_province):
    with in_province("thuathienhue"):
        entry = audit_record(actor=None, actor_name="x", action="sign_in", target="gio")
        AuditEntry.objects.filter(pk=entry.pk).update(
            created_at=dt.datetime(2026, 1, 1, 17, 30, tzinfo=dt.UTC)
        )
    text = page_text(hue.get(LOG, {"loai": "bao-mat"}))
    assert "00:30:00 02/01/2026" in text


def test_only_the_administrator_reads_the_log(in_province, tenant_db):
    with in_province("thuathienhue"):
        clerk = User.objects.create_user(username="clerk", password="x", is_staff=True)
        client = signed_in(HOST, clerk)
    assert client.get(LOG).status_code == 403
    anonymous = host_client(HOST).get(LOG)
    assert anonymous.status_code == 302


# --- the operator console -----------------------------------------------------------------------


@pytest.fixture
def operator(tenant_db):
    user = User.objects.create_user(username="vanhanh_nk", password="x", is_staff=True)
    client = host_client(PLATFORM)
    verified_login(client, user, host=PLATFORM)
    return client


def test_an_operator_reads_a_province_security_audit_from_its_schema(operator, in_province):
    with in_province("thuathienhue"):
        _security_events(User.objects.get(is_superuser=True))
        audit_record(actor=None, actor_name="quantri", action="category_created", target="Riêng")
    with in_province("hagiang"):
        audit_record(actor=None, actor_name="x", action="sign_in_failed", target="ha-giang-only")
    response = operator.get("/tinh/thuathienhue/nhat-ky/")
    assert response.status_code == 200
    text = page_text(response)
    assert "Nhật ký bảo mật – Thừa Thiên Huế" in text
    assert "Tạm chặn đăng nhập do sai nhiều lần" in text
    assert "<code>203.0.113.66</code>" in text
    # not another province's rows, and not the rows about content
    assert "ha-giang-only" not in text
    assert "Riêng" not in text
    # and the kind that holds content is not offered to operators
    refused = operator.get("/tinh/thuathienhue/nhat-ky/", {"loai": "khac"})
    assert refused.status_code == 400
    assert "Riêng" not in page_text(refused)


def test_the_console_lists_a_link_to_each_province_audit(operator):
    response = operator.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    for slug in ("thuathienhue", "hagiang", "backan", "dongnai", "thainguyen"):
        assert f'href="/tinh/{slug}/nhat-ky/"' in html
    assert 'href="/nhat-ky/"' in html


def test_an_unknown_province_is_a_404(operator):
    assert operator.get("/tinh/khongco/nhat-ky/").status_code == 404
    assert operator.get("/tinh/" + "a" * 300 + "/nhat-ky/").status_code == 404


def test_the_platform_audit_is_the_public_schema(operator, in_province):
    with schema_context("public"):
        audit_record(actor=None, actor_name="ops", action="sign_in_failed", target="tren-nen-tang")
    with in_province("hagiang"):
        audit_record(actor=None, actor_name="x", action="sign_in_failed", target="cua-tinh")
    text = page_text(operator.get("/nhat-ky/", {"loai": "bao-mat"}))
    assert "tren-nen-tang" in text
    assert "cua-tinh" not in text


def test_the_console_audit_is_for_operators_only(tenant_db):
    user = User.objects.create_user(username="not_staff", password="x", is_staff=False)
    client = host_client(PLATFORM)
    verified_login(client, user, host=PLATFORM)
    assert client.get("/tinh/hagiang/nhat-ky/").status_code == 403
    assert client.get("/nhat-ky/").status_code == 403
    anonymous = host_client(PLATFORM).get("/tinh/hagiang/nhat-ky/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")
