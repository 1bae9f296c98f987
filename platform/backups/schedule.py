"""When a province is backed up, how long its copies are kept, and how it stands (ADR 0020).

Every rule comes from the profile in force at the instant asked about (`[backups]`: frequency,
window, keep_daily / keep_weekly / keep_monthly, verify, keep_drafts), each with the article
it comes from or the platform's default. Times are Vietnam's. The pure rules (`policy_for`,
`window_at`, `is_due`, `is_overdue`, `next_due_at`, `retention_plan`) need no database; the
rest reads the backup records of the public schema.

- Due: a province is due when `now` is inside its window and it has no successful copy of the
  current period (daily: since the current window opened; weekly: within the last 7 days). A
  failed run does not count (the next dispatch tries again); a running one blocks another.
- Overdue: no successful copy within the frequency + the window's length + 6 hours of grace.
- Retention (grandfather-father-son): the newest successful copy of each of the last
  `keep_daily` days, `keep_weekly` ISO weeks and `keep_monthly` months is kept, and always the
  newest copy and the newest one proven by a restore; the other copies are pruned.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from backups.models import Backup, Verification
from backups.services import backup_prune
from provinces.calendar import TZ
from provinces.citations import for_citizens
from provinces.loader import ProfileError, profile_in_force
from provinces.schema import Profile
from tenants.models import Province
from tenants.selectors import province_list

logger = logging.getLogger(__name__)

# Past the frequency and the window, a run may still be retrying: only then is it overdue.
OVERDUE_GRACE = timedelta(hours=6)
PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


def _frequency_labels() -> dict[str, str]:
    return {"daily": _("Hằng ngày"), "weekly": _("Hằng tuần")}


def _verify_labels() -> dict[str, str]:
    return {
        "every_backup": _("Sau mỗi lần sao lưu"),
        "daily": _("Hằng ngày"),
        "weekly": _("Hằng tuần"),
    }


def citation(source: str) -> str:
    """Where a value comes from, as an operator reads it: "theo Điều 11 Quyết định số
    40/2012/QĐ-UBND", or "mặc định của nền tảng" where the regulation is silent."""
    cited = for_citizens(source)
    if cited is None:
        return _("mặc định của nền tảng")
    return _("theo %(article)s") % {"article": cited}


@dataclass(frozen=True)
class PolicyRule:
    """One value of the policy for people: what it is, its value and where it comes from."""

    field: str
    label: str
    value: str
    cited: str


@dataclass(frozen=True)
class BackupPolicy:
    frequency: str  # "daily" | "weekly"
    window_start: time
    window_end: time  # earlier than the start: the window crosses midnight
    keep_daily: int
    keep_weekly: int
    keep_monthly: int
    verify: str  # "every_backup" | "daily" | "weekly"
    keep_drafts: bool
    rules: tuple[PolicyRule, ...]

    @property
    def period(self) -> timedelta:
        return PERIODS[self.frequency]

    @property
    def crosses_midnight(self) -> bool:
        return self.window_end < self.window_start

    @property
    def window_length(self) -> timedelta:
        day = date(2000, 1, 1)
        start = datetime.combine(day, self.window_start)
        end = datetime.combine(day + timedelta(days=int(self.crosses_midnight)), self.window_end)
        return end - start

    @property
    def overdue_after(self) -> timedelta:
        return self.period + self.window_length + OVERDUE_GRACE

    def rule(self, field: str) -> PolicyRule:
        return next(rule for rule in self.rules if rule.field == field)


def policy_for(profile: Profile) -> BackupPolicy:
    """The backup policy of a profile, each value with its label and citation."""
    backups = profile.backups
    window = backups.window
    yes_no = {True: _("Có"), False: _("Không")}
    rules = (
        PolicyRule(
            "frequency",
            _("Tần suất sao lưu"),
            _frequency_labels()[backups.frequency],
            citation(backups.source_of("frequency")),
        ),
        PolicyRule(
            "window",
            _("Khung giờ bắt đầu sao lưu"),
            f"{window.start:%H:%M}–{window.end:%H:%M}",
            citation(backups.source_of("window")),
        ),
        PolicyRule(
            "keep_daily",
            _("Số ngày giữ bản sao hằng ngày"),
            str(backups.keep_daily),
            citation(backups.source_of("keep_daily")),
        ),
        PolicyRule(
            "keep_weekly",
            _("Số tuần giữ bản sao hằng tuần"),
            str(backups.keep_weekly),
            citation(backups.source_of("keep_weekly")),
        ),
        PolicyRule(
            "keep_monthly",
            _("Số tháng giữ bản sao hằng tháng"),
            str(backups.keep_monthly),
            citation(backups.source_of("keep_monthly")),
        ),
        PolicyRule(
            "verify",
            _("Kiểm tra bằng phục hồi thử"),
            _verify_labels()[backups.verify],
            citation(backups.source_of("verify")),
        ),
        PolicyRule(
            "keep_drafts",
            _("Giữ cả bản thảo và phiên bản cũ"),
            yes_no[backups.keep_drafts],
            citation(backups.source_of("keep_drafts")),
        ),
    )
    return BackupPolicy(
        frequency=backups.frequency,
        window_start=window.start,
        window_end=window.end,
        keep_daily=backups.keep_daily,
        keep_weekly=backups.keep_weekly,
        keep_monthly=backups.keep_monthly,
        verify=backups.verify,
        keep_drafts=backups.keep_drafts,
        rules=rules,
    )


def policy_at(province_slug: str, now: datetime) -> BackupPolicy:
    """The policy of the profile in force at `now` (its calendar day in Vietnam), as every
    module reads a province's rules of an instant (provinces.loader.profile_in_force). The
    backups run in the public schema and name their province, so the slug is given."""
    return policy_for(profile_in_force(province_slug, now.astimezone(TZ).date()))


# --- the window and the period: pure rules ------------------------------------------------


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=TZ)


def _window_opening_on(policy: BackupPolicy, day: date) -> tuple[datetime, datetime]:
    start = _at(day, policy.window_start)
    return start, start + policy.window_length


def window_at(policy: BackupPolicy, now: datetime) -> tuple[datetime, datetime] | None:
    """The window (start, end) `now` is in, or None. A window crossing midnight that opened
    yesterday evening still holds this morning; the end is not part of it."""
    today = now.astimezone(TZ).date()
    for day in (today, today - timedelta(days=1)):
        start, end = _window_opening_on(policy, day)
        if start <= now < end:
            return start, end
    return None


def next_window_start(policy: BackupPolicy, after: datetime) -> datetime:
    """The first opening of the window strictly after `after`."""
    day = after.astimezone(TZ).date()
    start = _at(day, policy.window_start)
    return start if start > after else _at(day + timedelta(days=1), policy.window_start)


def fresh_since(policy: BackupPolicy, now: datetime) -> datetime:
    """A successful copy taken at or after this instant means nothing is owed at `now`. Daily:
    a copy in the current window is enough (outside a window, in the last one). Weekly: one
    within the last 7 days."""
    if policy.frequency == "weekly":
        return now - PERIODS["weekly"]
    current = window_at(policy, now)
    if current is not None:
        return current[0]
    return next_window_start(policy, now) - timedelta(days=1)


def is_due(
    policy: BackupPolicy, *, last_success: datetime | None, running: bool, now: datetime
) -> bool:
    """Whether a scheduled backup should start at `now`."""
    if running or window_at(policy, now) is None:
        return False
    return last_success is None or last_success < fresh_since(policy, now)


def is_overdue(
    policy: BackupPolicy, *, last_success: datetime | None, since: datetime, now: datetime
) -> bool:
    """No successful copy within the frequency + the window's length + the grace. A province
    never backed up counts from `since` (when it was onboarded)."""
    reference = last_success or since
    return now - reference > policy.overdue_after


def next_due_at(policy: BackupPolicy, *, last_success: datetime | None, now: datetime) -> datetime:
    """The first instant at or after `now` when the province is due (a running copy aside)."""
    if policy.frequency == "weekly" and last_success is not None:
        moment = max(now, last_success + PERIODS["weekly"])
        if window_at(policy, moment) is not None:
            return moment
        return next_window_start(policy, moment)
    if is_due(policy, last_success=last_success, running=False, now=now):
        return now
    if last_success is None:
        return next_window_start(policy, now)
    current = window_at(policy, now)
    return next_window_start(policy, current[0] if current else now)


def verification_due(
    policy: BackupPolicy, *, newest: Backup | None, last_passed: datetime | None, now: datetime
) -> bool:
    """Whether the newest successful copy should be proven now: every backup (the newest is not
    proven yet), or no copy proven this day (daily) or these 7 days (weekly), Vietnam's days.
    The days, not 24 hours: a daily check at 06:00 is not pushed back by one that ran at 06:05."""
    if newest is None:
        return False
    if policy.verify == "every_backup":
        return newest.verification != Backup.Verified.PASSED
    if last_passed is None:
        return True
    days = 1 if policy.verify == "daily" else 7
    first_day = now.astimezone(TZ).date() - timedelta(days=days - 1)
    return last_passed.astimezone(TZ).date() < first_day


# --- retention: pure rule -----------------------------------------------------------------


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def retention_plan(
    backups: Iterable[Backup], policy: BackupPolicy, now: datetime
) -> tuple[list[Backup], list[Backup]]:
    """(keep, prune) among one province's records. Kept: the newest successful copy of each of
    the last `keep_daily` days, `keep_weekly` ISO weeks and `keep_monthly` months (Vietnam's,
    counted back from `now`), the newest successful copy and the newest proven one whatever
    their age, and every running one. Pruned: the other successful copies and failed runs that
    left an archive. Failed runs without an archive and pruned records are in neither list:
    they stay as history. Applying the plan and planning again prunes nothing more."""
    records = list(backups)
    succeeded = sorted(
        (b for b in records if b.status == Backup.Status.SUCCEEDED),
        key=lambda b: (b.created_at, b.pk or 0),
        reverse=True,
    )
    today = now.astimezone(TZ).date()
    first_day = today - timedelta(days=policy.keep_daily - 1)
    first_monday = _week_monday(today) - timedelta(weeks=policy.keep_weekly - 1)
    first_month = _month_index(today) - (policy.keep_monthly - 1)

    kept_ids: set[int] = set()
    seen: dict[str, set[object]] = {"day": set(), "week": set(), "month": set()}
    for backup in succeeded:  # newest first: the first of each bucket is its newest
        day = min(backup.created_at.astimezone(TZ).date(), today)
        buckets = (
            ("day", day, day >= first_day),
            (
                "week",
                _week_monday(day),
                policy.keep_weekly > 0 and _week_monday(day) >= first_monday,
            ),
            (
                "month",
                _month_index(day),
                policy.keep_monthly > 0 and _month_index(day) >= first_month,
            ),
        )
        for name, key, counted in buckets:
            if counted and key not in seen[name]:
                seen[name].add(key)
                kept_ids.add(id(backup))
    if succeeded:
        kept_ids.add(id(succeeded[0]))  # the newest copy, however old
    proven = next((b for b in succeeded if b.verification == Backup.Verified.PASSED), None)
    if proven is not None:
        kept_ids.add(id(proven))  # the newest copy known to restore

    keep: list[Backup] = []
    prune: list[Backup] = []
    for backup in records:
        if backup.status == Backup.Status.RUNNING or id(backup) in kept_ids:
            keep.append(backup)
        elif backup.status == Backup.Status.SUCCEEDED or (
            backup.status == Backup.Status.FAILED and backup.storage_key
        ):
            prune.append(backup)
    return keep, prune


def retention_reason(policy: BackupPolicy) -> str:
    return _(
        "Chính sách lưu giữ: %(daily)s ngày, %(weekly)s tuần, %(monthly)s tháng (%(cited)s)"
    ) % {
        "daily": policy.keep_daily,
        "weekly": policy.keep_weekly,
        "monthly": policy.keep_monthly,
        "cited": policy.rule("keep_daily").cited,
    }


def retention_apply(*, province_slug: str, now: datetime | None = None) -> list[Backup]:
    """Prune the copies of a province its policy in force at `now` no longer keeps
    (backups.services.backup_prune for each, oldest first). Returns the pruned records."""
    now = now or timezone.now()
    policy = policy_at(province_slug, now)
    _keep, prune = retention_plan(
        Backup.objects.filter(province_slug=province_slug).exclude(status=Backup.Status.PRUNED),
        policy,
        now,
    )
    reason = retention_reason(policy)
    return [
        backup_prune(backup=backup, actor=None, reason=reason)
        for backup in sorted(prune, key=lambda b: (b.created_at, b.pk))
    ]


# --- reads of the records -----------------------------------------------------------------


def last_success_at(province_slug: str) -> datetime | None:
    return (
        Backup.objects.filter(province_slug=province_slug, status=Backup.Status.SUCCEEDED)
        .aggregate(last=Max("created_at"))
        .get("last")
    )


def newest_success(province_slug: str) -> Backup | None:
    return (
        Backup.objects.filter(province_slug=province_slug, status=Backup.Status.SUCCEEDED)
        .order_by("-created_at", "-pk")
        .first()
    )


def last_passed_verification_at(province_slug: str) -> datetime | None:
    return (
        Verification.objects.filter(
            backup__province_slug=province_slug, status=Verification.Status.PASSED
        )
        .aggregate(last=Max(Coalesce("finished_at", "started_at")))
        .get("last")
    )


UNDER_WAY = (Backup.Status.QUEUED, Backup.Status.RUNNING)


def due_provinces(now: datetime) -> list[Province]:
    """The provinces a scheduled backup should start for at `now` (two queries for the records,
    whatever the number of provinces)."""
    # A province merged into another is copied no more (its schema is kept for history only,
    # ADR 0032); the copies made before stay, for its history.
    provinces = list(
        province_list().prefetch_related(None).filter(merged_into__isnull=True).order_by("slug")
    )
    slugs = [province.slug for province in provinces]
    last = dict(
        Backup.objects.filter(province_slug__in=slugs, status=Backup.Status.SUCCEEDED)
        .values("province_slug")
        .annotate(last=Max("created_at"))
        .values_list("province_slug", "last")
    )
    # A copy running, or asked for and waiting for a worker, is not doubled by the schedule.
    running = set(
        Backup.objects.filter(province_slug__in=slugs, status__in=UNDER_WAY).values_list(
            "province_slug", flat=True
        )
    )
    due = []
    for province in provinces:
        try:
            policy = policy_at(province.slug, now)
        except ProfileError:
            # No profile in force: no schedule to keep. Said loudly, and the others go on.
            logger.error("no backup schedule for %s: no profile in force", province.slug)
            continue
        if is_due(
            policy, last_success=last.get(province.slug), running=province.slug in running, now=now
        ):
            due.append(province)
    return due


# --- how a province stands, for the console and the API ------------------------------------


class Standing:
    QUEUED = "queued"
    RUNNING = "running"
    OVERDUE = "overdue"
    FAILED = "failed"
    OK = "ok"
    NEVER = "never"


def standing_labels() -> dict[str, str]:
    return {
        Standing.QUEUED: _("Đang chờ sao lưu"),
        Standing.RUNNING: _("Đang sao lưu"),
        Standing.OVERDUE: _("Quá lịch sao lưu"),
        Standing.FAILED: _("Lần sao lưu gần nhất thất bại"),
        Standing.OK: _("Đúng lịch"),
        Standing.NEVER: _("Chưa sao lưu lần nào"),
    }


@dataclass(frozen=True)
class BackupStatus:
    province_slug: str
    last_backup: Backup | None  # any kind and status, the newest
    last_success: Backup | None
    last_verification: Verification | None
    size_bytes: int | None  # of the last successful copy
    duration: timedelta | None  # of the last successful copy
    status: str  # a Standing code
    status_label: str
    overdue: bool
    next_due: datetime
    policy: BackupPolicy


def province_status(province: Province, *, now: datetime | None = None) -> BackupStatus:
    """Where a province's backups stand at `now`: last run, last copy, last proof, whether it is
    past its schedule and when the next copy is due."""
    now = now or timezone.now()
    policy = policy_at(province.slug, now)
    records = Backup.objects.filter(province_slug=province.slug)
    last_backup = records.order_by("-created_at", "-pk").first()
    last_success = newest_success(province.slug)
    last_verification = (
        Verification.objects.filter(backup__province_slug=province.slug)
        .select_related("backup")
        .order_by("-started_at", "-pk")
        .first()
    )
    success_at = last_success.created_at if last_success else None
    # A merged province is copied no more (due_provinces): never past a schedule it has left.
    overdue = province.merged_into_id is None and is_overdue(
        policy, last_success=success_at, since=province.created_at, now=now
    )
    if last_backup is not None and last_backup.status == Backup.Status.RUNNING:
        status = Standing.RUNNING
    elif last_backup is not None and last_backup.status == Backup.Status.QUEUED:
        status = Standing.QUEUED
    elif overdue:
        status = Standing.OVERDUE
    elif last_backup is not None and last_backup.status == Backup.Status.FAILED:
        status = Standing.FAILED
    elif last_success is not None:
        status = Standing.OK
    else:
        status = Standing.NEVER
    return BackupStatus(
        province_slug=province.slug,
        last_backup=last_backup,
        last_success=last_success,
        last_verification=last_verification,
        size_bytes=last_success.size_bytes if last_success else None,
        duration=last_success.duration if last_success else None,
        status=status,
        status_label=standing_labels()[status],
        overdue=overdue,
        next_due=next_due_at(policy, last_success=success_at, now=now),
        policy=policy,
    )
