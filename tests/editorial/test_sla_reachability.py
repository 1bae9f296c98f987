"""Update deadlines that start (ADR 0005): every SLA a shipped profile declares reaches an item
through the real service path, Thái Nguyên Art. 10(2) separates ordinary news from major
events, Huế Art. 9(2) counts urgent information from its receipt, and the item vocabulary the
profiles are validated against is the editorial module's."""

from __future__ import annotations

import typing
from datetime import date, datetime, time, timedelta
from html import unescape

import pytest
from pydantic import ValidationError

from core.profiles import current_profile
from editorial.content import FIELDS_OF_KIND
from editorial.dashboard import portal_deadlines
from editorial.models import Item, Kind
from editorial.services import EditorialError, item_create, item_update
from provinces.calendar import TZ
from provinces.items import ANCHOR_FIELDS, ITEM_FLAGS, ITEM_KINDS
from provinces.loader import PROFILES_DIR, load_profile
from provinces.schema import Profile
from provinces.sla import sla_deadline
from tests.factories.editorial import item_author
from tests.factories.pages import signed_in

SLUGS = ("backan", "dongnai", "hagiang", "thainguyen", "thuathienhue")
# Thursday 26/11/2026 10:00 in Vietnam, a working day.
ANCHOR = datetime(2026, 11, 26, 10, 0, tzinfo=TZ)

# The fields each kind requires, so that an item of any kind can be created.
REQUIRED = {
    "event": {"event_at": "2026-11-20T09:00:00+07:00"},
    "legal_document": {
        "number": "01/2026/QĐ-UBND",
        "document_type": "Quyết định",
        "issuing_body": "Ủy ban nhân dân tỉnh",
        "signer": "Nguyễn Văn A",
        "issued_on": "2026-11-20",
    },
    "draft_document": {
        "drafting_body": "Sở Tư pháp",
        "opens_on": "2026-11-20",
        "closes_on": "2026-12-20",
    },
    "spokesperson_statement": {"spokesperson": "Người phát ngôn"},
    "leader_schedule": {"week_of": "2026-11-23"},
    "statistics_report": {"period_start": "2026-10-01", "period_end": "2026-10-31"},
    "procedure": {
        "code": "1.000001",
        "field": "Hoạt động xây dựng",
        "effective_on": "2026-11-20",
    },
}


def _declared() -> list[tuple[str, str]]:
    """(province, content type) of every update SLA of the newest shipped profiles."""
    cases = []
    for slug in SLUGS:
        path = sorted((PROFILES_DIR / slug).glob("*.toml"))[-1]
        cases += [(slug, sla.content_type) for sla in load_profile(path).update_slas]
    return cases


def _anchor_value(kind: str, field: str) -> str:
    model = FIELDS_OF_KIND[kind]
    annotation = typing.get_args(model.model_fields[field].annotation) or (
        model.model_fields[field].annotation,
    )
    if datetime in annotation:
        return ANCHOR.isoformat()
    return ANCHOR.date().isoformat()


def _create(staff, *, kind, fields, sla_content_type=None, title="Bài"):
    return item_create(
        actor=item_author(staff, on_portal=True),
        kind=kind,
        title=title,
        fields={**REQUIRED.get(kind, {}), **fields},
        sla_content_type=sla_content_type,
        # a procedure names its implementing agency (ADR 0019)
        agency=staff.agency if kind == Kind.PROCEDURE else None,
    )


@pytest.mark.parametrize(("slug", "content_type"), _declared())
def test_every_declared_sla_gives_an_item_or_the_portal_a_due_time(
    province_schema, slug, content_type
):
    # given: the SLA as the shipped profile declares it
    _site, staff = province_schema(slug)
    profile = current_profile()
    sla = profile.sla(content_type)
    assert sla is not None
    if sla.monitors is not None:
        # a deadline of the portal itself: the dashboard shows it, day by day
        shown = portal_deadlines(profile=profile, now=ANCHOR)
        assert [row.content_type for row in shown] == [
            s.content_type for s in profile.update_slas if s.monitors
        ]
        row = next(row for row in shown if row.content_type == content_type)
        assert row.days
        assert all(day.count == 0 for day in row.days)
        return
    for target in sla.applies_to:
        # when: an item of each kind it names, anchored, flagged or picked as it says
        fields = {target.anchor_field: _anchor_value(target.kind, target.anchor_field)}
        if target.when:
            fields[target.when] = True
        item = _create(
            staff,
            kind=target.kind,
            fields=fields,
            sla_content_type=content_type if target.chosen else None,
        )
        # then: the item takes this SLA, counted from that field, with a due time
        assert item.sla_content_type == content_type, target
        expected = sla_deadline(profile, content_type, item.sla_anchor_at)
        assert item.sla_due_at == expected.due_at, target
        assert item.sla_anchor_at.date() == ANCHOR.date()
        assert item.sla_rule
        assert item.sla_source.startswith(sla.source)


def test_every_declared_sla_is_in_the_reachability_cases():
    # given / when: the profiles as shipped
    cases = _declared()
    # then: none is left out, and each names items or what it monitors (the schema says so)
    for slug in SLUGS:
        path = sorted((PROFILES_DIR / slug).glob("*.toml"))[-1]
        profile = load_profile(path)
        assert {c for s, c in cases if s == slug} == {s.content_type for s in profile.update_slas}
        assert all(sla.applies_to or sla.monitors for sla in profile.update_slas)


# --- Thái Nguyên Art. 10(2) ----------------------------------------------------------------


def test_thai_nguyen_an_ordinary_event_takes_eight_working_hours(province_schema):
    # given
    _site, staff = province_schema("thainguyen")
    # when
    item = _create(staff, kind="event", fields={"event_at": ANCHOR.isoformat()})
    # then: "không quá 8 giờ hành chính"
    assert item.sla_content_type == "news"
    assert item.sla_due_at == sla_deadline(current_profile(), "news", ANCHOR).due_at
    assert "8 giờ làm việc" in item.sla_rule
    assert item.sla_due_at < ANCHOR + timedelta(days=3)


@pytest.mark.parametrize("kind", ["event", "news"])
def test_thai_nguyen_a_conference_marked_by_its_author_takes_three_days(province_schema, kind):
    # given
    _site, staff = province_schema("thainguyen")
    # when: "hội nghị sơ kết, tổng kết, hội nghị chuyên đề hoặc các sự kiện quan trọng"
    item = _create(staff, kind=kind, fields={"event_at": ANCHOR.isoformat(), "major_event": True})
    # then: "không quá 03 ngày sau khi diễn ra sự kiện" (to the end of the third day)
    assert item.sla_content_type == "major_event"
    assert item.sla_due_at == datetime.combine(date(2026, 11, 29), time(23, 59, 59), TZ)
    assert item.sla_source == "QĐ 40/2012 Art. 10(2)"


def test_thai_nguyen_marking_an_event_major_later_moves_its_deadline(province_schema):
    # given: an ordinary event
    _site, staff = province_schema("thainguyen")
    item = _create(staff, kind="event", fields={"event_at": ANCHOR.isoformat()})
    assert item.sla_content_type == "news"
    # when: its author marks it, then unmarks it, saying nothing about the deadline
    marked = item_update(
        item=item,
        actor=item.author,
        fields={**item.current_revision.fields, "major_event": True},
    )
    kind_of_marked = marked.sla_content_type
    unmarked = item_update(
        item=marked,
        actor=item.author,
        fields={**marked.current_revision.fields, "major_event": False},
    )
    # then: the deadline follows the mark each time
    assert (kind_of_marked, unmarked.sla_content_type) == ("major_event", "news")


def test_thai_nguyen_an_unmarked_event_cannot_pick_the_major_event_deadline(province_schema):
    # given
    _site, staff = province_schema("thainguyen")
    # when
    with pytest.raises(EditorialError) as caught:
        _create(
            staff,
            kind="event",
            fields={"event_at": ANCHOR.isoformat()},
            sla_content_type="major_event",
            title="Không được chọn",
        )
    # then: refused on the mark, nothing stored
    assert caught.value.code == "sla_condition_unmet"
    assert "fields.major_event" in caught.value.fields
    assert not Item.objects.filter(current_revision__title="Không được chọn").exists()


def test_thai_nguyen_a_deadline_of_another_kind_is_refused(province_schema):
    _site, staff = province_schema("thainguyen")
    with pytest.raises(EditorialError) as caught:
        _create(staff, kind="news", fields={}, sla_content_type="statistics")
    assert (caught.value.code, caught.value.field) == ("sla_not_for_kind", "sla_content_type")


def test_thai_nguyen_a_picked_deadline_stays_until_the_author_drops_it(province_schema):
    # given: a legal document on administrative procedures, counted from its entry into force
    _site, staff = province_schema("thainguyen")
    item = _create(
        staff,
        kind="legal_document",
        fields={"effective_on": "2026-12-01"},
        sla_content_type="procedure_change",
    )
    assert item.sla_content_type == "procedure_change"
    assert item.sla_anchor_at.date() == date(2026, 12, 1)
    # when: an edit that says nothing about it, then one that drops it
    kept = item_update(item=item, actor=item.author, title="Sửa tiêu đề")
    kept_type = kept.sla_content_type
    dropped = item_update(item=kept, actor=item.author, sla_content_type="")
    # then
    assert (kept_type, dropped.sla_content_type) == ("procedure_change", "legal_document")


# --- Huế Art. 9(2) ---------------------------------------------------------------------------


def test_hue_urgent_information_is_due_from_its_receipt(province_schema):
    # given: the event announced is later than the moment the information arrived
    _site, staff = province_schema("thuathienhue")
    received = ANCHOR
    # when
    item = _create(
        staff,
        kind="announcement",
        fields={
            "urgent": True,
            "received_at": received.isoformat(),
            "event_at": (received + timedelta(days=5)).isoformat(),
        },
    )
    # then: "ngay khi nhận được thông tin", counted from the receipt
    assert item.sla_content_type == "urgent_notice"
    assert item.sla_anchor_at == received
    assert item.sla_due_at == sla_deadline(current_profile(), "urgent_notice", received).due_at
    assert item.sla_source.startswith("QĐ 2567/2007 Art. 9(2)")
    # and staff read the moment it is really counted from, not "the event"
    assert item.sla_rule == "ngay sau khi nhận được thông tin (trong 1 giờ làm việc)"


def test_hue_information_of_art_7_reads_as_due_once_complete(province_schema):
    _site, staff = province_schema("thuathienhue")
    item = _create(staff, kind="static_page", fields={"ready_at": ANCHOR.isoformat()})
    assert item.sla_content_type == "general"
    assert item.sla_rule == "ngay sau khi thông tin hoàn thành (trong 1 giờ làm việc)"


def test_an_sla_counted_from_a_field_that_does_not_carry_its_anchor_is_refused():
    # given: Huế's urgent-information rule, said to count from "the event" but anchored on
    # the moment of receipt
    profile = load_profile(PROFILES_DIR / "thuathienhue" / "2007-11-26.toml")
    data = profile.model_dump(mode="json", exclude={"baseline"})
    urgent = next(s for s in data["update_slas"] if s["content_type"] == "urgent_notice")
    urgent["anchor"] = "event"
    # when / then: the profile is refused with the path and the anchor that would fit
    with pytest.raises(ValidationError) as refused:
        Profile.model_validate(data)
    assert "anchor = 'receipt'" in str(refused.value)


def test_hue_an_announcement_not_marked_urgent_does_not_take_it(province_schema):
    # given
    _site, staff = province_schema("thuathienhue")
    # when
    item = _create(
        staff,
        kind="announcement",
        fields={"received_at": ANCHOR.isoformat(), "event_at": ANCHOR.isoformat()},
    )
    # then
    assert (item.sla_content_type, item.sla_due_at) == ("", None)
    with pytest.raises(EditorialError) as caught:
        _create(
            staff,
            kind="announcement",
            fields={"received_at": ANCHOR.isoformat()},
            sla_content_type="urgent_notice",
        )
    assert caught.value.code == "sla_condition_unmet"


def test_hue_urgent_without_a_receipt_time_has_no_deadline_yet(province_schema):
    _site, staff = province_schema("thuathienhue")
    item = _create(staff, kind="announcement", fields={"urgent": True})
    assert (item.sla_content_type, item.sla_due_at) == ("urgent_notice", None)


# --- the vocabulary of provinces/ is the editorial module's ----------------------------------


def _fields_of(kind: str, types: tuple[type, ...]) -> tuple[str, ...]:
    model = FIELDS_OF_KIND[kind]
    names = []
    for name, info in model.model_fields.items():
        args = typing.get_args(info.annotation) or (info.annotation,)
        if any(arg in types for arg in args):
            names.append(name)
    return tuple(names)


def test_the_item_kinds_of_provinces_are_the_editorial_kinds():
    assert tuple(Kind.values) == ITEM_KINDS
    assert set(FIELDS_OF_KIND) == set(ITEM_KINDS)


def test_the_anchor_fields_and_flags_of_provinces_are_the_editorial_fields():
    assert {kind: _fields_of(kind, (date, datetime)) for kind in ITEM_KINDS} == ANCHOR_FIELDS
    assert {kind: _fields_of(kind, (bool,)) for kind in ITEM_KINDS} == ITEM_FLAGS


# --- the marks and the choice through the staff forms ----------------------------------------


def test_thai_nguyen_staff_mark_a_major_event_on_the_form_and_pick_only_what_the_kind_allows(
    province_schema,
):
    # given: the portal's updater (Art. 17(2)) signed in on the portal
    _site, staff = province_schema("thainguyen")
    client = signed_in("thainguyen.localhost", staff.holding("portal_updater"))
    # when
    event_form = unescape(client.get("/staff/items/new/?kind=event").content.decode())
    legal_form = unescape(client.get("/staff/items/new/?kind=legal_document").content.decode())
    response = client.post(
        "/staff/items/new/?kind=event",
        {
            "title": "Hội nghị tổng kết năm 2026",
            "fields__event_at": "2026-11-26T10:00",
            "fields__major_event": "on",
        },
    )
    # then: the mark is on the event form in Vietnamese; an event has no deadline to pick, a
    # legal document may take the procedure rule (Art. 10(3)) by its author's choice
    assert 'name="fields__major_event"' in event_form
    assert "Hội nghị sơ kết, tổng kết, hội nghị chuyên đề hoặc sự kiện quan trọng" in event_form
    assert 'name="sla_content_type"' not in event_form
    assert 'name="sla_content_type"' in legal_form
    assert ">Quy định về thủ tục hành chính</option>" in legal_form
    assert "Art. 10(3)" not in legal_form
    assert "major_event" not in legal_form
    assert response.status_code == 302
    item = Item.objects.get(current_revision__title="Hội nghị tổng kết năm 2026")
    assert item.sla_content_type == "major_event"
    assert item.sla_due_at == datetime.combine(date(2026, 11, 29), time(23, 59, 59), TZ)


def test_hue_urgent_announcement_through_the_api_counts_from_receipt(province_schema):
    # given: a Huế board member with a write key
    _site, staff = province_schema("thuathienhue")
    client = signed_in("thuathienhue.localhost", item_author(staff, on_portal=True))
    # when
    response = client.post(
        "/api/v1/items/",
        {
            "kind": "announcement",
            "title": "Thông báo khẩn về mưa lũ",
            "site": None,
            "fields": {"urgent": True, "received_at": ANCHOR.isoformat()},
        },
        content_type="application/json",
    )
    # then
    assert response.status_code == 201, response.content
    item = Item.objects.get(pk=response.json()["id"])
    assert (item.sla_content_type, item.sla_anchor_at) == ("urgent_notice", ANCHOR)
