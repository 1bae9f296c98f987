"""The backup schedule of each province's profile: its policy with the articles it comes from,
when a copy is due or overdue (window edges, windows across midnight), which copies retention
keeps, and how a province stands for the console."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backups.models import Backup, Verification
from backups.schedule import (
    Standing,
    due_provinces,
    fresh_since,
    is_due,
    is_overdue,
    next_due_at,
    policy_at,
    policy_for,
    province_status,
    retention_plan,
    verification_due,
    window_at,
)
from provinces.loader import ProfileError, profile_in_force
from tests.factories.backups import backup_record
from tests.factories.provinces import vn

PLATFORM_DEFAULT = "mặc định của nền tảng"


def policy_of(slug: str, on: date = date(2026, 3, 4)):
    return policy_for(profile_in_force(slug, on))


# --- the policy of each profile ------------------------------------------------------------


@pytest.mark.without_services
def test_thai_nguyen_backs_up_weekly_under_its_article_11():
    policy = policy_of("thainguyen")
    assert policy.frequency == "weekly"
    frequency = policy.rule("frequency")
    assert frequency.value == "Hằng tuần"
    assert frequency.cited == "theo Điều 11 Quyết định số 40/2012/QĐ-UBND"
    # Art. 11(1): drafts and earlier versions are kept, from the same article
    assert policy.keep_drafts is True
    assert policy.rule("keep_drafts").cited == "theo Điều 11 Quyết định số 40/2012/QĐ-UBND"
    # the window, retention and verification are the platform's
    assert policy.rule("window").value == "01:00–05:00"
    for field in ("window", "keep_daily", "keep_weekly", "keep_monthly", "verify"):
        assert policy.rule(field).cited == PLATFORM_DEFAULT


@pytest.mark.without_services
def test_hue_backs_up_daily_by_the_platform_default():
    policy = policy_of("thuathienhue")
    assert (policy.frequency, policy.verify) == ("daily", "weekly")
    assert policy.rule("frequency").value == "Hằng ngày"
    assert all(rule.cited == PLATFORM_DEFAULT for rule in policy.rules)


@pytest.mark.without_services
@pytest.mark.parametrize("slug", ["backan", "dongnai", "hagiang"])
def test_the_other_provinces_take_every_value_from_the_platform(slug):
    policy = policy_of(slug)
    assert policy.frequency == "daily"
    assert (policy.window_start, policy.window_end) == (time(1), time(5))
    assert (policy.keep_daily, policy.keep_weekly, policy.keep_monthly) == (14, 8, 12)
    assert policy.verify == "weekly"
    assert all(rule.cited == PLATFORM_DEFAULT for rule in policy.rules)


@pytest.mark.without_services
def test_every_value_of_the_policy_is_shown_with_a_label_and_its_citation():
    policy = policy_of("thainguyen")
    fields = [rule.field for rule in policy.rules]
    assert fields == [
        "frequency",
        "window",
        "keep_daily",
        "keep_weekly",
        "keep_monthly",
        "verify",
        "keep_drafts",
    ]
    for rule in policy.rules:
        assert rule.label
        assert rule.value
        assert rule.cited
        assert "platform default" not in rule.cited
        assert "Art." not in rule.cited


@pytest.mark.without_services
def test_the_policy_is_the_one_in_force_on_the_instant_s_day_in_vietnam():
    # Thái Nguyên's regulation takes effect on 16 November 2012; 17:30 UTC on the 15th is
    # already 00:30 on the 16th in Vietnam, when it is in force.
    assert policy_at("thainguyen", datetime(2012, 11, 15, 17, 30, tzinfo=UTC)).frequency == "weekly"
    with pytest.raises(ProfileError):  # nothing was in force the day before
        policy_at("thainguyen", vn(2012, 11, 15, 23, 30))


# --- due and overdue -----------------------------------------------------------------------

DAILY = policy_of("thuathienhue")  # 01:00-05:00
WEEKLY = policy_of("thainguyen")  # 01:00-05:00
ACROSS_MIDNIGHT = replace(DAILY, window_start=time(23), window_end=time(3))


@pytest.mark.without_services
@pytest.mark.parametrize(
    ("now", "inside"),
    [
        (vn(2026, 3, 4, 0, 59), False),
        (vn(2026, 3, 4, 1, 0), True),  # the start is in
        (vn(2026, 3, 4, 4, 59), True),
        (vn(2026, 3, 4, 5, 0), False),  # the end is not
    ],
)
def test_the_window_edges(now, inside):
    assert (window_at(DAILY, now) is not None) is inside


@pytest.mark.without_services
@pytest.mark.parametrize(
    ("now", "opened"),
    [
        (vn(2026, 3, 4, 22, 59), None),
        (vn(2026, 3, 4, 23, 0), vn(2026, 3, 4, 23)),
        (vn(2026, 3, 5, 0, 30), vn(2026, 3, 4, 23)),  # after midnight: yesterday's window
        (vn(2026, 3, 5, 2, 59), vn(2026, 3, 4, 23)),
        (vn(2026, 3, 5, 3, 0), None),
    ],
)
def test_a_window_across_midnight_is_one_window(now, opened):
    window = window_at(ACROSS_MIDNIGHT, now)
    assert (window[0] if window else None) == opened
    if window:
        assert window[1] - window[0] == timedelta(hours=4)


@pytest.mark.without_services
def test_daily_a_copy_in_the_current_window_is_enough():
    now = vn(2026, 3, 4, 2, 0)
    # no copy at all: due in the window, not outside it
    assert is_due(DAILY, last_success=None, running=False, now=now)
    assert not is_due(DAILY, last_success=None, running=False, now=vn(2026, 3, 4, 12))
    # yesterday's copy: due again today
    assert is_due(DAILY, last_success=vn(2026, 3, 3, 1, 10), running=False, now=now)
    # a copy at 01:00 today: done for the day
    assert not is_due(DAILY, last_success=vn(2026, 3, 4, 1, 0), running=False, now=now)
    # a run in progress blocks another
    assert not is_due(DAILY, last_success=None, running=True, now=now)


@pytest.mark.without_services
def test_daily_across_midnight_the_copy_of_last_evening_counts_after_midnight():
    evening_copy = vn(2026, 3, 4, 23, 20)
    assert not is_due(
        ACROSS_MIDNIGHT, last_success=evening_copy, running=False, now=vn(2026, 3, 5, 1)
    )
    # the copy of the night before does not
    assert is_due(
        ACROSS_MIDNIGHT, last_success=vn(2026, 3, 3, 23, 20), running=False, now=vn(2026, 3, 5, 1)
    )
    # and the next evening the window opens again
    assert is_due(ACROSS_MIDNIGHT, last_success=evening_copy, running=False, now=vn(2026, 3, 5, 23))


@pytest.mark.without_services
def test_weekly_none_in_the_last_seven_days():
    last = vn(2026, 3, 2, 1, 5)  # Monday
    assert not is_due(WEEKLY, last_success=last, running=False, now=vn(2026, 3, 8, 2))
    assert not is_due(WEEKLY, last_success=last, running=False, now=vn(2026, 3, 9, 1, 0))
    assert is_due(WEEKLY, last_success=last, running=False, now=vn(2026, 3, 9, 1, 15))
    # outside the window, never
    assert not is_due(WEEKLY, last_success=last, running=False, now=vn(2026, 3, 9, 12))
    assert fresh_since(WEEKLY, vn(2026, 3, 9, 1, 15)) == vn(2026, 3, 2, 1, 15)


@pytest.mark.without_services
def test_overdue_after_the_frequency_the_window_and_six_hours_of_grace():
    last = vn(2026, 3, 4, 1, 0)
    # daily 01:00-05:00: 1 day + 4 hours + 6 hours = 34 hours
    assert not is_overdue(DAILY, last_success=last, since=last, now=last + timedelta(hours=34))
    assert is_overdue(
        DAILY, last_success=last, since=last, now=last + timedelta(hours=34, minutes=1)
    )
    # weekly: 7 days + 10 hours
    assert not is_overdue(
        WEEKLY, last_success=last, since=last, now=last + timedelta(days=7, hours=10)
    )
    assert is_overdue(WEEKLY, last_success=last, since=last, now=last + timedelta(days=7, hours=11))
    # a window across midnight is 4 hours long too
    assert ACROSS_MIDNIGHT.overdue_after == timedelta(hours=34)
    # never backed up: counted from the onboarding
    onboarded = vn(2026, 3, 1, 9)
    assert not is_overdue(
        DAILY, last_success=None, since=onboarded, now=onboarded + timedelta(hours=30)
    )
    assert is_overdue(
        DAILY, last_success=None, since=onboarded, now=onboarded + timedelta(hours=35)
    )


@pytest.mark.without_services
def test_the_next_due_instant():
    now = vn(2026, 3, 4, 12)
    # daily, done this morning: tomorrow's window
    assert next_due_at(DAILY, last_success=vn(2026, 3, 4, 1, 10), now=now) == vn(2026, 3, 5, 1)
    # daily, done in the window and still inside it: tomorrow too
    assert next_due_at(DAILY, last_success=vn(2026, 3, 4, 1, 10), now=vn(2026, 3, 4, 2)) == vn(
        2026, 3, 5, 1
    )
    # due now: now
    assert next_due_at(DAILY, last_success=None, now=vn(2026, 3, 4, 2)) == vn(2026, 3, 4, 2)
    # weekly: seven days after the last copy, inside the window
    assert next_due_at(WEEKLY, last_success=vn(2026, 3, 2, 1, 5), now=now) == vn(2026, 3, 9, 1, 5)
    # weekly, seven days falling outside the window: the next opening
    assert next_due_at(WEEKLY, last_success=vn(2026, 3, 2, 14), now=now) == vn(2026, 3, 10, 1)


@pytest.mark.without_services
def test_verification_is_due_by_the_policy_days():
    newest = Backup(status=Backup.Status.SUCCEEDED, verification=Backup.Verified.UNVERIFIED)
    now = vn(2026, 3, 9, 6)  # Monday
    # weekly: a proof on Tuesday last week is enough, one on Monday last week is not
    assert not verification_due(WEEKLY, newest=newest, last_passed=vn(2026, 3, 3, 6, 5), now=now)
    assert verification_due(WEEKLY, newest=newest, last_passed=vn(2026, 3, 2, 6, 5), now=now)
    assert verification_due(WEEKLY, newest=newest, last_passed=None, now=now)
    # daily: one today
    daily = replace(WEEKLY, verify="daily")
    assert not verification_due(daily, newest=newest, last_passed=vn(2026, 3, 9, 1, 30), now=now)
    assert verification_due(daily, newest=newest, last_passed=vn(2026, 3, 8, 23), now=now)
    # every backup: until the newest copy is proven
    every = replace(WEEKLY, verify="every_backup")
    assert verification_due(every, newest=newest, last_passed=now, now=now)
    proven = Backup(status=Backup.Status.SUCCEEDED, verification=Backup.Verified.PASSED)
    assert not verification_due(every, newest=proven, last_passed=None, now=now)
    # nothing to prove
    assert not verification_due(WEEKLY, newest=None, last_passed=None, now=now)


# --- retention -----------------------------------------------------------------------------


def copy(created_at, status=Backup.Status.SUCCEEDED, *, verified=False, key="archive"):
    return Backup(
        province_slug="thuathienhue",
        status=status,
        created_at=created_at,
        storage_key=key,
        verification=Backup.Verified.PASSED if verified else Backup.Verified.UNVERIFIED,
    )


@pytest.mark.without_services
def test_grandfather_father_son():
    policy = replace(DAILY, keep_daily=3, keep_weekly=2, keep_monthly=2)
    now = vn(2026, 3, 18, 12)  # Wednesday
    # two copies a day for 60 days
    copies = [copy(now - timedelta(days=d, hours=h)) for d in range(60) for h in (3, 9)]
    keep, prune = retention_plan(copies, policy, now)
    kept = sorted(b.created_at for b in keep)
    # the newest of each of the last 3 days, of this ISO week and last, of March and February
    assert kept == [
        vn(2026, 2, 28, 9),  # newest of February
        vn(2026, 3, 15, 9),  # newest of last week (Sunday)
        vn(2026, 3, 16, 9),
        vn(2026, 3, 17, 9),
        vn(2026, 3, 18, 9),  # newest of today, this week and this month
    ]
    assert len(keep) + len(prune) == len(copies)


@pytest.mark.without_services
def test_retention_keeps_the_newest_proven_and_running_copies_and_the_history_of_failures():
    policy = replace(DAILY, keep_daily=1, keep_weekly=0, keep_monthly=0)
    now = vn(2026, 3, 18, 12)
    proven = copy(now - timedelta(days=40), verified=True)
    old = copy(now - timedelta(days=30))
    newest = copy(now - timedelta(hours=2))
    running = copy(now - timedelta(minutes=5), Backup.Status.RUNNING, key="")
    failed_without_archive = copy(now - timedelta(days=2), Backup.Status.FAILED, key="")
    failed_with_archive = copy(now - timedelta(days=3), Backup.Status.FAILED)
    pruned = copy(now - timedelta(days=50), Backup.Status.PRUNED, key="")
    keep, prune = retention_plan(
        [proven, old, newest, running, failed_without_archive, failed_with_archive, pruned],
        policy,
        now,
    )
    assert {id(b) for b in keep} == {id(proven), id(newest), id(running)}
    assert {id(b) for b in prune} == {id(old), id(failed_with_archive)}


@pytest.mark.without_services
def test_the_newest_copy_is_kept_however_old():
    policy = replace(DAILY, keep_daily=1, keep_weekly=0, keep_monthly=0)
    now = vn(2026, 3, 18, 12)
    newest, older = copy(now - timedelta(days=90)), copy(now - timedelta(days=95))
    keep, prune = retention_plan([older, newest], policy, now)
    assert keep == [newest]
    assert prune == [older]


copies_strategy = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=60 * 24 * 500),  # minutes before now
        st.sampled_from(
            [Backup.Status.SUCCEEDED] * 4 + [Backup.Status.FAILED, Backup.Status.RUNNING]
        ),
        st.booleans(),  # proven
        st.booleans(),  # an archive was written
    ),
    max_size=120,
)
keeps_strategy = st.tuples(
    st.integers(min_value=1, max_value=20),
    st.integers(min_value=0, max_value=10),
    st.integers(min_value=0, max_value=14),
)
NOW = vn(2026, 3, 18, 12)


def _records(drawn):
    return [
        copy(
            NOW - timedelta(minutes=minutes),
            status,
            verified=proven and status == Backup.Status.SUCCEEDED,
            key="archive" if archived or status == Backup.Status.SUCCEEDED else "",
        )
        for minutes, status, proven, archived in drawn
    ]


@pytest.mark.without_services
@settings(max_examples=300, deadline=None)
@given(drawn=copies_strategy, keeps=keeps_strategy)
def test_retention_properties(drawn, keeps):
    policy = replace(DAILY, keep_daily=keeps[0], keep_weekly=keeps[1], keep_monthly=keeps[2])
    records = _records(drawn)
    keep, prune = retention_plan(records, policy, NOW)
    succeeded = [b for b in records if b.status == Backup.Status.SUCCEEDED]
    kept_copies = [b for b in keep if b.status == Backup.Status.SUCCEEDED]
    # never more than the policy's copies, plus the newest proven one
    assert len(kept_copies) <= sum(keeps) + 1
    # the newest success is always kept, and so is every running copy
    if succeeded:
        newest = max(succeeded, key=lambda b: b.created_at)
        assert any(b.created_at == newest.created_at for b in kept_copies)
    assert all(id(b) not in {id(p) for p in prune} for b in records if b.status == "running")
    # nothing is both kept and pruned; a failure without an archive is neither
    assert not {id(b) for b in keep} & {id(b) for b in prune}
    assert not [b for b in prune if b.status == Backup.Status.FAILED and not b.storage_key]
    # idempotent: once the pruned copies are gone, nothing more is pruned
    for backup in prune:
        backup.status = Backup.Status.PRUNED
    keep_again, prune_again = retention_plan(records, policy, NOW)
    assert prune_again == []
    assert {id(b) for b in keep_again} == {id(b) for b in keep}


# --- with the records of the public schema -------------------------------------------------


def test_due_provinces_at_night(tenant_db):
    # given: at 01:30 on Wednesday 4 March, Huế already copied tonight, Bắc Kạn's last run failed,
    # Đồng Nai's is running, Hà Giang copied yesterday, Thái Nguyên (weekly) on Monday
    now = vn(2026, 3, 4, 1, 30)
    backup_record(tenant_db["thuathienhue"], at=vn(2026, 3, 4, 1, 0))
    backup_record(tenant_db["backan"], at=vn(2026, 3, 3, 1, 0))
    backup_record(tenant_db["backan"], at=vn(2026, 3, 4, 1, 0), status=Backup.Status.FAILED)
    backup_record(tenant_db["dongnai"], at=vn(2026, 3, 4, 1, 15), status=Backup.Status.RUNNING)
    backup_record(tenant_db["hagiang"], at=vn(2026, 3, 3, 1, 20))
    backup_record(tenant_db["thainguyen"], at=vn(2026, 3, 2, 1, 0))
    # when / then: the failed one is tried again, the running one waits
    assert [p.slug for p in due_provinces(now)] == ["backan", "hagiang"]
    # at noon nobody is due: outside the window
    assert due_provinces(vn(2026, 3, 4, 12)) == []
    # next Monday night Thái Nguyên's week is over
    assert "thainguyen" in [p.slug for p in due_provinces(vn(2026, 3, 9, 1, 30))]


def test_province_status_for_the_console(tenant_db, django_assert_max_num_queries):
    province = tenant_db["thuathienhue"]
    now = vn(2026, 3, 4, 12)
    # never backed up, onboarded long ago: overdue
    Province = type(province)
    Province.objects.filter(pk=province.pk).update(created_at=vn(2026, 1, 1))
    province.refresh_from_db()
    status = province_status(province, now=now)
    assert (status.status, status.overdue, status.last_backup) == (Standing.OVERDUE, True, None)
    assert status.status_label == "Quá lịch sao lưu"
    # given a copy this morning, proven, and a failed manual run after it
    good = backup_record(
        province, at=vn(2026, 3, 4, 1, 5), size_bytes=123_456, verification="passed"
    )
    Verification.objects.create(
        backup=good, status=Verification.Status.PASSED, requested_by_name="lịch sao lưu"
    )
    failed = backup_record(
        province, at=vn(2026, 3, 4, 9), status=Backup.Status.FAILED, kind="manual"
    )
    # when
    with django_assert_max_num_queries(4):
        status = province_status(province, now=now)
    # then
    assert status.last_backup == failed
    assert status.last_success == good
    assert status.last_verification.backup == good
    assert (status.size_bytes, status.duration) == (123_456, timedelta(minutes=3))
    assert (status.status, status.overdue) == (Standing.FAILED, False)
    assert status.next_due == vn(2026, 3, 5, 1)
    assert status.policy.frequency == "daily"
    # a run in progress shows as such
    backup_record(province, at=vn(2026, 3, 4, 11), status=Backup.Status.RUNNING, kind="manual")
    assert province_status(province, now=now).status == Standing.RUNNING


def test_a_province_without_a_profile_in_force_does_not_stop_the_others(tenant_db, caplog):
    # given a province whose profile cannot be found (its folder removed by mistake)
    Province = type(tenant_db["hagiang"])
    Province.objects.create(slug="khongcohoso", name="Không có hồ sơ", schema_name="khongcohoso")
    # when
    due = due_provinces(vn(2026, 3, 4, 1, 30))
    # then the five others are due, and the missing one is said loudly
    assert [p.slug for p in due] == ["backan", "dongnai", "hagiang", "thainguyen", "thuathienhue"]
    assert any(r.levelname == "ERROR" and "khongcohoso" in r.getMessage() for r in caplog.records)
