"""Operator API for rule profiles (platform host only): submit (JSON text or a multipart file,
201 with the diff), invalid profiles refused with each field path in the one error body,
four eyes (the author's approval 403, another operator's 200), a rejection needs its reason,
the export is the exact text; a province's key and a read-only key are refused."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEntry
from accounts.services import user_create_with_secret
from integrations.services import api_key_create
from provinces.loader import PROFILES_DIR, today_in_vietnam
from tenants.models import ProfileVersion
from tests.conftest import host_client
from tests.factories.api import error_of, post_json

PLATFORM = "platform.localhost"
BASE = "/api/v1/operator/profiles/"
SHIPPED = (Path(PROFILES_DIR) / "hagiang" / "2015-10-15.toml").read_text(encoding="utf-8")


def next_version(*, days: int = 40) -> str:
    """Hà Giang's profile as a new version effective `days` from today, its phone changed."""
    effective = today_in_vietnam() + timedelta(days=days)
    text = SHIPPED.replace("effective_from = 2015-10-15", f"effective_from = {effective}")
    return text.replace('phone = "0219 3 860 000"', 'phone = "0219 3 861 111"')


def _operator(username: str):
    issued = user_create_with_secret(username=username, full_name=f"Vận hành {username}")
    issued.user.must_change_password = False
    issued.user.save()
    return issued.user


def _api(user, scopes=("operator",)):
    key = api_key_create(user=user, name="profiles", scopes=list(scopes)).key
    return host_client(PLATFORM, HTTP_AUTHORIZATION=f"Api-Key {key}")


@pytest.fixture
def author(tenant_db):
    return _api(_operator("profile_api_author"))


@pytest.fixture
def reviewer(tenant_db):
    return _api(_operator("profile_api_reviewer"))


def _uploads():
    # The shipped profiles are stored as approved seeds; only uploads are the API's doing.
    return ProfileVersion.objects.filter(origin=ProfileVersion.Origin.UPLOAD)


def _submit(client, text: str | None = None) -> dict:
    response = post_json(client, BASE, {"text": text or next_version(), "past_reason": ""})
    assert response.status_code == 201, response.content
    return response.json()


def test_submit_answers_201_with_the_diff_and_lists_it_waiting(author):
    # when
    body = _submit(author)
    # then
    assert body["province"] == "hagiang"
    assert body["status"] == "submitted"
    assert body["author"] == "profile_api_author"
    change = next(entry for entry in body["diff"] if entry["path"] == "portal.phone")
    assert change["before"] == "0219 3 860 000"
    assert change["after"] == "0219 3 861 111"
    waiting = author.get(BASE, {"status": "submitted"}).json()["results"]
    assert [row["id"] for row in waiting] == [body["id"]]
    detail = author.get(f"{BASE}{body['id']}/").json()
    assert detail["text"] == next_version()
    assert detail["diff"] == body["diff"]


def test_submit_takes_a_multipart_toml_file(author):
    upload = SimpleUploadedFile("hagiang.toml", next_version().encode("utf-8"))
    response = author.post(BASE, {"file": upload})
    assert response.status_code == 201, response.content
    assert _uploads().get().text == next_version()


def test_a_non_toml_file_is_refused(author):
    upload = SimpleUploadedFile("hagiang.docx", b"PK\x03\x04 not a profile")
    error = error_of(author.post(BASE, {"file": upload}), 400)
    assert "file" in error["fields"]
    assert not _uploads().exists()


def test_an_invalid_profile_is_a_400_with_its_field_paths(author):
    text = next_version().replace('label_rule = "short_name"', 'label_rule = "sideways"')
    error = error_of(post_json(author, BASE, {"text": text}), 400)
    assert error["code"] == "profile_invalid"
    assert "domains.label_rule" in error["fields"]
    assert not _uploads().exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"text": ""},
        {"text": ["a = 1"]},
        {"text": "a = 1\n" + "#" * (256 * 1024)},
        {"text": "x = 1", "past_reason": "r" * 5000},
    ],
)
def test_bad_submissions_are_400_and_store_nothing(author, body):
    error_of(post_json(author, BASE, body), 400)
    assert not _uploads().exists()


def test_four_eyes_the_author_cannot_approve_another_operator_can(author, reviewer):
    version = _submit(author)
    url = f"{BASE}{version['id']}/approve/"
    # the author: refused
    refused = error_of(author.post(url), 403)
    assert refused["code"] == "own_submission"
    assert _uploads().get().status == ProfileVersion.Status.SUBMITTED
    # another operator: approved, audited
    response = reviewer.post(url)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    assert response.json()["reviewer"] == "profile_api_reviewer"
    assert response.json()["onboarding"] is None  # Hà Giang was on the platform already
    assert _uploads().get().status == ProfileVersion.Status.APPROVED
    assert AuditEntry.objects.filter(
        action="profile_approved", actor__username="profile_api_reviewer"
    ).exists()
    # approving again: it no longer waits
    assert error_of(reviewer.post(url), 409)["code"] == "not_submitted"


def test_a_rejection_needs_a_reason(author, reviewer):
    version = _submit(author)
    url = f"{BASE}{version['id']}/reject/"
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        error = error_of(post_json(reviewer, url, body), 400)
        assert "reason" in error["fields"]
    assert _uploads().get().status == ProfileVersion.Status.SUBMITTED
    response = post_json(reviewer, url, {"reason": "Số điện thoại chưa đúng"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected"
    assert response.json()["decision_reason"] == "Số điện thoại chưa đúng"


def test_export_is_the_exact_text(author):
    text = "# Hà Giang, bản sửa đổi\n" + next_version()
    version = _submit(author, text)
    response = author.get(f"{BASE}{version['id']}/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/toml")
    assert f"hagiang-{version['effective_from']}.toml" in response["Content-Disposition"]
    assert response.content.decode("utf-8") == text


@pytest.mark.parametrize(
    "path",
    [
        f"{BASE}0/",
        f"{BASE}99999999999999999999999/",
        f"{BASE}424242/export/",
    ],
)
def test_unknown_versions_are_404(author, path):
    error_of(author.get(path), 404)


def test_unknown_ids_cannot_be_approved(author):
    error_of(author.post(f"{BASE}424242/approve/"), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", BASE),
        ("post", BASE),
        ("get", f"{BASE}1/"),
        ("post", f"{BASE}1/approve/"),
        ("post", f"{BASE}1/reject/"),
        ("get", f"{BASE}1/export/"),
    ],
)
def test_only_operators_on_the_platform_host(tenant_db, in_province, method, path):
    anonymous = getattr(host_client(PLATFORM), method)(path)
    with in_province("hagiang"):
        staff = user_create_with_secret(username="hg_profile_staff").user
        staff.must_change_password = False
        staff.save()
        staff_key = api_key_create(user=staff, name="x", scopes=["read"]).key
    as_staff = getattr(host_client(PLATFORM, HTTP_AUTHORIZATION=f"Api-Key {staff_key}"), method)(
        path
    )
    on_province_host = getattr(host_client("hagiang.localhost"), method)(path)
    assert anonymous.status_code in (401, 403)
    assert as_staff.status_code in (401, 403)
    error_of(as_staff)
    assert on_province_host.status_code == 404


def test_an_operator_key_without_the_operator_scope_is_refused(tenant_db):
    client = _api(_operator("profile_api_reader"), scopes=("read",))
    assert client.get(BASE).status_code == 403
    assert post_json(client, BASE, {"text": next_version()}).status_code == 403
    assert not _uploads().exists()


def test_approving_a_new_province_returns_its_administrators_secret_once(author, reviewer):
    text = (
        next_version()
        .replace('slug = "hagiang"', 'slug = "tuyenquang"')
        .replace("hagiang.gov.vn", "tuyenquang.gov.vn")
        .replace('name = "Hà Giang"', 'name = "Tuyên Quang"')
    )
    version = _submit(author, text)
    assert [entry["after"] for entry in version["diff"]] == ["new province"]
    response = reviewer.post(f"{BASE}{version['id']}/approve/")
    assert response.status_code == 200, response.content
    onboarding = response.json()["onboarding"]
    assert onboarding["province"] == "tuyenquang"
    assert onboarding["admin_secret"]
    assert "admin_secret" not in reviewer.get(f"{BASE}{version['id']}/").json()
