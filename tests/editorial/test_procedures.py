"""A procedure of the catalogue is an editorial item of kind `procedure` (ADR 0019): its national
code is unique and never changes, its online level is one the province's regulation uses, it is
published only with every part the profile requires (with the article), and each new version
owes its own update deadline from its effective date (Thái Nguyên Art. 10(3), 13(3))."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.profiles import current_calendar
from editorial.dashboard import WHOLE_PROVINCE, items_overdue, items_published_late
from editorial.models import Item, Kind
from editorial.search import item_entry
from editorial.services import (
    EditorialError,
    attachment_add,
    item_create,
    item_transition,
    item_update,
)
from organization.models import Agency
from provinces.calendar import TZ
from tests.factories.editorial import item_author, run_to_the_end

COMPLETE = {
    "field": "Hoạt động xây dựng",
    "level": "province",
    "methods": ["in_person", "online"],
    "steps": [
        {"description": "Nộp hồ sơ tại Trung tâm Phục vụ hành chính công",
         "responsible": "Bộ phận một cửa"},
        {"description": "Thẩm định hồ sơ", "responsible": "Phòng Quản lý xây dựng"},
    ],
    "dossier": [
        {"name": "Đơn đề nghị cấp giấy phép xây dựng", "originals": 1, "form": "Mẫu số 01",
         "form_file": "mau-01.pdf"},
        {"name": "Bản vẽ thiết kế", "copies": 2},
    ],
    "processing_days": 15,
    "processing_from": "kể từ ngày nhận đủ hồ sơ hợp lệ",
    "fees": "Lệ phí 150.000 đồng/giấy phép",
    "legal_basis": "Luật Xây dựng năm 2014\nNghị định 15/2021/NĐ-CP",
    "result": "Giấy phép xây dựng",
}  # fmt: skip
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def fields(code: str, effective_on: date, **overrides) -> dict:
    return {"code": code, "effective_on": effective_on.isoformat(), **COMPLETE, **overrides}


def create(staff, agency, code="1.009994", *, effective_on=None, title=None, **overrides) -> Item:
    return item_create(
        actor=item_author(staff, on_portal=True),
        kind=Kind.PROCEDURE,
        title=title or "Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt",
        fields=fields(code, effective_on or date(2026, 11, 2), **overrides),
        agency=agency,
    )


def attach_form(item: Item, staff) -> None:
    attachment_add(
        item=item,
        actor=item_author(staff, on_portal=True),
        uploaded=SimpleUploadedFile("mau-01.pdf", PDF, content_type="application/pdf"),
    )


def publish(item: Item, staff) -> Item:
    item = item_transition(item=item, actor=item_author(staff, on_portal=True), decision="forward")
    item = run_to_the_end(item, staff=staff)
    item.refresh_from_db()
    return item


@pytest.fixture
def thainguyen(province_schema):
    _site, staff = province_schema("thainguyen")
    return staff, Agency.objects.get(short_name="sokhdt")


def test_a_complete_procedure_goes_through_the_workflow_and_links_to_the_catalogue(thainguyen):
    staff, agency = thainguyen
    item = create(staff, agency)
    assert (item.code, item.agency, item.status) == ("1.009994", agency, Item.Status.DRAFT)
    attach_form(item, staff)
    item = publish(item, staff)
    assert item.status == Item.Status.PUBLISHED
    entry = item_entry(item)
    assert entry.url == "/thu-tuc/1.009994/"
    assert entry.kind == "procedure"
    assert "1.009994" in entry.text


def test_the_national_code_is_unique_and_never_changes(thainguyen):
    staff, agency = thainguyen
    item = create(staff, agency)
    with pytest.raises(EditorialError) as duplicate:
        create(staff, agency, title="Thủ tục khác")
    assert duplicate.value.code == "duplicate_code"
    assert "fields.code" in duplicate.value.fields
    with pytest.raises(EditorialError) as changed:
        item_update(
            item=item,
            actor=item_author(staff, on_portal=True),
            fields=fields("1.009995", date(2026, 11, 2)),
        )
    assert changed.value.code == "code_immutable"
    assert Item.objects.filter(kind=Kind.PROCEDURE).count() == 1


def test_the_online_level_must_be_one_the_regulation_uses(thainguyen, province_schema):
    staff, agency = thainguyen
    with pytest.raises(EditorialError) as refused:
        create(staff, agency, online_level="full")  # Thái Nguyên counts levels 1–4
    assert refused.value.code == "online_level_not_offered"
    assert "Mức độ 4" in str(refused.value.message)
    assert "40/2012/QĐ-UBND" in str(refused.value.message)
    assert create(staff, agency, online_level="level4").current_revision.fields["online_level"]


def test_a_procedure_missing_a_required_part_is_not_published(thainguyen):
    staff, agency = thainguyen
    item = create(staff, agency, fees="", dossier=COMPLETE["dossier"])  # no fees, form not attached
    with pytest.raises(EditorialError) as refused:
        publish(item, staff)
    error = refused.value
    assert error.code == "procedure_incomplete"
    assert set(error.fields) == {"fields.fees", "fields.dossier.0.form_file"}
    assert "40/2012/QĐ-UBND" in str(error.message)
    item.refresh_from_db()
    assert item.published_revision is None


def test_hue_requires_a_responsible_person_at_every_step(province_schema):
    _site, staff = province_schema("thuathienhue")
    agency = Agency.objects.order_by("pk").first()
    steps = [{"description": "Tiếp nhận hồ sơ", "responsible": ""}]
    item = item_create(
        actor=item_author(staff, on_portal=True),
        kind=Kind.PROCEDURE,
        title="Đăng ký khai sinh",
        fields=fields("1.001193", date(2026, 11, 2), steps=steps, dossier=[]),
        agency=agency,
    )
    with pytest.raises(EditorialError) as refused:
        publish(item, staff)
    assert "fields.steps.0.responsible" in refused.value.fields
    assert "2567/2007" in str(refused.value.message)


def _working_days_after(day: date, count: int) -> datetime:
    calendar = current_calendar()
    for _ in range(count):
        day = calendar.next_working_day(day)
    return datetime.combine(day, datetime.min.time(), tzinfo=TZ) + timedelta(hours=10)


def test_a_version_published_three_working_days_after_it_took_effect_is_late(thainguyen):
    """Thái Nguyên Art. 10(3), 13(3): within 2 working days of the effective date."""
    staff, agency = thainguyen
    effective = date(2026, 11, 2)  # a Monday
    item = create(staff, agency, effective_on=effective)
    assert item.sla_content_type == "procedure_change"
    assert item.sla_source == "QĐ 40/2012 Art. 10(3), 13(3)"
    attach_form(item, staff)
    item = publish(item, staff)
    # Published today (December 2026): weeks after the deadline of 4 November.
    assert item.sla_met_at > item.sla_due_at
    late = items_published_late(scope=WHOLE_PROVINCE, since=item.sla_due_at)
    assert item in late

    # A new version taking effect three working days before it is entered is owed at once.
    newer = effective + timedelta(days=28)
    editor = item_author(staff, on_portal=True)
    item = item_update(item=item, actor=editor, fields=fields("1.009994", newer))
    assert item.sla_met_at is None
    assert item.sla_anchor_at.date() == newer
    overdue = items_overdue(scope=WHOLE_PROVINCE, now=_working_days_after(newer, 3))
    assert item in overdue
    item = publish(item, staff)
    assert item.published_revision.fields["effective_on"] == newer.isoformat()
    assert item.sla_met_at is not None
    assert item.published_late


def test_a_correction_that_keeps_the_effective_date_keeps_the_deadline(thainguyen):
    staff, agency = thainguyen
    item = create(staff, agency, effective_on=timezone_today())
    attach_form(item, staff)
    item = publish(item, staff)
    due, met = item.sla_due_at, item.sla_met_at
    item = item_update(
        item=item,
        actor=item_author(staff, on_portal=True),
        fields=fields("1.009994", timezone_today(), fees="Miễn phí"),
    )
    assert (item.sla_due_at, item.sla_met_at) == (due, met)


def test_a_province_without_the_rule_sets_no_deadline(province_schema):
    _site, staff = province_schema("dongnai")
    agency = Agency.objects.order_by("pk").first()
    item = item_create(
        actor=item_author(staff, on_portal=True),
        kind=Kind.PROCEDURE,
        title="Đăng ký thành lập doanh nghiệp",
        fields=fields("2.001610", date(2026, 11, 2), online_level="full", dossier=[]),
        agency=agency,
    )
    assert (item.sla_content_type, item.sla_due_at) == ("", None)


def timezone_today() -> date:
    from django.utils import timezone

    return timezone.localdate()


def test_a_procedure_starts_with_its_implementing_agency(thainguyen):
    staff, _agency = thainguyen
    with pytest.raises(EditorialError) as refused:
        item_create(
            actor=item_author(staff, on_portal=True),  # a portal role: no agency of its own
            kind=Kind.PROCEDURE,
            title="Đăng ký khai sinh",
            fields=fields("1.001193", date(2026, 11, 2)),
        )
    assert refused.value.code == "agency_required"
    assert refused.value.field == "agency"
    assert not Item.objects.filter(kind=Kind.PROCEDURE).exists()
