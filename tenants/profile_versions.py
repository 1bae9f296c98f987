"""Profile versions kept in the public schema (ADR 0031): an operator submits a TOML text, a
different operator approves or rejects it; approval of a new province onboards it, a new
version of a province takes effect on its own effective date (the loader picks the version in
force at the instant it computes). Services (writes, audited in the public schema) and
selectors (reads) shared by the console, the operator API and the `profiles` command.

An uploaded profile is data only: TOML has no includes and no expressions; the text is bounded
(size, nesting depth, number of keys, array lengths) and `extends` names the national baseline
and nothing else (no other province's file, no path)."""

from __future__ import annotations

import functools
import hashlib
import tomllib
import unicodedata
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from core.errors import ErrorKind, ServiceError
from provinces.loader import (
    PROFILES_DIR,
    VIETNAM,
    ProfileError,
    parse_profile,
    profile_versions,
    today_in_vietnam,
)
from provinces.schema import Profile
from tenants.models import ProfileVersion, Province

MAX_TEXT_BYTES = 256 * 1024
MAX_DEPTH = 12
MAX_KEYS = 5000
MAX_ARRAY_ITEMS = 1000
MAX_REASON_LENGTH = 2000
ALLOWED_BASES = ("national",)
NEW_PROVINCE = "new province"  # the diff of a version with no version before it
_ITEM_KEYS = ("code", "content_type")  # how list items are matched, as the loader does
_META_KEYS = ("source", "field_sources")

Problem = tuple[str, str]


class ProfileVersionError(ServiceError):
    """A refused submission, approval or rejection: code, message, the field path to blame
    (a profile field, "text", "past_reason", "reason", "operator", "version")."""


PROFILE_SUFFIX = ".toml"


def upload_text(upload) -> str:
    """The text of an uploaded profile file, for the console and the API alike: a `.toml`
    name, at most MAX_TEXT_BYTES read, UTF-8 text without NUL, a leading BOM dropped;
    ProfileVersionError (field "file") otherwise."""
    if not upload.name.lower().endswith(PROFILE_SUFFIX):
        raise ProfileVersionError(
            "file_type", _("Chỉ nhận tệp hồ sơ quy chế dạng TOML (đuôi .toml)."), "file"
        )
    too_long = ProfileVersionError(
        "file_too_long", _("Tệp hồ sơ quy chế dài tối đa 256 KiB."), "file"
    )
    if upload.size > MAX_TEXT_BYTES:
        raise too_long
    raw = upload.read(MAX_TEXT_BYTES + 1)
    if len(raw) > MAX_TEXT_BYTES:
        raise too_long
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is None or "\x00" in text:
        raise ProfileVersionError(
            "file_not_text",
            _("Tệp này không phải văn bản TOML mã hoá UTF-8: hãy tải lên tệp .toml."),
            "file",
        )
    return text.removeprefix("\ufeff")


class ProfileVersionNotFound(ProfileVersionError, ProfileVersion.DoesNotExist):
    """No such version: a ServiceError (not_found) that is also ProfileVersion.DoesNotExist."""

    kind = ErrorKind.NOT_FOUND


# --- validation ----------------------------------------------------------------------------


def _reason(value: Any, field: str) -> str:
    """A reason as stored: NFC, trimmed, at most MAX_REASON_LENGTH characters, no NUL."""
    reason = unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) else ""
    if len(reason) > MAX_REASON_LENGTH:
        raise ProfileVersionError(
            "reason_too_long",
            _("Lý do tối đa %(max)d ký tự.") % {"max": MAX_REASON_LENGTH},
            field,
        )
    return reason.replace("\x00", "")


def _normalised(text: Any) -> str:
    if not isinstance(text, str):
        raise ProfileVersionError("invalid_text", _("Nội dung hồ sơ phải là văn bản."), "text")
    return unicodedata.normalize("NFC", text)


def _shape_problems(data: Any) -> list[Problem]:
    """Depth, key count and array lengths of the parsed TOML, each with its path."""
    problems: list[Problem] = []
    keys = 0
    stack: list[tuple[Any, str, int]] = [(data, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, dict):
            if depth > MAX_DEPTH:
                problems.append((path, f"nested deeper than {MAX_DEPTH} levels"))
                continue
            keys += len(value)
            problems += [(path, "a key contains a NUL character") for key in value if "\x00" in key]
            for key, child in value.items():
                stack.append((child, f"{path}.{key}" if path else str(key), depth + 1))
        elif isinstance(value, str) and "\x00" in value:
            problems.append((path, "contains a NUL character"))
        elif isinstance(value, list):
            if depth > MAX_DEPTH:
                problems.append((path, f"nested deeper than {MAX_DEPTH} levels"))
                continue
            if len(value) > MAX_ARRAY_ITEMS:
                problems.append((path, f"{len(value)} items; at most {MAX_ARRAY_ITEMS}"))
                continue
            for index, child in enumerate(value):
                stack.append((child, f"{path}[{index}]", depth + 1))
    if keys > MAX_KEYS:
        problems.append(("", f"{keys} keys in all; at most {MAX_KEYS}"))
    return sorted(problems)


def _checked(text: str) -> tuple[Profile | None, list[Problem]]:
    """The composed, validated profile of a text, or every problem found as (path, reason)."""
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        return None, [("", f"{size} bytes; at most {MAX_TEXT_BYTES} (256 KiB)")]
    if "\x00" in text:
        return None, [("", "contains a NUL character")]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return None, [("", f"not valid TOML: {error}")]
    problems = _shape_problems(data)
    if "extends" in data and data["extends"] not in ALLOWED_BASES:
        problems.append(
            (
                "extends",
                f"only {', '.join(repr(b) for b in ALLOWED_BASES)} may be extended "
                "(no other province's file, no path)",
            )
        )
    if problems:
        return None, problems
    try:
        return parse_profile(text, name="upload.toml"), []
    except ProfileError as error:
        return None, [(path, reason) for path, reason in error.errors]


def validation_problems(text: str) -> list[Problem]:
    """Every problem of a profile text as (field path, reason); empty when it is valid. The path
    is "" for the text as a whole (too large, not TOML, too many keys)."""
    try:
        text = _normalised(text)
    except ProfileVersionError as error:
        return [("", str(error.message))]
    return _checked(text)[1]


def _refuse_problems(problems: list[Problem]) -> ProfileVersionError:
    fields: dict[str, list[str]] = {}
    for path, reason in problems:
        fields.setdefault(path or "text", []).append(reason)
    first_path, first_reason = problems[0]
    return ProfileVersionError(
        "profile_invalid",
        _("Hồ sơ không hợp lệ (%(count)d lỗi), ví dụ %(path)s: %(reason)s")
        % {"count": len(problems), "path": first_path or "text", "reason": first_reason},
        first_path or "text",
        fields=fields,
    )


# --- the diff ------------------------------------------------------------------------------


def _source_at(data: Any, parts: list[Any]) -> Any:
    """The source of the value at `parts`: the nearest `field_sources` entry naming it, else the
    nearest enclosing table's (or list item's) `source`."""
    found = None
    node = data
    for index, part in enumerate(parts):
        if isinstance(node, dict):
            sources = node.get("field_sources")
            last = index == len(parts) - 1
            if last and isinstance(sources, dict) and isinstance(part, str) and part in sources:
                return sources[part]
            if "source" in node:
                found = node["source"]
            node = node.get(part) if isinstance(part, str) else None
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            break
    if isinstance(node, dict) and "source" in node:
        found = node["source"]
    return found


def _keyed(items: list[Any]) -> dict[Any, int] | None:
    """{(key name, value): index} when every item is a table with a code or content_type."""
    keyed: dict[Any, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            return None
        key = next(((name, item[name]) for name in _ITEM_KEYS if name in item), None)
        if key is None or key in keyed:
            return None
        keyed[key] = index
    return keyed


def _path(parts: list[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _walk(before: Any, after: Any, parts_b: list[Any], parts_a: list[Any], out: list) -> None:
    if before == after:
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(k for k in after if k not in before)]:
            if key in _META_KEYS:
                continue
            _walk(before.get(key), after.get(key), [*parts_b, key], [*parts_a, key], out)
        return
    if isinstance(before, list) and isinstance(after, list):
        keyed_b, keyed_a = _keyed(before), _keyed(after)
        if keyed_b is not None and keyed_a is not None and (before or after):
            for key, index in keyed_a.items():
                old = keyed_b.get(key)
                _walk(
                    before[old] if old is not None else None,
                    after[index],
                    [*parts_b, old if old is not None else index],
                    [*parts_a, index],
                    out,
                )
            for key, old in keyed_b.items():
                if key not in keyed_a:
                    _walk(before[old], None, [*parts_b, old], [*parts_b, old], out)
            return
    out.append((parts_b, parts_a, before, after))


def profile_diff(before: dict[str, Any] | None, after: dict[str, Any]) -> list[dict[str, Any]]:
    """Field by field changes between two composed profiles (JSON form): each changed leaf one
    entry {path, before, after, source_before, source_after}; paths as the loader writes them
    ("qa.kinds.competence.working_days", "governance.roles[2].name"), list items matched by
    their code or content_type. Without a version before: one entry saying "new province"."""
    if before is None:
        province = after.get("province") or {}
        return [
            {
                "path": "",
                "before": None,
                "after": NEW_PROVINCE,
                "source_before": None,
                "source_after": province.get("source"),
            }
        ]
    changes: list[tuple[list[Any], list[Any], Any, Any]] = []
    _walk(before, after, [], [], changes)
    entries = []
    for parts_b, parts_a, old, new in changes:
        entries.append(
            {
                "path": _path(parts_a if new is not None else parts_b),
                "before": old,
                "after": new,
                "source_before": _source_at(before, parts_b) if old is not None else None,
                "source_after": _source_at(after, parts_a) if new is not None else None,
            }
        )
    return entries


def _data(profile: Profile) -> dict[str, Any]:
    return profile.model_dump(mode="json")


def _version_before(slug: str, effective: date) -> tuple[ProfileVersion | None, dict | None]:
    """The approved version in force just before `effective` (a stored one; the shipped file
    while the store holds none of the province's), composed with the national baseline in
    force on `effective` like the new version, so that the diff shows what the province's
    text changes, not what the baseline changed meanwhile: (row or None, data or None)."""
    approved = [ProfileVersion.Status.APPROVED]
    stored = (
        ProfileVersion.objects.filter(slug=slug, status__in=approved, effective_from__lt=effective)
        .order_by("-effective_from", "-pk")
        .first()
    )
    text = stored.text if stored is not None else None
    if stored is None and not ProfileVersion.objects.filter(slug=slug, status__in=approved):
        try:
            shipped = [p for p in profile_versions(slug) if p.effective_from < effective]
        except ProfileError:
            shipped = []
        if shipped:
            day = shipped[-1].effective_from.isoformat()
            text = (PROFILES_DIR / slug / f"{day}.toml").read_text(encoding="utf-8")
    if text is None:
        return stored, None
    try:
        return stored, _data(parse_profile(text, name=f"{slug}.toml", on=effective))
    except ProfileError:  # it no longer composes with that baseline: compare as stored
        return stored, stored.data if stored is not None else None


# --- the rules already in use --------------------------------------------------------------


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=VIETNAM)


def _rules_in_use(slug: str, effective: date) -> list[str]:
    """What the province (if onboarded) already computed under the rules of `effective` or
    later: questions received on or after it (each keeps the rules in force when it arrived)
    and editorial items whose update deadline was computed since (created or anchored)."""
    province = Province.objects.filter(slug=slug, is_template=False).first()
    if province is None:
        return []
    from django.db.models import Q

    from editorial.models import Item
    from qa.models import Question

    start = _start_of(effective)
    found = []
    with schema_context(province.schema_name):
        questions = Question.objects.filter(received_at__gte=start).count()
        items = (
            Item.objects.filter(sla_due_at__isnull=False)
            .filter(Q(created_at__gte=start) | Q(sla_anchor_at__gte=start))
            .count()
        )
    if questions:
        found.append(_("%(count)d câu hỏi nhận từ ngày đó") % {"count": questions})
    if items:
        found.append(_("%(count)d tin bài đã tính hạn cập nhật từ ngày đó") % {"count": items})
    return found


# --- operators -----------------------------------------------------------------------------


def is_operator(user: Any) -> bool:
    """A ministry operator: an active account of the public schema with staff or superuser
    rights (the console's check)."""
    return bool(
        user is not None
        and getattr(user, "is_active", False)
        and (getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))
    )


def _in_public(function):
    """Run a service in the public schema, where versions, operators and their audit live."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with schema_context(get_public_schema_name()):
            return function(*args, **kwargs)

    return wrapper


def _require_operator(operator: Any) -> None:
    """An operator of the public schema (a province's staff account, even with staff rights,
    is not one: its row lives in the province's schema)."""
    from accounts.models import User

    if not is_operator(operator) or not (
        User.objects.filter(
            pk=operator.pk, username=operator.get_username(), is_active=True
        ).exists()
    ):
        raise ProfileVersionError(
            "not_operator",
            _("Chỉ cán bộ vận hành của nền tảng mới được làm việc này."),
            "operator",
            kind=ErrorKind.FORBIDDEN,
        )


def _audit(operator, action: str, version: ProfileVersion, **data) -> None:
    from accounts.services import audit_record

    with schema_context(get_public_schema_name()):
        audit_record(
            actor=operator,
            action=action,
            target=f"{version.slug} {version.effective_from.isoformat()}",
            slug=version.slug,
            date=version.effective_from.isoformat(),
            version=version.pk,
            **data,
        )


def _invalidate(slug: str) -> None:
    import importlib

    try:
        profile_store = importlib.import_module("tenants.profile_store")
    except ImportError:  # the store's cache is not there: nothing to forget
        return
    invalidate = getattr(profile_store, "invalidate", None)
    if invalidate is not None:
        invalidate(slug)


# --- services ------------------------------------------------------------------------------


def _pending(slug: str, effective: date) -> ProfileVersion | None:
    return ProfileVersion.objects.filter(
        slug=slug, effective_from=effective, status=ProfileVersion.Status.SUBMITTED
    ).first()


def _refuse_pending(pending: ProfileVersion) -> ProfileVersionError:
    return ProfileVersionError(
        "already_submitted",
        _(
            "Đã có phiên bản số %(id)s của %(slug)s hiệu lực từ %(date)s đang chờ duyệt "
            "(do %(author)s gửi): hãy duyệt hoặc từ chối phiên bản đó trước."
        )
        % {
            "id": pending.pk,
            "slug": pending.slug,
            "date": pending.effective_from.isoformat(),
            "author": pending.author_name,
        },
        "province.effective_from",
        kind=ErrorKind.CONFLICT,
    )


def _refuse_in_use(effective: date, found: list[str]) -> ProfileVersionError:
    return ProfileVersionError(
        "rules_in_use",
        _(
            "Không thể thay đổi quy định từ ngày %(date)s: tỉnh đã áp dụng quy định đang có "
            "hiệu lực cho %(found)s. Hãy chọn ngày hiệu lực sau đó."
        )
        % {"date": effective.isoformat(), "found": "; ".join(found)},
        "province.effective_from",
        kind=ErrorKind.CONFLICT,
    )


@_in_public
@transaction.atomic
def version_submit(
    *, text: str, operator, past_reason: str = "", now: datetime | None = None
) -> ProfileVersion:
    """Store an operator's profile text as a submitted version, with its composed form and its
    diff against the approved version in force just before its effective date. Refuses an
    invalid text (every problem by path), a past effective date without a reason, a date from
    which the province already applied the rules in force, and a second pending version of
    the same province and day."""
    _require_operator(operator)
    text = _normalised(text)
    past_reason = _reason(past_reason, "past_reason")
    profile, problems = _checked(text)
    if problems or profile is None:
        raise _refuse_problems(problems)
    slug, effective = profile.province.slug, profile.effective_from
    today = now.astimezone(VIETNAM).date() if now is not None else today_in_vietnam()
    if effective < today and not past_reason:
        raise ProfileVersionError(
            "past_needs_reason",
            _(
                "Ngày hiệu lực %(date)s đã qua: hãy ghi rõ lý do áp dụng hồi tố để người duyệt "
                "xem xét."
            )
            % {"date": effective.isoformat()},
            "past_reason",
        )
    if found := _rules_in_use(slug, effective):
        raise _refuse_in_use(effective, found)
    if pending := _pending(slug, effective):
        raise _refuse_pending(pending)
    previous, before = _version_before(slug, effective)
    data = _data(profile)
    try:
        with transaction.atomic():
            version = ProfileVersion.objects.create(
                slug=slug,
                effective_from=effective,
                text=text,
                sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                data=data,
                origin=ProfileVersion.Origin.UPLOAD,
                status=ProfileVersion.Status.SUBMITTED,
                diff=profile_diff(before, data),
                previous=previous,
                author=operator,
                author_name=operator.get_username(),
                past_reason=past_reason if effective < today else "",
            )
            _audit(
                operator,
                "profile_submitted",
                version,
                past_reason=version.past_reason,
                changes=len(version.diff),
            )
    except IntegrityError:
        pending = _pending(slug, effective)
        if pending is not None:
            raise _refuse_pending(pending) from None
        raise
    return version


def _locked_submitted(version: ProfileVersion | int) -> ProfileVersion:
    pk = version.pk if isinstance(version, ProfileVersion) else version
    locked = ProfileVersion.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise ProfileVersionNotFound(
            "not_found", _("Không có phiên bản hồ sơ này."), "version", kind=ErrorKind.NOT_FOUND
        )
    if locked.status != ProfileVersion.Status.SUBMITTED:
        raise ProfileVersionError(
            "not_submitted",
            _("Phiên bản số %(id)s không còn chờ duyệt (%(status)s).")
            % {"id": locked.pk, "status": locked.get_status_display()},
            "version",
            kind=ErrorKind.CONFLICT,
        )
    return locked


@_in_public
def version_approve(
    *, version: ProfileVersion, operator, now: datetime | None = None
) -> ProfileVersion:
    """A second operator approves a submitted version (four eyes): the text is validated again,
    an approved version of the same province and day becomes superseded, and a province not
    onboarded yet is onboarded from it. The version then takes effect on its own date."""
    _require_operator(operator)
    with transaction.atomic():
        locked = _locked_submitted(version)
        if locked.author_id is not None and locked.author_id == operator.pk:
            raise ProfileVersionError(
                "own_submission",
                _(
                    "Bạn đã gửi phiên bản này: một cán bộ vận hành khác phải duyệt "
                    "(nguyên tắc bốn mắt)."
                ),
                "operator",
                kind=ErrorKind.FORBIDDEN,
            )
        profile, problems = _checked(locked.text)
        if problems or profile is None:
            raise _refuse_problems(problems)
        if found := _rules_in_use(locked.slug, locked.effective_from):
            raise _refuse_in_use(locked.effective_from, found)
        superseded = list(
            ProfileVersion.objects.select_for_update().filter(
                slug=locked.slug,
                effective_from=locked.effective_from,
                status=ProfileVersion.Status.APPROVED,
            )
        )
        for older in superseded:
            older.status = ProfileVersion.Status.SUPERSEDED
            older.save(update_fields=["status"])
        locked.status = ProfileVersion.Status.APPROVED
        locked.data = _data(profile)
        locked.reviewer = operator
        locked.reviewer_name = operator.get_username()
        locked.decided_at = now or timezone.now()
        locked.save(update_fields=["status", "data", "reviewer", "reviewer_name", "decided_at"])
        onboarded, onboarding = False, None
        if not Province.objects.filter(slug=locked.slug).exists():
            from tenants.services import OnboardingError, province_onboard

            try:
                onboarding = province_onboard(
                    profile=profile, dev_hosts=settings.PLATFORM_DEV_HOSTS
                )
            except OnboardingError as error:
                raise ProfileVersionError(
                    error.code,
                    _("Không khởi tạo được tỉnh từ phiên bản này: %(error)s")
                    % {"error": error.message},
                    error.field,
                    kind=ErrorKind.CONFLICT,
                ) from error
            onboarded = True
        _audit(
            operator,
            "profile_approved",
            locked,
            onboarded=onboarded,
            superseded=[older.pk for older in superseded],
        )
        # Now, for this transaction's own reads (the onboarding above, the caller's next
        # read), and again once committed: a process that read between the two would
        # otherwise keep the older versions under the newer token.
        slug = locked.slug
        _invalidate(slug)
        transaction.on_commit(lambda: _invalidate(slug))
    # Not stored: what the onboarding did, with the administrator's one-time secret to show
    # once (None when the province existed).
    locked.onboarding = onboarding  # type: ignore[attr-defined]
    return locked


@_in_public
def version_reject(
    *, version: ProfileVersion, operator, reason: str, now: datetime | None = None
) -> ProfileVersion:
    """Reject a submitted version with a reason (1 to 2,000 characters); by its author it is a
    withdrawal, recorded as such."""
    _require_operator(operator)
    reason = _reason(reason, "reason")
    if not reason:
        raise ProfileVersionError(
            "reason_required", _("Hãy ghi lý do từ chối."), "reason", kind=ErrorKind.INVALID
        )
    with transaction.atomic():
        locked = _locked_submitted(version)
        withdrawn = locked.author_id is not None and locked.author_id == operator.pk
        locked.status = ProfileVersion.Status.REJECTED
        locked.reviewer = operator
        locked.reviewer_name = operator.get_username()
        locked.decided_at = now or timezone.now()
        locked.decision_reason = reason
        locked.save(
            update_fields=["status", "reviewer", "reviewer_name", "decided_at", "decision_reason"]
        )
        _audit(operator, "profile_rejected", locked, reason=reason, withdrawn=withdrawn)
    return locked


def version_withdrawn(version: ProfileVersion) -> bool:
    """A rejection by the version's own author: a withdrawal."""
    return (
        version.status == ProfileVersion.Status.REJECTED
        and version.reviewer_id is not None
        and version.reviewer_id == version.author_id
    )


# --- selectors -----------------------------------------------------------------------------


def version_export(*, version: ProfileVersion) -> tuple[str, str]:
    """("<slug>/<effective date>.toml", the text exactly as stored): a file the loader reads
    as it read the upload, to keep a province's history in a repository too."""
    return f"{version.slug}/{version.effective_from.isoformat()}.toml", version.text


def version_history(slug: str) -> QuerySet[ProfileVersion]:
    """Every stored version of a province, newest effective date first."""
    return ProfileVersion.objects.filter(slug=str(slug)[:40]).order_by("-effective_from", "-pk")


def version_get(pk: Any) -> ProfileVersion:
    try:
        number = int(pk)
    except (TypeError, ValueError):
        number = -1
    version = (
        ProfileVersion.objects.select_related("author", "reviewer", "previous")
        .filter(pk=number)
        .first()
        if 0 < number < 2**63
        else None
    )
    if version is None:
        raise ProfileVersionNotFound(
            "not_found", _("Không có phiên bản hồ sơ này."), "version", kind=ErrorKind.NOT_FOUND
        )
    return version


def version_list(status: str | None = None) -> QuerySet[ProfileVersion]:
    """Stored versions, newest submission first; `status` one of ProfileVersion.Status."""
    versions = ProfileVersion.objects.order_by("-submitted_at", "-pk")
    if status is None:
        return versions
    if status not in ProfileVersion.Status.values:
        raise ProfileVersionError(
            "invalid_status", _("Trạng thái không hợp lệ."), "status", kind=ErrorKind.INVALID
        )
    return versions.filter(status=status)


def version_profile(version: ProfileVersion, on: date | None = None) -> Profile:
    """The stored version as a profile, composed with the national baseline in force on `on`
    (default: its own effective date)."""
    return parse_profile(version.text, name=f"version:{version.pk}", on=on)
