"""Agencies renamed, merged and retired inside one province (the 2025 reform, issue 16): one
flow with a dry run, for the command line, the operators' console and their API.

A list of changes is run in order, each against the province as the changes before it left it,
so a plan's counts are those the apply will find: the dry run runs the very same code in a
transaction it rolls back, rather than a second counting path that could drift from the real
one. Apply is one transaction: any problem in any change and nothing is stored.

What an agency keeps through a merge or a retirement: its items (news, pages, procedures), its
categories, its Q&A topics and questions (an open question keeps its tracking code, due date and
rule: the citizen's deadline never moves because the reform did), its staff's roles and the
delegations still running. Reports and cost lines stay with the old agency: they are the
history of what it did. Its hosts keep answering with a redirect to the agency that took it
over (tenants.HostRedirect), an address renamed on the way with its own (PathRedirect)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django_tenants.utils import schema_context

from core.errors import ErrorKind, Message, ServiceError
from editorial.models import Category, Item, Kind
from organization.models import Agency, ComponentSite, Delegation, RoleAssignment
from organization.selectors import agency_by_reference
from provinces.naming import HostNameError, component_host, is_valid_hostname
from qa.models import Question, Topic
from tenants.models import Domain, HostRedirect, PathRedirect, Province
from tenants.services import dev_host_for

MAX_CHANGES = 200
MAX_TEXT = 255  # every string of a change (Agency.name's length)
MAX_SHORT_NAME = 60  # Agency.short_name
RENAME, MERGE, RETIRE = "rename", "merge", "retire"
KEYS = {
    RENAME: ({"action", "agency", "name"}, {"short_name", "label"}),
    MERGE: ({"action", "agency", "into"}, set()),
    RETIRE: ({"action", "agency", "successor"}, set()),
}
ACTION_LABELS: dict[str, Message] = {
    RENAME: _("Đổi tên cơ quan"),
    MERGE: _("Hợp nhất cơ quan"),
    RETIRE: _("Giải thể cơ quan"),
}
REASONS = {
    RENAME: HostRedirect.Reason.AGENCY_RENAME,
    MERGE: HostRedirect.Reason.AGENCY_MERGE,
    RETIRE: HostRedirect.Reason.AGENCY_RETIRE,
}
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class AgencyChangeError(ServiceError):
    """A refused list of agency changes: `plan` holds every change with its problems (and
    `fields` each problem by its path, "changes[2].into"); nothing was stored."""

    def __init__(self, *args, plan: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan or {}


@dataclass
class _Outcome:
    """What one change does (or would do), as the plan reports it."""

    index: int
    action: str
    agency: Agency | None = None
    target: Agency | None = None
    problems: list[dict[str, str]] = field(default_factory=list)
    moves: dict[str, Any] = field(default_factory=dict)
    slug_renames: list[dict[str, str]] = field(default_factory=list)
    host_redirects: list[dict[str, str]] = field(default_factory=list)
    new_hosts: list[str] = field(default_factory=list)
    rename: dict[str, str] = field(default_factory=dict)
    dropped_roles: list[dict[str, str]] = field(default_factory=list)
    touched_hosts: list[str] = field(default_factory=list)  # redirects changed in bulk

    def refuse(self, where: str, code: str, message: Message) -> None:
        self.problems.append(
            {"path": f"changes[{self.index}].{where}", "code": code, "message": str(message)}
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "action": self.action,
            "action_label": str(ACTION_LABELS.get(self.action, self.action)),
            "agency": _agency_dict(self.agency),
            "target": _agency_dict(self.target),
            "rename": self.rename,
            "moves": self.moves,
            "slug_renames": self.slug_renames,
            "host_redirects": self.host_redirects,
            "new_hosts": self.new_hosts,
            "dropped_roles": self.dropped_roles,
            "problems": self.problems,
        }


def _agency_dict(agency: Agency | None) -> dict[str, Any] | None:
    if agency is None:
        return None
    site = getattr(agency, "site", None) if agency.pk else None
    return {
        "id": agency.pk,
        "name": agency.name,
        "short_name": agency.short_name,
        "label": site.label if site is not None else "",
        "host": site.host if site is not None else "",
    }


# --- input -------------------------------------------------------------------------------


def _problem(path: str, code: str, message: Message) -> dict[str, str]:
    return {"path": path, "code": code, "message": str(message)}


def _clean_changes(changes: Any) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The changes with every string NFC and trimmed, and the problems of their shape (bounds,
    unknown keys, missing ones, the wrong type): checked before anything is looked up."""
    if not isinstance(changes, list) or not changes:
        return [], [_problem("changes", "no_changes", _("Hãy nêu ít nhất một thay đổi."))]
    if len(changes) > MAX_CHANGES:
        return [], [
            _problem(
                "changes",
                "too_many_changes",
                _("Tối đa %(max)d thay đổi trong một lần.") % {"max": MAX_CHANGES},
            )
        ]
    cleaned: list[dict[str, str]] = []
    problems: list[dict[str, str]] = []
    for index, change in enumerate(changes):
        where = f"changes[{index}]"
        if not isinstance(change, dict):
            problems.append(_problem(where, "invalid_change", _("Mỗi thay đổi là một đối tượng.")))
            cleaned.append({})
            continue
        action = change.get("action")
        if not isinstance(action, str) or action not in KEYS:
            problems.append(
                _problem(
                    f"{where}.action",
                    "unknown_action",
                    _(
                        "Thao tác phải là đổi tên (rename), hợp nhất (merge) hoặc giải thể "
                        "(retire)."
                    ),
                )
            )
            cleaned.append({})
            continue
        required, optional = KEYS[action]
        values: dict[str, str] = {}
        for key in sorted(change, key=str):
            value = change[key]
            if key not in required | optional:
                problems.append(
                    _problem(
                        f"{where}.{str(key)[:40]}",
                        "unknown_key",
                        _("Trường này không dùng được cho thao tác này."),
                    )
                )
                continue
            if value is None and key in optional:
                continue
            if not isinstance(value, str):
                problems.append(_problem(f"{where}.{key}", "not_text", _("Phải là một chuỗi.")))
                continue
            if len(value) > MAX_TEXT:
                problems.append(
                    _problem(
                        f"{where}.{key}",
                        "too_long",
                        _("Dài tối đa %(max)d ký tự.") % {"max": MAX_TEXT},
                    )
                )
                continue
            if "\x00" in value:
                problems.append(_problem(f"{where}.{key}", "nul", _("Không được chứa ký tự NUL.")))
                continue
            values[key] = unicodedata.normalize("NFC", value).strip()
        for key in sorted(required - set(change)):
            problems.append(_problem(f"{where}.{key}", "required", _("Trường này là bắt buộc.")))
        cleaned.append(values)
    return cleaned, problems


# --- the flow ----------------------------------------------------------------------------


def agency_changes_plan(*, province: Province, changes: list[dict]) -> dict:
    """The dry run: what each change would move, rename and redirect, and its problems.
    Changes nothing (the same run as the apply, in a transaction rolled back)."""
    return _run(province=province, changes=changes, actor=None, apply=False)


def agency_changes_apply(*, province: Province, changes: list[dict], actor) -> dict:
    """Run the changes, in one transaction: the plan plus what was done. Refuses with
    AgencyChangeError (carrying the plan) when any change has a problem; nothing is stored.
    `actor`: the operator (a public-schema account), or None for the server's command line."""
    if actor is not None and not (actor.is_active and (actor.is_staff or actor.is_superuser)):
        raise AgencyChangeError(
            "not_operator",
            _("Chỉ cán bộ vận hành của nền tảng mới được làm việc này."),
            "operator",
            kind=ErrorKind.FORBIDDEN,
        )
    return _run(province=province, changes=changes, actor=actor, apply=True)


def _run(*, province: Province, changes: Any, actor, apply: bool) -> dict:
    cleaned, problems = _clean_changes(changes)
    plan: dict[str, Any] = {
        "province": province.slug,
        "province_name": province.name,
        "dry_run": not apply,
        "applied": False,
        "changes": [],
        "problems": problems,
    }
    if province.merged_into_id is not None or province.frozen_at is not None:
        problems.append(
            _problem(
                "province",
                "province_frozen",
                _("Tỉnh này đang được hợp nhất hoặc đã hợp nhất; không thay đổi cơ quan được."),
            )
        )
    if problems:
        return _refused(plan) if apply else plan
    with schema_context(province.schema_name):
        try:
            with transaction.atomic():
                outcomes = _execute(province, cleaned)
                plan["changes"] = [outcome.as_dict() for outcome in outcomes]
                for outcome in outcomes:
                    problems.extend(outcome.problems)
                if not apply or problems:
                    raise _Rollback
                _after_apply(province, outcomes, actor, cleaned)
        except _Rollback:
            pass
    if apply and problems:
        return _refused(plan)
    plan["applied"] = apply
    return plan


class _Rollback(Exception):
    """Leaves the atomic block so that it rolls back (the dry run, or a refusal)."""


def _refused(plan: dict) -> dict:
    raise refusal_of(plan)


def refusal_of(plan: dict) -> AgencyChangeError:
    """The refusal of a plan with problems: each problem's message under its path, the plan
    attached (a dry run answered as the apply would refuse it)."""
    fields: dict[str, list[Message]] = {}
    for problem in plan["problems"]:
        fields.setdefault(problem["path"], []).append(problem["message"])
    return AgencyChangeError(
        "agency_changes_invalid",
        _("Các thay đổi cơ quan có vấn đề; chưa có gì được thực hiện."),
        "changes",
        fields=fields,
        plan=plan,
    )


def _execute(province: Province, changes: list[dict[str, str]]) -> list[_Outcome]:
    subjects: dict[int, int] = {}  # agency pk → the change that renames, merges or retires it
    gone: dict[int, int] = {}  # agency pk → the change that merged or retired it
    outcomes = []
    for index, change in enumerate(changes):
        outcome = _Outcome(index=index, action=change["action"])
        outcomes.append(outcome)
        agency = _agency(outcome, change["agency"], "agency")
        outcome.agency = agency
        if agency is not None:
            if agency.pk in gone:
                outcome.refuse(
                    "agency",
                    "agency_gone",
                    _("Cơ quan này đã được hợp nhất hoặc giải thể ở thay đổi số %(n)d.")
                    % {"n": gone[agency.pk] + 1},
                )
            elif agency.pk in subjects:
                outcome.refuse(
                    "agency",
                    "changed_twice",
                    _("Cơ quan này đã có một thay đổi khác ở thay đổi số %(n)d.")
                    % {"n": subjects[agency.pk] + 1},
                )
            elif not agency.is_active:
                outcome.refuse("agency", "agency_inactive", _("Cơ quan này đã ngừng hoạt động."))
        if outcome.action == RENAME:
            _rename(province, outcome, agency, change)
        else:
            key = "into" if outcome.action == MERGE else "successor"
            target = _agency(outcome, change[key], key)
            outcome.target = target
            _check_target(outcome, agency, target, key, gone)
            if not outcome.problems and agency is not None and target is not None:
                _move(province, outcome, agency, target)
                gone[agency.pk] = index
        if agency is not None:
            subjects.setdefault(agency.pk, index)
    return outcomes


def _agency(outcome: _Outcome, reference: str, where: str) -> Agency | None:
    agency = agency_by_reference(reference) if reference else None
    if agency is None:
        outcome.refuse(
            where,
            "unknown_agency",
            _("Không có cơ quan “%(ref)s” trong tỉnh (tên, tên viết tắt hoặc nhãn trang).")
            % {"ref": reference},
        )
        return None
    return Agency.objects.select_for_update().get(pk=agency.pk)


def _check_target(
    outcome: _Outcome, agency: Agency | None, target: Agency | None, key: str, gone: dict
) -> None:
    if target is None:
        return
    if agency is not None and target.pk == agency.pk:
        outcome.refuse(key, "into_itself", _("Không thể hợp nhất một cơ quan vào chính nó."))
    elif target.pk in gone:
        outcome.refuse(
            key,
            "target_gone",
            _("Cơ quan nhận đã được hợp nhất hoặc giải thể ở thay đổi số %(n)d.")
            % {"n": gone[target.pk] + 1},
        )
    elif not target.is_active:
        outcome.refuse(key, "target_inactive", _("Cơ quan nhận đã ngừng hoạt động."))
    else:
        site = _site_of(target)
        if site is None or not site.is_active:
            outcome.refuse(
                key,
                "target_without_site",
                _(
                    "Cơ quan nhận không có trang thông tin điện tử thành phần để nhận nội dung; "
                    "hãy chọn cơ quan khác."
                ),
            )


def _site_of(agency: Agency) -> ComponentSite | None:
    return ComponentSite.objects.filter(agency=agency).first()


def _hosts_of(site: ComponentSite) -> list[str]:
    return [host for host in (site.host, *(site.alternate_hosts or []), site.dev_host) if host]


# --- rename ------------------------------------------------------------------------------


def _rename(
    province: Province, outcome: _Outcome, agency: Agency | None, change: dict[str, str]
) -> None:
    name = change["name"]
    short_name = change.get("short_name")
    label = change.get("label")
    if not name:
        outcome.refuse("name", "name_required", _("Tên mới không được để trống."))
    elif Agency.objects.filter(name=name).exclude(pk=agency.pk if agency else 0).exists():
        outcome.refuse("name", "name_taken", _("Đã có một cơ quan mang tên này."))
    if short_name is not None and len(short_name) > MAX_SHORT_NAME:
        outcome.refuse(
            "short_name",
            "too_long",
            _("Tên viết tắt dài tối đa %(max)d ký tự.") % {"max": MAX_SHORT_NAME},
        )
    site = _site_of(agency) if agency is not None else None
    new_hosts: _SiteHosts | None = None
    if label:
        label = label.lower()
        new_hosts = _label_hosts(province, outcome, site, label)
    elif label is not None:
        outcome.refuse("label", "label_required", _("Nhãn trang mới không được để trống."))
    if agency is None or outcome.problems:
        return
    if (
        name == agency.name
        and (short_name is None or short_name == agency.short_name)
        and not new_hosts
    ):
        outcome.refuse("name", "no_change", _("Thay đổi này không đổi gì của cơ quan."))
        return
    outcome.rename = {
        "name_before": agency.name,
        "name_after": name,
        "short_name_before": agency.short_name,
        "short_name_after": short_name if short_name is not None else agency.short_name,
        "label_before": site.label if site is not None else "",
        "label_after": label or (site.label if site is not None else ""),
    }
    former_name = agency.name
    agency.name = name
    fields = ["name"]
    if short_name is not None:
        agency.short_name = short_name
        fields.append("short_name")
    agency.save(update_fields=fields)
    if site is None or not new_hosts:
        return
    assert label is not None
    old_site_hosts = _hosts_of(site)
    site.label = label
    site.host = new_hosts.host
    site.alternate_hosts = new_hosts.alternates
    site.dev_host = new_hosts.dev_host
    site.save(update_fields=["label", "host", "alternate_hosts", "dev_host"])
    for host in _hosts_of(site):
        Domain.objects.create(
            domain=host,
            tenant=province,
            kind=Domain.Kind.COMPONENT,
            is_development=host == site.dev_host,
            is_primary=False,
        )
        outcome.new_hosts.append(host)
    for old in old_site_hosts:
        target = new_hosts.redirects[old]
        _redirect_host(province, outcome, old, target, RENAME, former_name, agency.name)


@dataclass(frozen=True)
class _SiteHosts:
    """A site's hosts under a new label, and where each of its old hosts redirects."""

    host: str
    alternates: list[str]
    dev_host: str | None
    redirects: dict[str, str]


def _label_hosts(
    province: Province, outcome: _Outcome, site: ComponentSite | None, label: str
) -> _SiteHosts | None:
    """The site's hosts for a new site label, from the profile's host patterns; problems
    for a label that breaks DNS rules or a host already taken (on any province)."""
    from core.profiles import current_profile

    if site is None:
        outcome.refuse("label", "no_site", _("Cơ quan này không có trang thành phần để đổi nhãn."))
        return None
    if label == site.label:
        return None
    if not _LABEL.match(label):
        outcome.refuse(
            "label",
            "label_invalid",
            _("Nhãn trang chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang (tối đa 63)."),
        )
        return None
    profile = current_profile()
    try:
        host = component_host(profile.domains.component_host_pattern, label)
        alternates = [
            component_host(pattern, label) for pattern in profile.domains.alternate_host_patterns
        ]
        dev = None
        if site.dev_host:
            # As onboarding names it: the production host's first label under the province's.
            dev = dev_host_for(province.slug, host.split(".", 1)[0])
            if not is_valid_hostname(dev):
                raise HostNameError(dev)
    except HostNameError:
        outcome.refuse(
            "label", "label_invalid", _("Nhãn trang này không tạo được tên miền hợp lệ.")
        )
        return None
    # The site's hosts as onboarding would give them now; each old one redirects to its
    # counterpart (an alternate the profile no longer names, to the new production host).
    mapping = {site.host: host}
    for index, old in enumerate(site.alternate_hosts or []):
        mapping[old] = alternates[index] if index < len(alternates) else host
    if site.dev_host and dev:
        mapping[site.dev_host] = dev
    news = [h for h in (host, *alternates, dev) if h]
    if len(set(news)) != len(news):
        outcome.refuse("label", "host_taken", _("Nhãn trang này cho hai tên miền trùng nhau."))
        return None
    taken = _hosts_taken(news, site, label)
    if taken:
        outcome.refuse(
            "label",
            "host_taken",
            _("Tên miền của nhãn trang này đã được dùng: %(hosts)s.") % {"hosts": ", ".join(taken)},
        )
        return None
    return _SiteHosts(host=host, alternates=alternates, dev_host=dev, redirects=mapping)


def _hosts_taken(hosts: list[str], site: ComponentSite, label: str) -> list[str]:
    """The hosts already used: a Domain row of any province (public schema), a redirected
    host, or a component site of this province (its host, development host or alternate)."""
    taken = set(Domain.objects.filter(domain__in=hosts).values_list("domain", flat=True))
    taken |= set(HostRedirect.objects.filter(host__in=hosts).values_list("host", flat=True))
    for other in ComponentSite.objects.exclude(pk=site.pk):
        taken |= {h for h in _hosts_of(other) if h in hosts}
        if other.label == label:
            taken.add(label)
    return sorted(taken)


# --- merge and retire --------------------------------------------------------------------


def _move(province: Province, outcome: _Outcome, agency: Agency, target: Agency) -> None:
    old_site = _site_of(agency)
    target_site = _site_of(target)
    assert target_site is not None  # _check_target refused a target without a site
    now = timezone.now()
    items = Item.objects.filter(
        Q(agency=agency) | Q(site=old_site) if old_site else Q(agency=agency)
    )
    kinds = Counter(items.values_list("kind", flat=True))
    questions = Question.objects.filter(agency=agency)
    open_questions = questions.filter(
        status__in=(Question.Status.RECEIVED, Question.Status.IN_PROGRESS)
    ).count()
    topics = Topic.objects.filter(agency=agency)
    categories = Category.objects.filter(site=old_site) if old_site else Category.objects.none()
    delegations = Delegation.objects.filter(agency=agency, revoked_at__isnull=True, ends_at__gt=now)
    outcome.moves = {
        "items": [
            {
                "kind": kind,
                "label": str(Kind(kind).label) if kind in Kind.values else kind,
                "count": count,
            }
            for kind, count in sorted(kinds.items())
        ],
        "items_total": sum(kinds.values()),
        "procedures": kinds.get(Kind.PROCEDURE, 0),
        "categories": categories.count(),
        "topics": topics.count(),
        "questions_open": open_questions,
        "questions_closed": questions.count() - open_questions,
        "role_assignments": 0,
        "delegations": delegations.count(),
    }
    old_hosts = _hosts_of(old_site) if old_site else []
    if old_site is not None:
        _move_site_content(outcome, old_site, target_site, old_hosts)
    # Items of the agency published on the portal itself (no site) change agency only.
    Item.objects.filter(agency=agency).update(agency=target)
    topics.update(agency=target)
    # An open question keeps its tracking code, due date and the rule it was computed under.
    questions.update(agency=target)
    _move_roles(outcome, agency, target)
    delegations.update(agency=target)
    agency.is_active = False
    agency.save(update_fields=["is_active"])
    if old_site is not None:
        old_site.is_active = False
        old_site.save(update_fields=["is_active"])
        for old in old_hosts:
            new = target_site.host
            if old == old_site.dev_host and target_site.dev_host:
                new = target_site.dev_host
            _redirect_host(province, outcome, old, new, outcome.action, agency.name, target.name)


def _move_site_content(
    outcome: _Outcome, old_site: ComponentSite, target_site: ComponentSite, old_hosts: list[str]
) -> None:
    """The site's categories and items onto the target site; a slug the target already uses
    gets the first free `<slug>-N`, and its old addresses a PathRedirect to the new one."""
    taken_categories = set(Category.objects.filter(site=target_site).values_list("slug", flat=True))
    for category in Category.objects.filter(site=old_site).order_by("pk"):
        slug = category.slug
        if slug in taken_categories:
            new = _free_slug(slug, taken_categories, Category._meta.get_field("slug").max_length)
            category.slug = new
            _path_renames(
                outcome,
                old_hosts,
                old_site,
                target_site,
                "category",
                slug,
                new,
                [(_section_path(slug), _section_path(new)), (_rss_path(slug), _rss_path(new))],
            )
        taken_categories.add(category.slug)
        category.site = target_site
        category.save(update_fields=["site", "slug"])
    taken_items: dict[str, set[str]] = {}
    for language, slug in Item.objects.filter(site=target_site).values_list("language", "slug"):
        taken_items.setdefault(language, set()).add(slug)
    max_length = Item._meta.get_field("slug").max_length
    for item in Item.objects.filter(site=old_site).order_by("pk"):
        taken = taken_items.setdefault(item.language, set())
        slug = item.slug
        if slug in taken:
            new = _free_slug(slug, taken, max_length)
            item.slug = new
            _path_renames(
                outcome,
                old_hosts,
                old_site,
                target_site,
                "item",
                slug,
                new,
                [(_item_path(slug, item.language), _item_path(new, item.language))],
            )
        taken.add(item.slug)
        item.site = target_site
        item.save(update_fields=["site", "slug"])


def _free_slug(slug: str, taken: set[str], max_length: int | None) -> str:
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = slug[: (max_length or 255) - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


def _item_path(slug: str, language: str) -> str:
    # Reversed by name: the web layer's addresses, never a module's internals (import contracts).
    if language == "vi":
        return reverse("frontend:item", kwargs={"slug": slug}, urlconf=settings.ROOT_URLCONF)
    return reverse(
        "frontend:item_translation", kwargs={"slug": slug}, urlconf=settings.ROOT_URLCONF
    )


def _section_path(slug: str) -> str:
    return reverse("frontend:section", kwargs={"slug": slug}, urlconf=settings.ROOT_URLCONF)


def _rss_path(slug: str) -> str:
    return reverse("frontend:category_rss", kwargs={"slug": slug}, urlconf=settings.ROOT_URLCONF)


def _path_renames(
    outcome: _Outcome,
    old_hosts: list[str],
    old_site: ComponentSite,
    target_site: ComponentSite,
    what: str,
    old_slug: str,
    new_slug: str,
    paths: list[tuple[str, str]],
) -> None:
    outcome.slug_renames.append(
        {
            "what": what,
            "what_label": _g("chuyên mục") if what == "category" else _g("bài viết"),
            "old_slug": old_slug,
            "new_slug": new_slug,
            "old_path": paths[0][0],
            "new_path": paths[0][1],
        }
    )
    for host in old_hosts:
        target_host = (
            target_site.dev_host
            if host == old_site.dev_host and target_site.dev_host
            else target_site.host
        )
        for old_path, new_path in paths:
            PathRedirect.objects.update_or_create(
                host=host,
                old_path=old_path,
                defaults={"target_host": target_host, "new_path": new_path},
            )


def _move_roles(outcome: _Outcome, agency: Agency, target: Agency) -> None:
    """The agency's role assignments onto the target; one its holder already has there is
    dropped (the unique assignment per user, role and agency), and reported."""
    held = set(RoleAssignment.objects.filter(agency=target).values_list("user_id", "role_id"))
    moved = 0
    for assignment in (
        RoleAssignment.objects.filter(agency=agency).select_related("user", "role").order_by("pk")
    ):
        if (assignment.user_id, assignment.role_id) in held:
            outcome.dropped_roles.append(
                {"user": assignment.user.get_username(), "role": assignment.role.name}
            )
            assignment.delete()
            continue
        assignment.agency = target
        assignment.save(update_fields=["agency"])
        moved += 1
    outcome.moves["role_assignments"] = moved
    outcome.moves["role_assignments_dropped"] = len(outcome.dropped_roles)


def _redirect_host(
    province: Province,
    outcome: _Outcome,
    host: str,
    target_host: str,
    action: str,
    former_name: str,
    current_name: str,
) -> None:
    """`host` answers with a redirect to `target_host`; a host that redirected to `host` now
    goes straight to `target_host` (no chain of redirects after two reforms)."""
    HostRedirect.objects.update_or_create(
        host=host,
        defaults={
            "province": province,
            "target_host": target_host,
            "reason": REASONS[action],
            "former_name": former_name,
            "current_name": current_name,
        },
    )
    earlier = HostRedirect.objects.filter(target_host=host).exclude(host=target_host)
    paths = PathRedirect.objects.filter(target_host=host)
    # Bulk updates send no signal: their hosts' cached redirects are forgotten on commit.
    outcome.touched_hosts += earlier.values_list("host", flat=True)
    outcome.touched_hosts += paths.values_list("host", flat=True)
    earlier.update(target_host=target_host, current_name=current_name)
    paths.update(target_host=target_host)
    outcome.host_redirects.append(
        {
            "host": host,
            "target_host": target_host,
            "reason": REASONS[action].value,
            "reason_label": str(REASONS[action].label),
        }
    )


# --- after the apply ---------------------------------------------------------------------


def _after_apply(
    province: Province, outcomes: list[_Outcome], actor, changes: list[dict[str, str]]
) -> None:
    """The audit row in the province, then on commit: the province's caches forgotten (pages,
    hosts, sites) and its search documents rebuilt from the modules (moved items' sites and
    topics' agencies changed)."""
    from accounts.services import audit_record
    from backups.services import cache_forget_schema
    from search import registry
    from search.services import after_commit, documents_rebuild_all
    from tenants.hosts import host_cache_forget
    from tenants.redirects import redirects_forget

    audit_record(
        actor=None,
        actor_name=actor.get_username() if actor is not None else None,
        action="agency_changes",
        target=", ".join(o.agency.name for o in outcomes if o.agency is not None)[:300],
        changes=changes,
        via="operator" if actor is not None else "command",
        host_redirects=[r["host"] for o in outcomes for r in o.host_redirects],
    )
    hosts = [r["host"] for o in outcomes for r in o.host_redirects]
    hosts += [h for o in outcomes for h in (*o.new_hosts, *o.touched_hosts)]
    schema = province.schema_name

    def forget() -> None:
        cache_forget_schema(schema)
        if hosts:
            host_cache_forget(*hosts)
            redirects_forget(*hosts)

    def reindex() -> None:
        documents_rebuild_all(registry.sources())

    transaction.on_commit(forget, robust=True)
    after_commit(reindex)
