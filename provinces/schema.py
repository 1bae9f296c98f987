"""The typed schema of a province's rule profile (docs: /work/shared/design/PROFILES.md).

A profile is data: one TOML file per province and version, validated here when loaded
(`provinces.loader`). Every rule-bearing table carries `source`: the article it comes from
("QĐ 40/2012 Art. 14(4)"), a national text ("Decree 43/2011 Art. 17"), or exactly
"platform default" where the regulation is silent. A table whose fields come from several
articles names the exceptions in `field_sources` ({field: source}).

Pure Python (pydantic v2): no Django here. Models are frozen and refuse unknown keys.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, model_validator
from pydantic_core import PydanticCustomError
from unidecode import unidecode

from core.text import nfc_data
from provinces.colours import HEX_COLOUR, MIN_CONTRAST, contrast
from provinces.items import (
    ANCHOR_FIELDS,
    FIELDS_OF_ANCHOR,
    ITEM_FLAGS,
    ITEM_KINDS,
    PROCEDURE_REQUIREMENTS,
)
from provinces.naming import HostNameError, agency_label, is_valid_hostname

PLATFORM_DEFAULT = "platform default"
SCHEMA_VERSION = 1

SLUG_PATTERN = r"^[a-z][a-z0-9]{1,30}$"
CODE_PATTERN = r"^[a-z][a-z0-9_]*$"
_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_MAILBOX = re.compile(r"^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)+$")

Code = Annotated[str, Field(pattern=CODE_PATTERN, max_length=60)]
Text = Annotated[str, Field(min_length=1)]
PositiveDays = Annotated[StrictInt, Field(gt=0)]

# ADR 0014: every field changes behaviour, or says which module it waits for. The rule is
# validated today so a profile is complete when the module lands; no code acts on it yet.
# `manage.py profiles awaiting` lists them; tests/provinces/test_profile_fields_read.py holds
# every other field to being read by code.
AWAITED_MODULES: dict[str, str] = {
    "operations": "Operations: 24/7 monitoring and the annual review (vận hành, rà soát hằng năm)",
    "portal_about": "The portal's about page: its board and operators (trang giới thiệu)",
    "access_levels": "Access levels of staff accounts (cấp quyền truy cập)",
}


def awaiting(module: str, **field: Any) -> Any:
    """A field (or a whole table) whose module does not exist yet: `Field(**field)` marked
    with the module's key (one of AWAITED_MODULES)."""
    if module not in AWAITED_MODULES:
        raise ValueError(f"unknown module '{module}' (AWAITED_MODULES has the known ones)")
    return Field(json_schema_extra={"awaiting": module}, **field)


AgencyKind = Literal["department", "district", "commune", "sector", "other"]
StepAction = Literal["submit", "review", "approve", "publish", "post_check"]
SlaAnchor = Literal["event", "issue", "effective", "period_end", "receipt", "completion"]
Cadence = Literal[
    "weekly", "monthly", "quarterly", "semiannual", "yearly", "periodic", "on_request"
]
ServiceLevel = Literal["level1", "level2", "level3", "level4", "full", "partial"]


def rule_error(problems: list[tuple[str, str]]) -> PydanticCustomError:
    """A cross-field error located below the model that raises it: the loader joins each
    sub-path to the model's own location ("governance" + "workflows.portal.steps[1].role")."""
    message = "; ".join(f"{path}: {reason}" if path else reason for path, reason in problems)
    return PydanticCustomError(
        "profile_rule", "{message}", {"message": message, "problems": list(problems)}
    )


def source_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "source must name an article, a national text or 'platform default'"
    if value.strip().lower().startswith(PLATFORM_DEFAULT) and value != PLATFORM_DEFAULT:
        return f"write exactly '{PLATFORM_DEFAULT}' for a default (got '{value}')"
    if len(value) > 200:
        return "source is longer than 200 characters"
    return None


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _normalise_text(cls, data: Any) -> Any:
        # Vietnamese text is stored precomposed (TCVN 6909:2001 = Unicode NFC): every string,
        # however deeply nested, before it is validated (core.text, pure Python).
        return nfc_data(data)


class Sourced(Frozen):
    """A rule-bearing table: `source` for the whole table, `field_sources` for its exceptions."""

    source: str
    field_sources: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_sources(self) -> Sourced:
        problems = []
        if reason := source_problem(self.source):
            problems.append(("source", reason))
        fields = set(type(self).model_fields) - {"source", "field_sources"}
        for name, value in self.field_sources.items():
            if name not in fields:
                problems.append((f"field_sources.{name}", f"'{name}' is not a field of this table"))
            elif reason := source_problem(value):
                problems.append((f"field_sources.{name}", reason))
        if problems:
            raise rule_error(problems)
        return self

    def source_of(self, field: str) -> str:
        """The source of one field: its own if `field_sources` names it, else the table's."""
        return self.field_sources.get(field, self.source)


def _host_pattern_problem(pattern: str) -> str | None:
    if pattern.count("{label}") != 1:
        return "must contain '{label}' exactly once"
    if "{" in pattern.replace("{label}", "") or "}" in pattern.replace("{label}", ""):
        return "only the placeholder '{label}' may appear in braces"
    if not is_valid_hostname(pattern.replace("{label}", "x")):
        return f"'{pattern}' is not a DNS host name around '{{label}}'"
    return None


# --- 1. Identity, domains, language ---------------------------------------------------


class Province(Sourced):
    slug: str = Field(pattern=SLUG_PATTERN)
    name: Text
    portal_name: Text
    instrument: Text
    title: str | None = None
    signed: date
    effective_from: date
    replaces: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_dates(self) -> Province:
        if self.effective_from < self.signed:
            raise rule_error([("effective_from", "takes effect before it was signed")])
        return self


class Baseline(Frozen):
    """The national baseline version composed under a profile (ADR 0009): the `[baseline]` table
    of `profiles/_national/<date>.toml`, set by the loader, never written in a province file."""

    name: Text
    effective_from: date
    replaces: list[str] = Field(default_factory=list)
    source: str


class Language(Sourced):
    primary: Literal["vi"]
    english: StrictBool
    encoding: Text
    submission_mailbox: str | None = None

    @model_validator(mode="after")
    def _check_mailbox(self) -> Language:
        if self.submission_mailbox is not None and not _MAILBOX.match(self.submission_mailbox):
            raise rule_error([("submission_mailbox", "not an e-mail address")])
        return self


class Domains(Sourced):
    portal: str
    aliases: list[str] = Field(default_factory=list)
    component_host_pattern: str
    alternate_host_patterns: list[str] = Field(default_factory=list)
    label_rule: Literal["short_name", "joined_name"]

    @model_validator(mode="after")
    def _check_hosts(self) -> Domains:
        problems = []
        for path, host in [("portal", self.portal)] + [
            (f"aliases[{i}]", alias) for i, alias in enumerate(self.aliases)
        ]:
            if not is_valid_hostname(host):
                problems.append((path, f"'{host}' is not a valid DNS host name"))
        patterns = [("component_host_pattern", self.component_host_pattern)] + [
            (f"alternate_host_patterns[{i}]", p) for i, p in enumerate(self.alternate_host_patterns)
        ]
        for path, pattern in patterns:
            if reason := _host_pattern_problem(pattern):
                problems.append((path, reason))
        if problems:
            raise rule_error(problems)
        return self

    def component_host(self, label: str) -> str:
        return self.component_host_pattern.replace("{label}", label)


class Agency(Frozen):
    name: Text
    short_name: str | None = Field(default=None, max_length=60)
    kind: AgencyKind
    host_label: str | None = None
    component_site: StrictBool = True
    source: str

    @model_validator(mode="after")
    def _check(self) -> Agency:
        problems = []
        if reason := source_problem(self.source):
            problems.append(("source", reason))
        if self.host_label is not None and not _DNS_LABEL.match(self.host_label):
            problems.append(("host_label", f"'{self.host_label}' is not a lowercase DNS label"))
        if problems:
            raise rule_error(problems)
        return self


# --- 2. Governance ------------------------------------------------------------------------


class Body(Frozen):
    code: Code
    name: Text
    source: str

    @model_validator(mode="after")
    def _check(self) -> Body:
        if reason := source_problem(self.source):
            raise rule_error([("source", reason)])
        return self


class Role(Body):
    scope: Literal["portal", "agency"]


class Step(Body):
    role: Code
    action: StepAction
    may_amend: StrictBool = False
    # Whether a holder's delegate may act at this step; unset, the workflow's
    # `delegation_allowed` applies (ADR 0006). Set it only where the step's article says so
    # (Huế Art. 19(b), bước 3: "hoặc cán bộ được uỷ quyền"); the step's `source` cites it.
    delegation_allowed: StrictBool | None = None


class Workflow(Sourced):
    steps: list[Step] = Field(min_length=1)
    delegation_allowed: StrictBool
    post_publication_check: StrictBool

    @model_validator(mode="after")
    def _check_steps(self) -> Workflow:
        problems = []
        codes = [step.code for step in self.steps]
        for index, code in enumerate(codes):
            if code in codes[:index]:
                problems.append((f"steps[{index}].code", f"duplicate step code '{code}'"))
        publishing = [i for i, step in enumerate(self.steps) if step.action == "publish"]
        if len(publishing) != 1:
            problems.append(("steps", f"needs exactly one 'publish' step, found {len(publishing)}"))
        else:
            at = publishing[0]
            for index, step in enumerate(self.steps):
                if index > at and step.action != "post_check":
                    problems.append(
                        (f"steps[{index}].action", "only 'post_check' steps may follow 'publish'")
                    )
                if index < at and step.action == "post_check":
                    problems.append(
                        (f"steps[{index}].action", "a 'post_check' step must follow 'publish'")
                    )
        has_post_check = any(step.action == "post_check" for step in self.steps)
        if self.post_publication_check != has_post_check:
            problems.append(
                (
                    "post_publication_check",
                    "must be true exactly when a step has action 'post_check' "
                    f"(post_check step present: {str(has_post_check).lower()})",
                )
            )
        if problems:
            raise rule_error(problems)
        return self

    @property
    def publish_step(self) -> Step:
        return next(step for step in self.steps if step.action == "publish")


class Workflows(Frozen):
    """The editorial workflows: `portal` (the provincial portal) and `component_site` (an
    agency's site). Readable as attributes or as a mapping (`workflows["portal"]`)."""

    portal: Workflow
    component_site: Workflow

    def __getitem__(self, key: str) -> Workflow:
        if key not in type(self).model_fields:
            raise KeyError(key)
        return getattr(self, key)

    def keys(self) -> list[str]:
        return list(type(self).model_fields)

    def items(self) -> list[tuple[str, Workflow]]:
        return [(key, self[key]) for key in self.keys()]

    def values(self) -> list[Workflow]:
        return [self[key] for key in self.keys()]

    def get(self, key: str, default: Workflow | None = None) -> Workflow | None:
        return self[key] if key in type(self).model_fields else default

    def __contains__(self, key: object) -> bool:
        return key in type(self).model_fields


class Governance(Frozen):
    bodies: list[Body] = awaiting("portal_about", min_length=1)
    roles: list[Role] = Field(min_length=1)
    workflows: Workflows

    @model_validator(mode="after")
    def _check_roles(self) -> Governance:
        problems = []
        codes = [role.code for role in self.roles]
        for index, code in enumerate(codes):
            if code in codes[:index]:
                problems.append((f"roles[{index}].code", f"duplicate role code '{code}'"))
        known = set(codes)
        for name, workflow in self.workflows.items():
            for index, step in enumerate(workflow.steps):
                if step.role not in known:
                    problems.append(
                        (
                            f"workflows.{name}.steps[{index}].role",
                            f"unknown workflow role '{step.role}' "
                            f"(governance.roles has: {', '.join(sorted(known))})",
                        )
                    )
        if problems:
            raise rule_error(problems)
        return self

    def role(self, code: str) -> Role | None:
        return next((role for role in self.roles if role.code == code), None)


# --- 3. Update SLAs and quotas ----------------------------------------------------------

_WITHIN_FORMS = (
    "within_working_hours",
    "within_working_days",
    "within_days",
    "same_day_by",
    "immediately",
)


class SlaTarget(Frozen):
    """Which items take an update SLA (ADR 0005): items of `kind`, counted from their
    `anchor_field`. With `when`, only the items whose author set that flag (Thái Nguyên Art.
    10(2): "hội nghị sơ kết, tổng kết ... hoặc các sự kiện quan trọng"; Huế Art. 9(2): urgent
    information); with `chosen`, only when the author picks the SLA for the item. Otherwise
    the kind's own SLA, taken by every item of the kind the other two do not claim."""

    kind: Code
    anchor_field: Code
    when: Code | None = None
    chosen: StrictBool = False

    @model_validator(mode="after")
    def _check(self) -> SlaTarget:
        problems = []
        if self.kind not in ITEM_KINDS:
            problems.append(
                ("kind", f"'{self.kind}' is not an item kind ({', '.join(ITEM_KINDS)})")
            )
        else:
            anchors = ANCHOR_FIELDS[self.kind]
            if self.anchor_field not in anchors:
                problems.append(
                    (
                        "anchor_field",
                        f"'{self.anchor_field}' is not a date field of {self.kind} items "
                        f"({', '.join(anchors) or 'none'})",
                    )
                )
            flags = ITEM_FLAGS[self.kind]
            if self.when is not None and self.when not in flags:
                problems.append(
                    (
                        "when",
                        f"'{self.when}' is not a flag of {self.kind} items "
                        f"({', '.join(flags) or 'none'})",
                    )
                )
        if self.when is not None and self.chosen:
            problems.append(("chosen", "give `when` or `chosen`, not both"))
        if problems:
            raise rule_error(problems)
        return self

    @property
    def automatic(self) -> bool:
        """Taken without the author's choice: by every item of the kind, or by the flagged ones."""
        return not self.chosen


# Deadlines of the portal as a whole, not of an item (Thái Nguyên Art. 10(1): "cập nhật thông
# tin hàng ngày"): the staff dashboard shows, for each working day, whether the site published.
SlaMonitor = Literal["daily_publication"]


class Sla(Frozen):
    content_type: Code
    # What staff read when they pick or see the deadline (Vietnamese, NFC).
    label: Text
    within_working_hours: PositiveDays | None = None
    within_working_days: PositiveDays | None = None
    within_days: PositiveDays | None = None
    same_day_by: time | None = None
    immediately: StrictBool = False
    anchor: SlaAnchor
    # The items it applies to; or, for a deadline of the portal itself, what is monitored.
    applies_to: list[SlaTarget] = Field(default_factory=list)
    monitors: SlaMonitor | None = None
    note: str | None = None
    source: str

    @model_validator(mode="after")
    def _check(self) -> Sla:
        problems = []
        if reason := source_problem(self.source):
            problems.append(("source", reason))
        given = [
            form
            for form in _WITHIN_FORMS
            if (self.immediately if form == "immediately" else getattr(self, form) is not None)
        ]
        if len(given) != 1:
            problems.append(
                (
                    "",
                    f"give exactly one of {', '.join(_WITHIN_FORMS)} (got "
                    f"{', '.join(given) if given else 'none'})",
                )
            )
        if bool(self.applies_to) == (self.monitors is not None):
            problems.append(
                (
                    "applies_to",
                    "say which items take this deadline (`applies_to`), or, for a deadline of "
                    "the portal as a whole, what is monitored (`monitors`): exactly one",
                )
            )
        kinds = [target.kind for target in self.applies_to]
        for index, kind in enumerate(kinds):
            if kind in kinds[:index]:
                problems.append((f"applies_to[{index}].kind", f"'{kind}' is listed twice"))
        counted_from = FIELDS_OF_ANCHOR[self.anchor]
        for index, target in enumerate(self.applies_to):
            if target.anchor_field in counted_from:
                continue
            reason = (
                f"'{target.anchor_field}' does not carry the anchor '{self.anchor}' "
                f"({', '.join(counted_from)} does)"
            )
            fitting = [a for a, fields in FIELDS_OF_ANCHOR.items() if target.anchor_field in fields]
            if fitting:
                reason += f"; for '{target.anchor_field}' write anchor = '{fitting[0]}'"
            problems.append((f"applies_to[{index}].anchor_field", reason))
        if problems:
            raise rule_error(problems)
        return self

    @property
    def form(self) -> str:
        """Which of the "within" forms this SLA uses."""
        return next(
            form
            for form in _WITHIN_FORMS
            if (self.immediately if form == "immediately" else getattr(self, form) is not None)
        )

    def target(self, kind: str) -> SlaTarget | None:
        """How items of `kind` take this SLA, or None when they do not."""
        return next((target for target in self.applies_to if target.kind == kind), None)


class Quota(Sourced):
    """A monthly minimum of items an agency supplies to the provincial portal (Thái Nguyên Art.
    8(3): "mỗi Sở, ban, ngành cung cấp ít nhất 2 tin hoạt động tiêu biểu ..."): portal items of
    `item_kinds` marked featured, supplied by an agency of `agency_kind` (entered for it on the
    portal, or shared from its component site), counted in the month the portal publishes
    them (editorial.dashboard.agency_quotas)."""

    agency_kind: AgencyKind
    content_type: Code
    item_kinds: list[Code] = Field(min_length=1)
    min_per_month: Annotated[StrictInt, Field(ge=0)]

    @model_validator(mode="after")
    def _check_kinds(self) -> Quota:
        problems = [
            (f"item_kinds[{index}]", f"'{kind}' is not an item kind ({', '.join(ITEM_KINDS)})")
            for index, kind in enumerate(self.item_kinds)
            if kind not in ITEM_KINDS
        ]
        if problems:
            raise rule_error(problems)
        return self


# --- 4. Citizen Q&A ------------------------------------------------------------------------


class QaKind(Frozen):
    working_days: PositiveDays
    # Thái Nguyên Art. 14(4)(c): the deadline is the latest appointment date the agency may give.
    appointment: StrictBool = False
    # Decree 43/2011 Art. 17: answer, or send a progress notice with a new date, in time.
    progress_notice: StrictBool = False
    # Several agencies must coordinate (Thái Nguyên Art. 14(4)(b)): staff flag such items.
    inter_agency: StrictBool = False
    label: Text
    source: str

    @model_validator(mode="after")
    def _check(self) -> QaKind:
        if reason := source_problem(self.source):
            raise rule_error([("source", reason)])
        return self


class Qa(Sourced):
    # "Tiếp nhận 24h/24h" (Hà Giang Art. 9(1); Thái Nguyên Art. 14(1)): received when it
    # arrives. False: what arrives outside office hours counts as received at the next office
    # opening, and its deadline runs from there. ADR 0011.
    receipt_all_hours: StrictBool
    # Reading of "tính từ 08h00'" (Thái Nguyên Art. 14(4)(c)): a question received before office
    # start on a working day starts that day at office start; later, or on a non-working day,
    # at office start of the next working day. provinces.calendar implements it in one place.
    # "next_working_day": Civil Code 2015 Art. 147(1), the day of receipt is not counted; the
    # clock starts at office start of the next working day whatever the hour (ADR 0008).
    clock_start: Literal["office_start", "next_working_day"]
    kinds: dict[Code, QaKind] = Field(min_length=1)
    default_kind: str
    # The agency-scoped role that sends answers (Thái Nguyên Art. 14(3): the head of the agency
    # or a person the head authorises); others may draft for its approval. ADR 0007.
    answer_role: Code
    # What the citizens' pipeline receives: questions everywhere; reader feedback and petitions
    # (Đồng Nai Art. 2(3)(c)); complaints tracked from receipt to result (Huế Art. 13(1)).
    intake: list[Literal["question", "feedback", "complaint"]] = Field(min_length=1)
    channels: list[Literal["portal", "email"]] = Field(min_length=1)
    # Decree 43/2011 Art. 17: a question outside the portal's scope is returned at once with the
    # reason. True: any staff of the handling agency, or the board, returns it without waiting
    # for the head, and the asker is mailed at once; false: a return is the agency's reply, sent
    # by the answer role like an answer. ADR 0011.
    out_of_scope_return_immediately: StrictBool
    # Decree 43/2011 Art. 17 lets a progress notice give a new date without a limit: the latest
    # new date is this many working days after the deadline it extends (platform default 15,
    # a second period as long as the Decree's own). ADR 0011.
    progress_notice_max_working_days: PositiveDays
    # Who puts an agency's answer in the public archive: the answer role itself (Thái Nguyên
    # Art. 14(2)-(3)), or the portal's board after the agency answers (Hà Giang Art. 9(2); Đồng
    # Nai Art. 8(2)(d)). The board is organization.selectors.board_members. ADR 0011.
    answer_publisher: Literal["answer_role", "board"]
    disclaimer: str | None = None
    retention_days: PositiveDays

    @model_validator(mode="after")
    def _check_default(self) -> Qa:
        if "question" not in self.intake:
            raise rule_error([("intake", "every portal receives questions: add 'question'")])
        if self.default_kind not in self.kinds:
            raise rule_error(
                [
                    (
                        "default_kind",
                        f"'{self.default_kind}' is not one of qa.kinds "
                        f"({', '.join(sorted(self.kinds))})",
                    )
                ]
            )
        return self


# --- 5. Public services ----------------------------------------------------------------------


# The online services a regulation names for the portal's first stage (Huế Art. 12: "các dịch
# vụ công ban đầu"); the catalogue page links each to the page that provides it.
INITIAL_SERVICES = (
    "complaints",
    "procedure_information",
    "legal_lookup",
    "project_dossier_receipt",
)


class PublicServices(Sourced):
    """The procedures catalogue (catalog module, ADR 0019): the online-service levels a
    procedure may carry, what must be filled in before one is published, whether citizens see
    the catalogue, and the online services the regulation names."""

    levels: list[ServiceLevel] = Field(min_length=1)
    required_fields: list[Code] = Field(min_length=1)
    catalogue_published: StrictBool
    initial_services: list[Code] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_codes(self) -> PublicServices:
        problems = [
            (
                f"required_fields[{index}]",
                f"'{code}' is not a part of a procedure ({', '.join(PROCEDURE_REQUIREMENTS)})",
            )
            for index, code in enumerate(self.required_fields)
            if code not in PROCEDURE_REQUIREMENTS
        ] + [
            (
                f"initial_services[{index}]",
                f"'{code}' is not a known online service ({', '.join(INITIAL_SERVICES)})",
            )
            for index, code in enumerate(self.initial_services)
            if code not in INITIAL_SERVICES
        ]
        if problems:
            raise rule_error(problems)
        return self


# --- 7. Office hours, calendar, operations -------------------------------------------------


class OfficePeriod(Frozen):
    start: time
    end: time

    @model_validator(mode="after")
    def _check_order(self) -> OfficePeriod:
        if self.end <= self.start:
            raise rule_error([("end", f"must be later than start ({self.start:%H:%M})")])
        return self


class OfficeHours(Sourced):
    # The office periods of a working day, in order; the gap between two is the lunch break,
    # which working hours do not count (Thái Nguyên Art. 10(2) "giờ hành chính"). No shipped
    # regulation states them: platform default 07:30-11:30, 13:30-17:00 (ADR 0008).
    periods: list[OfficePeriod] = Field(min_length=1, max_length=6)
    # The time of day the Q&A clock starts (qa.clock_start); default: the first period's start.
    # Thái Nguyên Art. 14(4)(c): "được tính từ 08h00'".
    clock_starts_at: time | None = None

    @model_validator(mode="before")
    @classmethod
    def _refuse_old_keys(cls, data: Any) -> Any:
        # One form only: the single span `start`/`end` became `periods` (ADR 0008).
        if isinstance(data, dict) and ("start" in data or "end" in data):
            start, end = data.get("start", "08:00:00"), data.get("end", "17:00:00")
            raise rule_error(
                [
                    (
                        "",
                        "'start'/'end' are no longer read: write the office periods as "
                        f"periods = [{{ start = {start}, end = {end} }}] "
                        "(several periods for a lunch break)",
                    )
                ]
            )
        return data

    @model_validator(mode="after")
    def _check_periods(self) -> OfficeHours:
        problems = []
        for i, (before, after) in enumerate(zip(self.periods, self.periods[1:], strict=False)):
            if after.start < before.start:
                problems.append(("periods", "must be listed in order of the day"))
                break
            if after.start < before.end:
                problems.append(
                    (
                        f"periods[{i + 1}]",
                        f"overlaps the period before it (ends {before.end:%H:%M})",
                    )
                )
        at = self.clock_starts_at
        if at is not None and not any(p.start <= at < p.end for p in self.periods):
            problems.append(("clock_starts_at", f"{at:%H:%M} is not inside an office period"))
        if problems:
            raise rule_error(problems)
        return self

    @property
    def clock_start_time(self) -> time:
        """When the Q&A clock starts on a working day."""
        return self.clock_starts_at or self.periods[0].start


class Calendar(Sourced):
    extra_days_off: list[date] = Field(default_factory=list)
    extra_working_days: list[date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_overlap(self) -> Calendar:
        both = sorted(set(self.extra_days_off) & set(self.extra_working_days))
        if both:
            raise rule_error(
                [("extra_working_days", f"also listed as days off: {', '.join(map(str, both))}")]
            )
        return self


class BackupWindow(Frozen):
    """The hours (Vietnam time) a scheduled backup may start in; `end` earlier than `start`
    crosses midnight (23:00-03:00)."""

    start: time
    end: time

    @model_validator(mode="after")
    def _check(self) -> BackupWindow:
        if self.start == self.end:
            raise rule_error([("end", f"must differ from start ({self.start:%H:%M})")])
        return self


class Backups(Sourced):
    # How often the province's schema and files are copied (Thái Nguyên Art. 11(2): "tần suất
    # sao lưu tối thiểu 1 tuần/lần"; Đồng Nai Art. 14(3) "định kỳ"; elsewhere platform default).
    frequency: Literal["daily", "weekly"]
    window: BackupWindow
    # Retention, grandfather-father-son: the newest copy of each of the last `keep_daily` days,
    # `keep_weekly` ISO weeks and `keep_monthly` months is kept; the others are deleted.
    keep_daily: Annotated[StrictInt, Field(ge=1, le=366)]
    keep_weekly: Annotated[StrictInt, Field(ge=0, le=260)]
    keep_monthly: Annotated[StrictInt, Field(ge=0, le=120)]
    # How often a copy is proven by restoring it into a scratch database; a manual backup is
    # always verified at once.
    verify: Literal["every_backup", "daily", "weekly"]
    # Thái Nguyên Art. 11(1): originals, copies and drafts ("bản chính, bản sao, bản thảo") are
    # kept: every backup holds the whole schema, drafts and earlier versions included, and its
    # manifest counts them so that verification proves they came back.
    keep_drafts: StrictBool


# What a report is about, which decides the tables it carries (reports.drafting):
# - portal_activity: the portal's or site's whole activity (Đồng Nai Art. 15, Bắc Kạn Art. 17(5));
# - online_services: the use of online public services and Q&A (Huế Art. 16);
# - information_supply: each unit's supply of information, quotas and late updates (Thái Nguyên
#   Art. 10(5), 16(2)(f)).
ReportSubject = Literal["portal_activity", "online_services", "information_supply"]
# Who makes one report: the province's portal as a whole, each agency, or each component site.
ReportPer = Literal["province", "agency", "component_site"]


class Reporting(Sourced):
    """One report a regulation requires: `who` makes it for `to` on `cadence`. The platform
    drafts it from its own records at the end of each period (`periodic` and `on_request`:
    when asked), routes it to the holders of `role` (per agency where `per` is not
    "province"), reminds them before it is due and archives it once signed off. The due day
    is `due_working_days` working days after the period ends (the province's calendar)."""

    who: Text
    to: Text
    cadence: Cadence
    role: Code
    per: ReportPer = "province"
    subject: ReportSubject = "portal_activity"
    due_working_days: Annotated[StrictInt, Field(ge=0, le=60)] = 5
    # How many working days before the due day its signer is reminded.
    remind_working_days: Annotated[StrictInt, Field(ge=0, le=30)] = 2


class Budget(Sourced):
    owner: Text
    # Each agency pays for its own site from its own IT budget (Huế Art. 6(1)): cost lines are
    # entered and totalled per agency.
    split_by_agency: StrictBool = False


class RoyaltyCategory(Frozen):
    """A kind of work and the range of royalty coefficients the approver chooses from."""

    code: Code
    name: Text
    min_coefficient: Annotated[Decimal, Field(gt=0, max_digits=6, decimal_places=2)]
    max_coefficient: Annotated[Decimal, Field(gt=0, max_digits=6, decimal_places=2)]
    source: str

    @model_validator(mode="after")
    def _check(self) -> RoyaltyCategory:
        problems = []
        if reason := source_problem(self.source):
            problems.append(("source", reason))
        if self.max_coefficient < self.min_coefficient:
            problems.append(("max_coefficient", "is below min_coefficient"))
        if problems:
            raise rule_error(problems)
        return self


class RoyaltyBase(Frozen):
    """The base amount (mức lương cơ sở) in force from a day, in đồng."""

    effective_from: date
    amount: Annotated[StrictInt, Field(gt=0, le=1_000_000_000)]
    source: str

    @model_validator(mode="after")
    def _check(self) -> RoyaltyBase:
        if reason := source_problem(self.source):
            raise rule_error([("source", reason)])
        return self


class RoyaltyRates(Sourced):
    """Royalty = coefficient × the value of one coefficient unit, which is `unit_percent` % of
    the base amount in force on the day the work was published (Decree 18/2014 Art. 8)."""

    unit_percent: Annotated[Decimal, Field(gt=0, le=100, max_digits=5, decimal_places=2)]
    bases: list[RoyaltyBase] = Field(min_length=1)
    categories: list[RoyaltyCategory] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_lists(self) -> RoyaltyRates:
        problems = []
        days = [base.effective_from for base in self.bases]
        if days != sorted(set(days)):
            problems.append(("bases", "must be in order of effective_from, one per day"))
        codes: dict[str, int] = {}
        for index, category in enumerate(self.categories):
            if category.code in codes:
                problems.append((f"categories[{index}].code", f"duplicate '{category.code}'"))
            codes.setdefault(category.code, index)
        if problems:
            raise rule_error(problems)
        return self

    def base_on(self, day: date) -> RoyaltyBase | None:
        """The base amount in force on `day`, or None before the first."""
        in_force = [base for base in self.bases if base.effective_from <= day]
        return in_force[-1] if in_force else None

    def category(self, code: str) -> RoyaltyCategory | None:
        return next((c for c in self.categories if c.code == code), None)


class Royalties(Sourced):
    enabled: StrictBool
    rates: RoyaltyRates | None = None

    @model_validator(mode="after")
    def _check_rates(self) -> Royalties:
        if self.enabled and self.rates is None:
            raise rule_error([("rates", "royalties are enabled: the rate table is required")])
        return self


class Accounts(Sourced):
    username_rule: Literal["initials_given", "free"]
    force_first_password_change: StrictBool
    # Thái Nguyên Art. 17(2): quản trị / kiểm duyệt / cập nhật; today the workflow roles act.
    access_levels: list[Code] = awaiting("access_levels", min_length=1)


class Operations(Sourced):
    hours: Literal["24/7"]
    annual_review: StrictBool


# --- The portal's identity and its sections (ADR 0016) ----------------------------------------

# A section's address under /chuyen-muc/: lowercase ASCII words joined by hyphens.
SECTION_SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SectionSlug = Annotated[str, Field(pattern=SECTION_SLUG_PATTERN, max_length=80)]
_PHONE = re.compile(r"^\+?[0-9][0-9 .()-]{4,30}[0-9]$")
# A file under the platform's static files: "frontend/emblems/backan.svg".
_STATIC_PATH = re.compile(r"^[a-z0-9_-]+(?:/[a-z0-9_.-]+)*\.(?:svg|png|webp)$")

# The platform's own pages a section may stand for; each is a page of the portal's URL
# configuration (frontend.views.sections.BUILTIN_URLS). A section whose page does not exist yet
# has no content: it is a compliance gap, never an empty page.
BuiltinPage = Literal[
    "legal_documents", "drafts", "qa", "contacts", "procedures", "english", "search", "corrections"
]


def section_slug(text: str) -> str:
    """The address the editorial module gives a category named `text` (Django's slugify of its
    transliteration): "Chỉ đạo, điều hành" → "chi-dao-dieu-hanh"."""
    ascii_text = unicodedata.normalize("NFKD", unidecode(text)).encode("ascii", "ignore").decode()
    words = re.sub(r"[^\w\s-]", "", ascii_text.lower())
    return re.sub(r"[-\s]+", "-", words).strip("-_")


class Portal(Sourced):
    """Who runs the portal and how to reach them: the footer of every page (Decree 43/2011 Art.
    10(1)(a): the portal's address, telephone and e-mail; Circular 22/2023/TT-BTTTT asks the same
    of the layout). `responsible` is the person answerable for the content, as the regulation
    names the office ("Tổng Biên tập", Thái Nguyên Art. 16(2)), not a private name."""

    managing_body: Text
    address: Text
    phone: Text
    email: str
    responsible: Text
    licence: str | None = None
    emblem: str | None = None
    colour: str

    @model_validator(mode="after")
    def _check(self) -> Portal:
        problems = []
        if not _MAILBOX.match(self.email):
            problems.append(("email", f"'{self.email}' is not an e-mail address"))
        if not _PHONE.match(self.phone):
            problems.append(("phone", f"'{self.phone}' is not a telephone number"))
        if self.emblem is not None and (not _STATIC_PATH.match(self.emblem) or ".." in self.emblem):
            problems.append(
                (
                    "emblem",
                    f"'{self.emblem}' is not a static file path such as "
                    "'frontend/emblems/backan.svg' (svg, png or webp)",
                )
            )
        if not HEX_COLOUR.match(self.colour):
            problems.append(("colour", f"'{self.colour}' is not a colour written #rrggbb"))
        elif (ratio := contrast(self.colour)) < MIN_CONTRAST:
            problems.append(
                (
                    "colour",
                    f"white text on {self.colour} has a contrast of {ratio:.2f}:1; it needs "
                    f"{MIN_CONTRAST}:1 (WCAG 2.1 AA): choose a darker colour",
                )
            )
        if problems:
            raise rule_error(problems)
        return self


class SectionContent(Frozen):
    """What fills a section, one of three forms:
    - items: the published items of `kinds` and those filed in the portal category `category`
      (either or both; the category is created at onboarding, named after the section's title);
    - `page`: the static page (an item of kind static_page) with this address;
    - `builtin`: one of the platform's own pages (the legal documents, the Q&A …)."""

    kinds: list[Code] = Field(default_factory=list)
    category: SectionSlug | None = None
    page: SectionSlug | None = None
    builtin: BuiltinPage | None = None

    @model_validator(mode="after")
    def _check(self) -> SectionContent:
        problems = []
        forms = [
            name
            for name, given in (
                ("kinds/category", bool(self.kinds) or self.category is not None),
                ("page", self.page is not None),
                ("builtin", self.builtin is not None),
            )
            if given
        ]
        if len(forms) != 1:
            problems.append(
                (
                    "",
                    "say what fills the section with exactly one of: kinds and/or category, "
                    f"page, builtin (got {', '.join(forms) if forms else 'none'})",
                )
            )
        listed = [kind for kind in ITEM_KINDS if kind != "static_page"]
        for index, kind in enumerate(self.kinds):
            if kind == "static_page":
                problems.append(
                    (f"kinds[{index}]", 'a static page fills a section with `page = "<slug>"`')
                )
            elif kind not in ITEM_KINDS:
                problems.append(
                    (f"kinds[{index}]", f"'{kind}' is not an item kind ({', '.join(listed)})")
                )
            elif kind in self.kinds[:index]:
                problems.append((f"kinds[{index}]", f"'{kind}' is listed twice"))
        if problems:
            raise rule_error(problems)
        return self

    @property
    def form(self) -> Literal["items", "page", "builtin"]:
        """Which of the three forms fills the section."""
        if self.builtin is not None:
            return "builtin"
        return "page" if self.page is not None else "items"


class Section(Body):
    """A section the regulation requires (`name`, its words), as citizens reach it: `title` in
    the menu, `slug` in the address /chuyen-muc/<slug>/, `content` what fills it."""

    title: Annotated[str, Field(min_length=1, max_length=40)]
    slug: SectionSlug
    content: SectionContent

    @model_validator(mode="after")
    def _check_category(self) -> Section:
        category = self.content.category
        if category is not None and category != section_slug(self.title):
            raise rule_error(
                [
                    (
                        "content.category",
                        f"the category created for this section is named after its title and "
                        f"has the address '{section_slug(self.title)}', not '{category}'",
                    )
                ]
            )
        return self


class Integration(Frozen):
    code: Code
    name: Text
    settings: dict[str, str] = Field(default_factory=dict)
    source: str

    @model_validator(mode="after")
    def _check(self) -> Integration:
        if reason := source_problem(self.source):
            raise rule_error([("source", reason)])
        return self


class Attribution(Sourced):
    text: str | None = None
    # Reusing the portal's content elsewhere must cite it (Đồng Nai Art. 3(3), Bắc Kạn Art. 6(2)).
    required_on_repost: StrictBool
    # The portal's own items taken from other sources must cite them (Huế Art. 19(a)).
    reposts_must_cite_source: StrictBool = False


DUBLIN_CORE = "Dublin Core"
# The fifteen elements of Dublin Core 1.1 (ISO 15836), written as in <meta name="DC.title">.
DublinCoreElement = Literal[
    "title",
    "creator",
    "subject",
    "description",
    "publisher",
    "contributor",
    "date",
    "type",
    "format",
    "identifier",
    "source",
    "language",
    "relation",
    "coverage",
    "rights",
]


class PageMetadata(Sourced):
    """The metadata public pages carry (Decree 43/2011 Art. 14, Circular 24/2011/TT-BTTTT):
    the elements listed, each as a <meta name="DC.<element>"> (frontend: base.html)."""

    standard: Literal["Dublin Core"]
    elements: list[DublinCoreElement] = Field(min_length=1)


# --- The profile ------------------------------------------------------------------------------


class Profile(Frozen):
    schema_version: Literal[1]
    province: Province
    language: Language
    domains: Domains
    agencies: list[Agency] = Field(min_length=1)
    governance: Governance
    update_slas: list[Sla] = Field(min_length=1)
    quotas: list[Quota] = Field(default_factory=list)
    qa: Qa
    public_services: PublicServices
    office_hours: OfficeHours
    calendar: Calendar
    backups: Backups
    reporting: list[Reporting] = Field(min_length=1)
    budget: Budget
    royalties: Royalties
    accounts: Accounts
    operations: Operations = awaiting("operations")
    portal: Portal
    required_sections: list[Section] = Field(min_length=1)
    integrations: list[Integration] = Field(default_factory=list)
    attribution: Attribution
    page_metadata: PageMetadata | None = None
    # The national baseline in force at the instant this profile was composed for; None for a
    # self-contained profile (no `extends`, no value taken from the baseline). ADR 0009.
    baseline: Baseline | None = None

    @property
    def effective_from(self) -> date:
        return self.province.effective_from

    @model_validator(mode="after")
    def _check_cross_fields(self) -> Profile:
        problems: list[tuple[str, str]] = []
        answer_role = self.governance.role(self.qa.answer_role)
        if answer_role is None or answer_role.scope != "agency":
            problems.append(
                (
                    "qa.answer_role",
                    f"'{self.qa.answer_role}' must be an agency-scoped role of governance.roles",
                )
            )
        seen_types: dict[str, int] = {}
        for index, sla in enumerate(self.update_slas):
            if sla.content_type in seen_types:
                problems.append(
                    (
                        f"update_slas[{index}].content_type",
                        f"'{sla.content_type}' already has an SLA "
                        f"(update_slas[{seen_types[sla.content_type]}])",
                    )
                )
            seen_types.setdefault(sla.content_type, index)
        # Which SLA an item takes must never be ambiguous (ADR 0005): per kind, one SLA taken by
        # every item of the kind, and one per flag.
        claimed: dict[tuple[str, str | None], int] = {}
        for index, sla in enumerate(self.update_slas):
            for at, target in enumerate(sla.applies_to):
                if target.chosen:
                    continue
                key = (target.kind, target.when)
                if key in claimed:
                    taken = "items flagged " + target.when if target.when else "every item"
                    first = claimed[key]
                    problems.append(
                        (
                            f"update_slas[{index}].applies_to[{at}]",
                            f"{target.kind}: {taken} already take update_slas[{first}] "
                            f"({self.update_slas[first].content_type})",
                        )
                    )
                claimed.setdefault(key, index)
        quota_keys: dict[tuple[str, str], int] = {}
        for index, quota in enumerate(self.quotas):
            key = (quota.agency_kind, quota.content_type)
            if key in quota_keys:
                problems.append(
                    (
                        f"quotas[{index}]",
                        f"{quota.agency_kind} already has a {quota.content_type} quota "
                        f"(quotas[{quota_keys[key]}])",
                    )
                )
            quota_keys.setdefault(key, index)
        names: dict[str, int] = {}
        labels: dict[str, int] = {}
        for index, agency in enumerate(self.agencies):
            if agency.name in names:
                problems.append((f"agencies[{index}].name", f"duplicate agency '{agency.name}'"))
            names.setdefault(agency.name, index)
            if not agency.component_site:
                continue
            try:
                label = self.agency_label(agency)
            except HostNameError as error:
                problems.append((f"agencies[{index}]", f"no host label can be derived: {error}"))
                continue
            if label in labels:
                problems.append(
                    (
                        f"agencies[{index}]",
                        f"host label '{label}' is already used by agencies[{labels[label]}]",
                    )
                )
            labels.setdefault(label, index)
        for index, report in enumerate(self.reporting):
            role = self.governance.role(report.role)
            if role is None:
                problems.append(
                    (
                        f"reporting[{index}].role",
                        f"unknown role '{report.role}' of governance.roles",
                    )
                )
            elif report.per != "province" and role.scope != "agency":
                problems.append(
                    (
                        f"reporting[{index}].role",
                        f"a report made per {report.per} is signed by an agency-scoped role, "
                        f"not '{report.role}'",
                    )
                )
        problems += self._section_problems()
        if problems:
            raise rule_error(problems)
        return self

    def _section_problems(self) -> list[tuple[str, str]]:
        problems: list[tuple[str, str]] = []
        seen: dict[tuple[str, str], int] = {}
        for index, section in enumerate(self.required_sections):
            for field, value in (("code", section.code), ("slug", section.slug)):
                if (field, value) in seen:
                    problems.append(
                        (
                            f"required_sections[{index}].{field}",
                            f"'{value}' is already used by "
                            f"required_sections[{seen[(field, value)]}]",
                        )
                    )
                seen.setdefault((field, value), index)
            if section.content.builtin == "english" and not self.language.english:
                problems.append(
                    (
                        f"required_sections[{index}].content.builtin",
                        "the English pages exist only where language.english is true",
                    )
                )
        return problems

    # Reads other modules use; no behaviour of their own.
    def sla(self, content_type: str) -> Sla | None:
        return next((s for s in self.update_slas if s.content_type == content_type), None)

    def agency_label(self, agency: Agency) -> str:
        """The host label of one of this profile's agencies (raises HostNameError)."""
        return agency_label(
            name=agency.name,
            short_name=agency.short_name,
            host_label=agency.host_label,
            rule=self.domains.label_rule,
        )

    def agency_host(self, agency: Agency) -> str:
        """The component-site host of one of this profile's agencies."""
        return self.domains.component_host(self.agency_label(agency))
