"""The operator console's rule profiles: an upload (file or pasted text) waits for a second
operator with its diff; an invalid one is a 400 listing each field path, nothing stored; the
author cannot approve their own (no button, a POST refused); another operator approves
(audited) or rejects with a reason; the export is the exact text; operators only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEntry, User
from provinces.loader import PROFILES_DIR, today_in_vietnam
from tenants.models import ProfileVersion, Province
from tests.conftest import host_client
from tests.factories.accounts import verified_login
from tests.factories.pages import page_text

PLATFORM = "platform.localhost"
PASSWORD = "Vận-hành-hồ-sơ-2026!"
SHIPPED = (Path(PROFILES_DIR) / "hagiang" / "2015-10-15.toml").read_text(encoding="utf-8")
OLD_PHONE = 'phone = "0219 3 860 000"'
NEW_PHONE = 'phone = "0219 3 861 111"'


def next_version(*, days: int = 40, phone: str = NEW_PHONE) -> str:
    """Hà Giang's profile as a new version effective `days` from today, its phone changed."""
    effective = today_in_vietnam() + timedelta(days=days)
    text = SHIPPED.replace("effective_from = 2015-10-15", f"effective_from = {effective}")
    return text.replace(OLD_PHONE, phone)


def operator_client(username: str):
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=True)
    client = host_client(PLATFORM)
    verified_login(client, user)
    return client


@pytest.fixture
def author(tenant_db):
    return operator_client("profile_author")


@pytest.fixture
def reviewer(tenant_db):
    return operator_client("profile_reviewer")


def _uploads():
    # The shipped profiles are stored as approved seeds; only uploads are this page's doing.
    return ProfileVersion.objects.filter(origin=ProfileVersion.Origin.UPLOAD)


def _submitted(client, text: str | None = None) -> ProfileVersion:
    response = client.post("/ho-so-quy-che/", {"text": text or next_version()})
    assert response.status_code == 302, page_text(response)
    return ProfileVersion.objects.get(status=ProfileVersion.Status.SUBMITTED)


def test_an_uploaded_file_waits_for_review_with_its_diff(author):
    # given: Hà Giang's profile with a new phone, effective in 40 days
    text = next_version()
    upload = SimpleUploadedFile("hagiang.toml", text.encode("utf-8"), "application/toml")
    # when
    response = author.post("/ho-so-quy-che/", {"file": upload, "past_reason": ""}, follow=True)
    # then: stored as submitted, its page shows the change field by field
    version = ProfileVersion.objects.get(status=ProfileVersion.Status.SUBMITTED)
    assert version.slug == "hagiang"
    assert version.text == text
    html = page_text(response)
    assert response.status_code == 200
    assert "Chờ duyệt" in html
    assert "<code>portal.phone</code>" in html
    assert "0219 3 860 000" in html
    assert "0219 3 861 111" in html
    assert "Duyệt phiên bản này" not in html  # the author's own
    assert "không thể tự duyệt" in html
    # and the list shows it waiting, marked as the viewer's own
    listing = page_text(author.get("/ho-so-quy-che/"))
    assert "Hà Giang" in listing
    assert "tải lên bởi bạn" in listing
    assert f"/ho-so-quy-che/{version.pk}/" in listing
    assert "/ho-so-quy-che/" in page_text(author.get("/"))  # linked from the console's home


def test_an_invalid_profile_is_a_400_listing_the_field_paths(author):
    text = next_version().replace('label_rule = "short_name"', 'label_rule = "sideways"')
    response = author.post("/ho-so-quy-che/", {"text": text})
    html = page_text(response)
    assert response.status_code == 400
    assert "<code>domains.label_rule</code>" in html
    assert "chưa có gì được lưu" in html
    assert not _uploads().exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("hagiang.pdf", b"%PDF-1.4 whatever", "đuôi .toml"),
        ("hagiang.toml", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "không phải văn bản TOML"),
        ("hagiang.toml", b"a = 1\n" + b"#" * (256 * 1024), "256 KiB"),
    ],
)
def test_a_file_that_is_not_a_toml_profile_is_refused(author, name, content, message):
    upload = SimpleUploadedFile(name, content, "application/octet-stream")
    response = author.post("/ho-so-quy-che/", {"file": upload})
    assert response.status_code == 400
    assert message in page_text(response)
    assert not _uploads().exists()


def test_nothing_given_or_not_toml_is_refused(author):
    empty = author.post("/ho-so-quy-che/", {"text": "   "})
    assert empty.status_code == 400
    assert "Hãy chọn tệp .toml hoặc dán nội dung" in page_text(empty)
    garbage = author.post("/ho-so-quy-che/", {"text": "đây không phải TOML"})
    assert garbage.status_code == 400
    assert "not valid TOML" in page_text(garbage)
    assert not _uploads().exists()


def test_a_past_effective_date_needs_a_reason(author):
    past = SHIPPED.replace(OLD_PHONE, NEW_PHONE).replace(
        "effective_from = 2015-10-15", f"effective_from = {today_in_vietnam() - timedelta(1)}"
    )
    refused = author.post("/ho-so-quy-che/", {"text": past})
    assert refused.status_code == 400
    assert "<code>past_reason</code>" in page_text(refused)
    assert not _uploads().exists()


def test_the_author_cannot_approve_their_own(author):
    version = _submitted(author)
    response = author.post(f"/ho-so-quy-che/{version.pk}/duyet/")
    assert response.status_code == 403
    assert "nguyên tắc bốn mắt" in page_text(response)
    version.refresh_from_db()
    assert version.status == ProfileVersion.Status.SUBMITTED


def test_another_operator_approves_and_it_is_audited(author, reviewer):
    version = _submitted(author)
    # the reviewer sees the approve and reject forms
    page = page_text(reviewer.get(f"/ho-so-quy-che/{version.pk}/"))
    assert "Duyệt phiên bản này" in page
    assert "Lý do từ chối" in page
    assert "tải lên bởi bạn" not in page
    # when
    response = reviewer.post(f"/ho-so-quy-che/{version.pk}/duyet/", follow=True)
    # then
    version.refresh_from_db()
    assert version.status == ProfileVersion.Status.APPROVED
    assert version.reviewer_name == "profile_reviewer"
    assert "Đã duyệt" in page_text(response)
    assert AuditEntry.objects.filter(
        action="profile_approved", actor__username="profile_reviewer"
    ).exists()
    # approving again is a conflict, said in words
    again = reviewer.post(f"/ho-so-quy-che/{version.pk}/duyet/")
    assert again.status_code == 409
    assert "không còn chờ duyệt" in page_text(again)
    # the province's history lists it
    history = page_text(reviewer.get("/ho-so-quy-che/tinh/hagiang/"))
    assert "Đã duyệt" in history
    assert "profile_reviewer" in history


def test_a_rejection_needs_a_reason(author, reviewer):
    version = _submitted(author)
    empty = reviewer.post(f"/ho-so-quy-che/{version.pk}/tu-choi/", {"reason": "  "})
    assert empty.status_code == 400
    assert "Hãy ghi lý do từ chối" in page_text(empty)
    version.refresh_from_db()
    assert version.status == ProfileVersion.Status.SUBMITTED
    # when: with a reason
    reviewer.post(f"/ho-so-quy-che/{version.pk}/tu-choi/", {"reason": "Số điện thoại chưa đúng"})
    # then
    version.refresh_from_db()
    assert version.status == ProfileVersion.Status.REJECTED
    assert version.decision_reason == "Số điện thoại chưa đúng"
    html = page_text(reviewer.get(f"/ho-so-quy-che/{version.pk}/"))
    assert "Bị từ chối" in html
    assert "Số điện thoại chưa đúng" in html


def test_the_export_downloads_the_exact_text(author):
    text = next_version()
    version = _submitted(author, text)
    response = author.get(f"/ho-so-quy-che/{version.pk}/tai-ve/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/toml")
    assert (
        f'filename="hagiang-{version.effective_from.isoformat()}.toml"'
        in response["Content-Disposition"]
    )
    assert response.content.decode("utf-8") == text


def test_the_text_is_shown_escaped(author):
    text = "# <script>alert(1)</script>\n" + next_version()
    version = _submitted(author, text)
    raw = author.get(f"/ho-so-quy-che/{version.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw


@pytest.mark.parametrize(
    "path",
    [
        "/ho-so-quy-che/0/",
        "/ho-so-quy-che/99999999999999999999999/",
        "/ho-so-quy-che/424242/tai-ve/",
        "/ho-so-quy-che/tinh/khongco/",
    ],
)
def test_unknown_versions_and_provinces_are_404(author, path):
    assert author.get(path).status_code == 404


def test_only_operators(tenant_db):
    # anonymous: to the sign-in page; a public account without operator rights: 403
    anonymous = host_client(PLATFORM).get("/ho-so-quy-che/")
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]
    plain = User.objects.create_user(username="not_operator", password=PASSWORD)
    client = host_client(PLATFORM)
    verified_login(client, plain)
    assert client.get("/ho-so-quy-che/").status_code == 403
    assert client.post("/ho-so-quy-che/", {"text": next_version()}).status_code == 403
    assert not _uploads().exists()
    # a province's host has no such page
    assert host_client("hagiang.localhost").get("/ho-so-quy-che/").status_code == 404


def test_the_list_reads_a_bounded_number_of_queries(
    author, reviewer, django_assert_max_num_queries
):
    # given: three waiting versions of Hà Giang, one approved
    versions = [_submitted_on(author, days) for days in (30, 60, 90)]
    reviewer.post(f"/ho-so-quy-che/{versions[0].pk}/duyet/")
    # then: the page's queries do not grow with the versions
    with django_assert_max_num_queries(10):
        response = author.get("/ho-so-quy-che/")
    html = page_text(response)
    assert response.status_code == 200
    assert html.count("tải lên bởi bạn") == 2
    assert "Đã duyệt" in html


def _submitted_on(client, days: int) -> ProfileVersion:
    response = client.post("/ho-so-quy-che/", {"text": next_version(days=days)})
    assert response.status_code == 302, page_text(response)
    return ProfileVersion.objects.get(pk=int(response["Location"].strip("/").split("/")[-1]))


def test_a_province_not_on_the_platform_yet_is_named_by_its_profile(author, reviewer):
    # given: a profile for a province outside the five (its first version)
    text = (
        next_version()
        .replace('slug = "hagiang"', 'slug = "tuyenquang"')
        .replace("hagiang.gov.vn", "tuyenquang.gov.vn")
        .replace('name = "Hà Giang"', 'name = "Tuyên Quang"')
    )
    # when
    version = _submitted(author, text)
    # then: its page says it is a new province, with no diff table
    html = page_text(author.get(f"/ho-so-quy-che/{version.pk}/"))
    assert "Hồ sơ quy chế của Tuyên Quang" in html
    assert "Tỉnh mới: chưa có phiên bản trước" in html
    assert "new province" not in html
    history = author.get("/ho-so-quy-che/tinh/tuyenquang/")
    assert history.status_code == 200
    assert "Lịch sử hồ sơ quy chế của Tuyên Quang" in page_text(history)
    # when: another operator approves, the province is onboarded and its administrator's
    # one-time secret shown to the approver, once
    approved = reviewer.post(f"/ho-so-quy-che/{version.pk}/duyet/")
    assert approved.status_code == 200
    html = page_text(approved)
    assert "Tuyên Quang đã được đưa lên nền tảng" in html
    assert Province.objects.filter(slug="tuyenquang").exists()
    secret = approved.context["onboarding"].admin_secret
    assert secret
    assert secret in html
    assert secret not in page_text(reviewer.get(f"/ho-so-quy-che/{version.pk}/"))
