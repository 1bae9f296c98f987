"""Operator API for the compliance board (platform host only, ADR 0030): each province's last
snapshot, numbers only; nulls before the first count; 403 without the operator scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import user_create_with_secret
from integrations.services import api_key_create
from organization.models import Agency
from qa.services import topic_ensure
from reports.tasks import compliance_snapshot
from tests.conftest import host_client
from tests.factories.api import error_of
from tests.factories.qa import submitted

PLATFORM = "platform.localhost"
PATH = "/api/v1/operator/compliance/"


@pytest.fixture
def operator(tenant_db):
    issued = user_create_with_secret(username="compliance_operator", full_name="Vận hành")
    issued.user.must_change_password = False
    issued.user.save()
    return issued.user


@pytest.fixture
def api(operator):
    key = api_key_create(user=operator, name="compliance", scopes=["operator"]).key
    return host_client(PLATFORM, HTTP_AUTHORIZATION=f"Api-Key {key}")


def test_every_province_with_nulls_before_the_first_count(api, tenant_db):
    body = api.get(PATH).json()
    assert {row["province"] for row in body} == set(tenant_db)
    assert all(row["computed_at"] is None and row["counts"] is None for row in body)


def test_the_snapshots_numbers_and_never_a_citizens_data(
    api, tenant_db, in_province, django_assert_max_num_queries
):
    # given: a citizen's question long past its deadline in Thái Nguyên, then the count
    with in_province("thainguyen"):
        topic = topic_ensure(name="Đất đai", agency=Agency.objects.order_by("pk").first())
        submitted(
            topic,
            name="Đỗ Thị API",
            email="do.thi.api@example.vn",
            received_at=timezone.now() - timedelta(days=60),
        )
    compliance_snapshot.apply()
    # when
    with django_assert_max_num_queries(8):
        response = api.get(PATH)
    # then
    assert response.status_code == 200
    rows = {row["province"]: row for row in response.json()}
    thainguyen = rows["thainguyen"]
    assert thainguyen["computed_at"] is not None
    assert thainguyen["counts"]["qa_open_late"] >= 1
    assert thainguyen["late_total"] == sum(thainguyen["counts"].values())
    assert set(thainguyen["counts"]) == {
        "qa_open_late",
        "qa_answered_late",
        "updates_late",
        "quotas_unmet",
        "sections_missing",
        "backups_overdue",
        "verifications_overdue",
        "reports_overdue",
    }
    text = response.content.decode()
    assert "Đỗ Thị API" not in text
    assert "do.thi.api@example.vn" not in text


def test_only_operator_keys_on_the_platform_host(tenant_db, in_province, operator):
    # given: anonymous, a province's staff key, an operator key without the operator scope
    anonymous = host_client(PLATFORM).get(PATH)
    with in_province("hagiang"):
        staff = user_create_with_secret(username="hg_compliance_staff").user
        staff.must_change_password = False
        staff.save()
        staff_key = api_key_create(user=staff, name="x", scopes=["read", "write"]).key
    as_staff = host_client(PLATFORM, HTTP_AUTHORIZATION=f"Api-Key {staff_key}").get(PATH)
    read_key = api_key_create(user=operator, name="read only", scopes=["read"]).key
    read_only = host_client(PLATFORM, HTTP_AUTHORIZATION=f"Api-Key {read_key}").get(PATH)
    on_province_host = host_client("hagiang.localhost").get(PATH)
    # then
    assert anonymous.status_code in (401, 403)
    assert as_staff.status_code in (401, 403)
    error_of(as_staff)
    assert read_only.status_code == 403
    assert on_province_host.status_code == 404
