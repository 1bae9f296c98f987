"""An agency's public contact and its leaders, as the administrator keeps them: every value is
checked (a refusal names the field and nothing is stored), each change is audited, and only the
administrator (or the server's command line) may make it."""

from __future__ import annotations

import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEntry, User
from organization.models import Agency, Leader
from organization.selectors import agency_contacts
from organization.services import (
    OrganizationError,
    agency_contacts_update,
    leader_add,
    leader_remove,
    leader_update,
)


@pytest.fixture
def thainguyen(province_schema):
    """Thái Nguyên: a department with a component site, its administrator, a staff factory."""
    site, staff = province_schema("thainguyen")
    return site.agency, User.objects.get(is_superuser=True), staff


# --- agency_contacts_update ---------------------------------------------------------------


def test_the_administrator_sets_an_agencys_contact_and_the_audit_names_what_changed(thainguyen):
    # given
    agency, admin, _staff = thainguyen
    # when
    updated = agency_contacts_update(
        agency=agency,
        acting_user=admin,
        address="Số 18 đường Nha Trang, TP Thái Nguyên",
        phone="(0208) 3855 123",
        email="sokhdt@thainguyen.gov.vn",
        website="https://sokhdt.thainguyen.gov.vn",
        english_name="Department of Planning and Investment",
    )
    # then
    stored = Agency.objects.get(pk=agency.pk)
    assert stored.phone == "(0208) 3855 123"
    assert stored.english_name == "Department of Planning and Investment"
    assert updated.website == "https://sokhdt.thainguyen.gov.vn"
    entry = AuditEntry.objects.get(action__startswith="contacts_updated")
    assert entry.actor == admin
    assert entry.target == agency.name
    assert set(entry.action.split(" ")[1].split(",")) == {
        "address",
        "phone",
        "email",
        "website",
        "english_name",
    }


def test_contact_text_is_stored_precomposed_and_trimmed(thainguyen):
    agency, admin, _staff = thainguyen
    decomposed = unicodedata.normalize("NFD", "  Phường Hoàng Văn Thụ ")
    agency_contacts_update(agency=agency, acting_user=admin, address=decomposed)
    assert Agency.objects.get(pk=agency.pk).address == "Phường Hoàng Văn Thụ"


def test_an_unchanged_contact_writes_no_audit_row(thainguyen):
    agency, admin, _staff = thainguyen
    agency_contacts_update(agency=agency, acting_user=admin, phone="0208 3855 123")
    # when: the same value is saved again
    agency_contacts_update(agency=agency, acting_user=admin, phone="0208 3855 123")
    # then
    assert AuditEntry.objects.filter(action__startswith="contacts_updated").count() == 1


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("email", "not-an-address", "email_invalid"),
        ("website", "javascript:alert(1)", "website_invalid"),
        ("website", "ftp://sokhdt.thainguyen.gov.vn", "website_invalid"),
        ("phone", "gọi cho tôi", "phone_invalid"),
        ("phone", "+-()", "phone_invalid"),
        ("address", "x" * 301, "address_too_long"),
        ("english_name", "Department\nof Planning", "english_name_invalid"),
        ("english_name", 42, "invalid"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field_and_nothing_is_stored(
    thainguyen, field, value, code
):
    # given
    agency, admin, _staff = thainguyen
    # when
    with pytest.raises(OrganizationError) as refused:
        agency_contacts_update(
            agency=agency, acting_user=admin, **{"website": "https://a.gov.vn", field: value}
        )
    # then
    assert refused.value.code == code
    assert refused.value.field == field
    assert Agency.objects.get(pk=agency.pk).website == ""
    assert not AuditEntry.objects.filter(action__startswith="contacts_updated").exists()


def test_a_field_that_is_no_contact_is_refused(thainguyen):
    agency, admin, _staff = thainguyen
    with pytest.raises(OrganizationError) as refused:
        agency_contacts_update(agency=agency, acting_user=admin, name="Tên khác")
    assert refused.value.code == "unknown_field"
    assert Agency.objects.get(pk=agency.pk).name == agency.name


def test_only_the_administrator_changes_an_agencys_contact(thainguyen):
    agency, _admin, staff = thainguyen
    head = staff.holding("agency_head")
    with pytest.raises(OrganizationError) as refused:
        agency_contacts_update(agency=agency, acting_user=head, phone="0208 3855 123")
    assert refused.value.code == "not_allowed"
    assert Agency.objects.get(pk=agency.pk).phone == ""


def test_the_command_line_may_set_a_contact_and_is_named_in_the_audit(thainguyen):
    agency, _admin, _staff = thainguyen
    agency_contacts_update(agency=agency, acting_user=None, email="sokhdt@thainguyen.gov.vn")
    entry = AuditEntry.objects.get(action__startswith="contacts_updated")
    assert entry.actor is None
    assert entry.data["via"] == "command"


# --- leaders ------------------------------------------------------------------------------


def test_leaders_are_added_in_order_and_audited(thainguyen):
    # given
    agency, admin, _staff = thainguyen
    # when
    director = leader_add(agency=agency, name="Nguyễn Văn An", title="Giám đốc", acting_user=admin)
    deputy = leader_add(
        agency=agency,
        name="Trần Thị Bình",
        title="Phó Giám đốc",
        phone="0912 345 678",
        email="binh@thainguyen.gov.vn",
        acting_user=admin,
    )
    # then
    assert [leader.name for leader in Leader.objects.filter(agency=agency)] == [
        "Nguyễn Văn An",
        "Trần Thị Bình",
    ]
    assert deputy.position == director.position + 1
    assert AuditEntry.objects.filter(action="leader_added", target=agency.name).count() == 2


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"name": "  ", "title": "Giám đốc"}, "name_required", "name"),
        ({"name": "Nguyễn Văn An", "title": ""}, "title_required", "title"),
        ({"name": "Nguyễn Văn An", "title": "x" * 201}, "title_too_long", "title"),
        (
            {"name": "Nguyễn Văn An", "title": "Giám đốc", "email": "an@"},
            "email_invalid",
            "email",
        ),
        (
            {"name": "Nguyễn Văn An", "title": "Giám đốc", "phone": "0912 abc"},
            "phone_invalid",
            "phone",
        ),
        (
            {"name": "Nguyễn Văn An", "title": "Giám đốc", "position": -1},
            "position_invalid",
            "position",
        ),
    ],
)
def test_a_leader_with_a_bad_value_is_refused_naming_the_field(thainguyen, fields, code, field):
    agency, admin, _staff = thainguyen
    with pytest.raises(OrganizationError) as refused:
        leader_add(agency=agency, acting_user=admin, **fields)
    assert (refused.value.code, refused.value.field) == (code, field)
    assert not Leader.objects.exists()


def test_a_leader_is_updated_hidden_and_removed(thainguyen):
    # given
    agency, admin, _staff = thainguyen
    leader = leader_add(agency=agency, name="Nguyễn Văn An", title="Giám đốc", acting_user=admin)
    # when: retitled and hidden
    leader_update(leader=leader, acting_user=admin, title="Phó Giám đốc", is_active=False)
    # then
    stored = Leader.objects.get(pk=leader.pk)
    assert (stored.title, stored.is_active) == ("Phó Giám đốc", False)
    assert AuditEntry.objects.filter(action="leader_updated title,is_active").exists()
    # when: removed, twice (a double click)
    assert leader_remove(leader=leader, acting_user=admin) is True
    assert leader_remove(leader=leader, acting_user=admin) is False
    # then
    assert not Leader.objects.filter(pk=leader.pk).exists()
    assert AuditEntry.objects.filter(action="leader_removed").count() == 1


def test_an_update_with_one_bad_value_stores_none_of_them(thainguyen):
    agency, admin, _staff = thainguyen
    leader = leader_add(agency=agency, name="Nguyễn Văn An", title="Giám đốc", acting_user=admin)
    with pytest.raises(OrganizationError) as refused:
        leader_update(leader=leader, acting_user=admin, title="Phó Giám đốc", email="sai")
    assert refused.value.field == "email"
    assert Leader.objects.get(pk=leader.pk).title == "Giám đốc"


def test_only_the_administrator_changes_the_leaders(thainguyen):
    agency, admin, staff = thainguyen
    leader = leader_add(agency=agency, name="Nguyễn Văn An", title="Giám đốc", acting_user=admin)
    head = staff.holding("agency_head")
    for attempt in (
        lambda: leader_add(agency=agency, name="Lê Văn C", title="Phó", acting_user=head),
        lambda: leader_update(leader=leader, acting_user=head, title="Phó"),
        lambda: leader_remove(leader=leader, acting_user=head),
    ):
        with pytest.raises(OrganizationError) as refused:
            attempt()
        assert refused.value.code == "not_allowed"
    assert list(Leader.objects.values_list("title", flat=True)) == ["Giám đốc"]


# --- the contacts selector ------------------------------------------------------------------


def test_the_contacts_read_costs_two_queries_and_leaves_hidden_leaders_out(thainguyen):
    # given: leaders at every agency, one of them hidden
    _agency, admin, _staff = thainguyen
    for agency in Agency.objects.all():
        leader_add(agency=agency, name="Nguyễn Văn An", title="Giám đốc", acting_user=admin)
        hidden = leader_add(agency=agency, name="Lê Văn Ẩn", title="Phó", acting_user=admin)
        leader_update(leader=hidden, acting_user=admin, is_active=False)
    # when
    with CaptureQueriesContext(connection) as queries:
        agencies = list(agency_contacts())
        names = {leader.name for agency in agencies for leader in agency.public_leaders}
        sites = [getattr(agency, "site", None) for agency in agencies]
    # then
    assert len(queries) == 2
    assert names == {"Nguyễn Văn An"}
    assert len(agencies) == Agency.objects.filter(is_active=True).count()
    assert any(site is not None for site in sites)
