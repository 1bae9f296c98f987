"""Text hygiene and the fields of each content kind: NFC everywhere, rich text sanitised to a
safe subset (nh3). Uploads are checked by the core (core.uploads)."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from html.parser import HTMLParser
from typing import Any, Literal

import nh3
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from config.bounds import nul_byte_path
from core.errors import ServiceError
from core.text import nfc_data
from editorial.models import Kind
from provinces.citations import in_parentheses

MAX_TITLE = 500
MAX_BODY = 1_000_000  # characters of HTML after sanitising
MIN_YEAR, MAX_YEAR = 1900, 2100

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "sub", "sup", "blockquote", "code", "pre",
    "h2", "h3", "h4", "h5", "ul", "ol", "li", "a", "img", "figure", "figcaption",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "hr",
}  # fmt: skip
# No <span>, no style or class: what Word and Google Docs paste (fonts, colours, their own
# classes) is dropped and the text kept, whatever the editor in the browser did.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto", "tel"}


class ContentError(ServiceError):
    """A refused content: code, message, the field (or fields) to blame, and its kind."""


def sanitise_html(html: str) -> str:
    cleaned = nh3.clean(
        unicodedata.normalize("NFC", html or ""),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    if len(cleaned) > MAX_BODY:
        raise ContentError(
            "too_long",
            _("Nội dung quá dài (tối đa %(limit)s ký tự).") % {"limit": MAX_BODY},
            "body",
        )
    missing = _images_without_alt(cleaned)
    if missing:
        raise ContentError(
            "image_without_alt",
            ngettext(
                "%(count)s ảnh chưa có mô tả thay thế (alt): người dùng trình đọc màn hình cần "
                "mô tả này. Hãy nhập mô tả cho ảnh.",
                "%(count)s ảnh chưa có mô tả thay thế (alt): người dùng trình đọc màn hình cần "
                "mô tả này. Hãy nhập mô tả cho từng ảnh.",
                missing,
            )
            % {"count": missing},
            "body",
        )
    return cleaned


class _ImageAlts(HTMLParser):
    """Counts the images whose alternative text is missing or blank."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.missing = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and not (dict(attrs).get("alt") or "").strip():
            self.missing += 1

    handle_startendtag = handle_starttag


def _images_without_alt(html: str) -> int:
    if "<img" not in html:
        return 0
    parser = _ImageAlts()
    parser.feed(html)
    parser.close()
    return parser.missing


# --- fields of each kind ---------------------------------------------------------------------


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _precomposed(cls, value: Any) -> Any:
        # Strings only: a nested entry (a schedule's line, a contact) is a model of its own.
        return nfc_data(value) if isinstance(value, str) else value

    @field_validator("*")
    @classmethod
    def _plausible_year(cls, value: Any) -> Any:
        # Deadlines are counted on these dates: a year like 9999 is a typing error, and would
        # overflow the calendar arithmetic.
        if isinstance(value, date) and not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ValueError(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
        return value


# The date fields anchor the profile's update SLAs and the flags restrict them to some items
# (provinces.items lists both for the profile schema; ADR 0005).
# These only time the publication (when the information arrived or was complete, whether the
# author marked an important event): staff see them, the public page does not.
TIMING_FIELDS = frozenset({"ready_at", "received_at", "major_event"})


class PageFields(_Fields):
    # When the information was complete: Huế Art. 9(1) "ngay sau khi hoàn thành xong thông tin".
    ready_at: datetime | None = None


class NewsFields(_Fields):
    event_at: datetime | None = None  # the SLA anchor of news (Thái Nguyên Art. 10(2))
    # "Hội nghị sơ kết, tổng kết, hội nghị chuyên đề hoặc các sự kiện quan trọng" (Thái Nguyên
    # Art. 10(2)): the author marks it; a profile may give such items a deadline of their own.
    major_event: bool = False


class EventFields(_Fields):
    event_at: datetime
    location: str = Field(default="", max_length=300)
    major_event: bool = False


class AnnouncementFields(_Fields):
    event_at: datetime | None = None
    issued_on: date | None = None
    urgent: bool = False
    # When the urgent information reached the unit: Huế Art. 9(2) "ngay khi nhận được thông tin".
    received_at: datetime | None = None


class LegalDocumentFields(_Fields):
    number: str = Field(min_length=1, max_length=100)  # "19/2015/QĐ-UBND"
    document_type: str = Field(min_length=1, max_length=100)  # Quyết định, Chỉ thị…
    issuing_body: str = Field(min_length=1, max_length=300)
    signer: str = Field(min_length=1, max_length=200)
    issued_on: date
    effective_on: date | None = None
    field: str = Field(default="", max_length=200)  # Lĩnh vực: đất đai, giáo dục…
    status: str = Field(default="in_force", pattern="^(in_force|partly_expired|expired|pending)$")


class DraftDocumentFields(_Fields):
    drafting_body: str = Field(min_length=1, max_length=300)
    opens_on: date
    closes_on: date
    comment_summary: str = Field(default="", max_length=100_000)  # Đồng Nai Art. 8(2)(c)
    ready_at: datetime | None = None

    @field_validator("closes_on")
    @classmethod
    def _closes_after_opening(cls, value: date, info) -> date:
        opens = info.data.get("opens_on")
        if opens and value < opens:
            raise ValueError("the closing date is before the opening date")
        return value


class SpokespersonFields(_Fields):
    spokesperson: str = Field(min_length=1, max_length=200)
    event_at: datetime | None = None


class ScheduleEntry(_Fields):
    starts_at: datetime
    leader: str = Field(min_length=1, max_length=200)
    activity: str = Field(min_length=1, max_length=1000)
    place: str = Field(default="", max_length=300)


class ScheduleFields(_Fields):
    week_of: date
    entries: list[ScheduleEntry] = Field(default_factory=list, max_length=200)


class Contact(_Fields):
    name: str = Field(min_length=1, max_length=200)
    title: str = Field(default="", max_length=200)
    unit: str = Field(default="", max_length=300)
    phone: str = Field(default="", max_length=50)
    email: str = Field(default="", max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")


class DirectoryFields(_Fields):
    contacts: list[Contact] = Field(default_factory=list, max_length=2000)
    ready_at: datetime | None = None


class StatisticsFields(_Fields):
    period_start: date
    period_end: date
    issued_on: date | None = None  # Decree 43/2011 Art. 17 counts from the report's issue


class NoticeFields(_Fields):
    issued_on: date | None = None
    reference: str = Field(default="", max_length=200)
    closes_on: date | None = None
    ready_at: datetime | None = None


class ProcedureStep(_Fields):
    description: str = Field(min_length=1, max_length=5000)
    # Who handles the step (Huế Art. 7(3): "người chịu trách nhiệm từng khâu").
    responsible: str = Field(default="", max_length=300)


class DossierComponent(_Fields):
    name: str = Field(min_length=1, max_length=1000)
    originals: int = Field(default=0, ge=0, le=99)  # bản chính
    copies: int = Field(default=0, ge=0, le=99)  # bản sao
    form: str = Field(default="", max_length=300)  # the form's name: "Mẫu số 01/ĐKKD"
    # The original name of one of the item's attachments: the form citizens download.
    form_file: str = Field(default="", max_length=255)


PROCEDURE_CODE = r"^[0-9A-Za-z][0-9A-Za-z._-]*$"


class ProcedureFields(_Fields):
    """An administrative procedure (catalog module, ADR 0019): what Decree 42/2022 Art. 4,
    Thái Nguyên Art. 12(2), 13 and Huế Art. 7, 13–15 ask the portal to publish. Its name is the
    revision's title; its implementing agency the item's agency."""

    code: str = Field(min_length=1, max_length=60, pattern=PROCEDURE_CODE)  # mã thủ tục quốc gia
    field: str = Field(min_length=1, max_length=200)  # lĩnh vực
    level: Literal["province", "commune"] = "province"  # cấp thực hiện
    methods: list[Literal["in_person", "post", "online"]] = Field(
        default_factory=lambda: ["in_person"], max_length=3
    )
    subjects: str = Field(default="", max_length=2000)
    steps: list[ProcedureStep] = Field(default_factory=list, max_length=50)
    dossier: list[DossierComponent] = Field(default_factory=list, max_length=100)
    dossier_sets: int = Field(default=1, ge=1, le=99)
    processing_days: float | None = Field(default=None, gt=0, le=3650)
    processing_unit: Literal["working_days", "days"] = "working_days"
    processing_from: str = Field(default="", max_length=300)
    processing_note: str = Field(default="", max_length=2000)
    fees: str = Field(default="", max_length=2000)
    conditions: str = Field(default="", max_length=10_000)
    legal_basis: str = Field(default="", max_length=10_000)
    result: str = Field(default="", max_length=2000)
    # "" = no online service; otherwise one of the profile's public_services.levels, checked
    # against the profile in force by the services (the fields alone do not know it).
    online_level: Literal["", "level1", "level2", "level3", "level4", "full", "partial"] = ""
    effective_on: date
    issued_on: date | None = None
    announced_in: str = Field(default="", max_length=200)

    @field_validator("methods")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a method is listed twice")
        return value

    @field_validator("dossier")
    @classmethod
    def _forms_named(cls, value: list[DossierComponent]) -> list[DossierComponent]:
        for index, component in enumerate(value):
            if component.form_file and not component.form:
                raise ValueError(f"component {index + 1}: a form file without the form's name")
        return value


FIELDS_OF_KIND: dict[str, type[_Fields]] = {
    Kind.NEWS: NewsFields,
    Kind.EVENT: EventFields,
    Kind.ANNOUNCEMENT: AnnouncementFields,
    Kind.LEGAL_DOCUMENT: LegalDocumentFields,
    Kind.DRAFT_DOCUMENT: DraftDocumentFields,
    Kind.SPOKESPERSON: SpokespersonFields,
    Kind.LEADER_SCHEDULE: ScheduleFields,
    Kind.CONTACT_DIRECTORY: DirectoryFields,
    Kind.STATISTICS: StatisticsFields,
    Kind.INVESTMENT: NoticeFields,
    Kind.BIDDING: NoticeFields,
    Kind.PROCUREMENT: NoticeFields,
    Kind.PAGE: PageFields,
    Kind.PROCEDURE: ProcedureFields,
}

# The labels people read for the kinds' fields (FIELDS_OF_KIND), by name: the staff forms and
# the public pages show them.
FIELD_LABELS = {
    "event_at": _("Thời điểm diễn ra sự kiện"),
    "location": _("Địa điểm"),
    "urgent": _("Khẩn"),
    "number": _("Số, ký hiệu"),
    "document_type": _("Loại văn bản"),
    "issuing_body": _("Cơ quan ban hành"),
    "signer": _("Người ký"),
    "issued_on": _("Ngày ban hành"),
    "effective_on": _("Ngày có hiệu lực"),
    "field": _("Lĩnh vực"),
    "status": _("Tình trạng hiệu lực"),
    "drafting_body": _("Cơ quan chủ trì soạn thảo"),
    "opens_on": _("Ngày bắt đầu lấy ý kiến"),
    "closes_on": _("Ngày kết thúc"),
    "comment_summary": _("Tổng hợp, tiếp thu ý kiến góp ý"),
    "spokesperson": _("Người phát ngôn"),
    "week_of": _("Tuần bắt đầu từ ngày"),
    "entries": _("Lịch công tác"),
    "contacts": _("Danh bạ"),
    "period_start": _("Kỳ báo cáo từ ngày"),
    "period_end": _("Kỳ báo cáo đến ngày"),
    "reference": _("Số hiệu"),
    # What an update deadline counts from or depends on (ADR 0005).
    "major_event": _("Hội nghị sơ kết, tổng kết, hội nghị chuyên đề hoặc sự kiện quan trọng"),
    "received_at": _("Thời điểm nhận được thông tin"),
    "ready_at": _("Thời điểm thông tin hoàn thành"),
    # A procedure (ProcedureFields).
    "code": _("Mã thủ tục"),
    "level": _("Cấp thực hiện"),
    "methods": _("Cách thức thực hiện"),
    "subjects": _("Đối tượng thực hiện"),
    "steps": _("Trình tự thực hiện"),
    "dossier": _("Thành phần hồ sơ"),
    "dossier_sets": _("Số lượng hồ sơ (bộ)"),
    "processing_days": _("Thời hạn giải quyết (ngày)"),
    "processing_unit": _("Loại ngày"),
    "processing_from": _("Thời hạn tính từ"),
    "processing_note": _("Ghi chú về thời hạn giải quyết"),
    "fees": _("Phí, lệ phí"),
    "conditions": _("Yêu cầu, điều kiện thực hiện"),
    "legal_basis": _("Căn cứ pháp lý"),
    "result": _("Kết quả thực hiện"),
    "online_level": _("Dịch vụ công trực tuyến"),
    "announced_in": _("Quyết định công bố"),
}

# The columns of the list fields (schedule entries, contacts), by name.
COLUMN_LABELS = {
    "starts_at": _("Thời gian"),
    "leader": _("Lãnh đạo"),
    "activity": _("Nội dung công việc"),
    "place": _("Địa điểm"),
    "name": _("Họ và tên"),
    "title": _("Chức vụ"),
    "unit": _("Đơn vị"),
    "phone": _("Điện thoại"),
    "email": _("Thư điện tử"),
    # A procedure's steps and dossier components.
    "description": _("Nội dung bước"),
    "responsible": _("Đơn vị, người chịu trách nhiệm"),
    "originals": _("Bản chính"),
    "copies": _("Bản sao"),
    "form": _("Mẫu đơn, tờ khai"),
    "form_file": _("Tệp mẫu đơn (tên tệp đính kèm)"),
}

# The values of a legal document's `status` field.
LEGAL_STATUS_LABELS = {
    "in_force": _("Còn hiệu lực"),
    "partly_expired": _("Hết hiệu lực một phần"),
    "expired": _("Hết hiệu lực"),
    "pending": _("Chưa có hiệu lực"),
}


# The values of a procedure's coded fields, as people read them.
PROCEDURE_LABELS: dict[str, dict[str, Any]] = {
    "level": {"province": _("Cấp tỉnh"), "commune": _("Cấp xã")},
    "methods": {
        "in_person": _("Trực tiếp"),
        "post": _("Qua dịch vụ bưu chính"),
        "online": _("Trực tuyến"),
    },
    "online_level": {
        "": _("Không có dịch vụ công trực tuyến"),
        "level1": _("Mức độ 1"),
        "level2": _("Mức độ 2"),
        "level3": _("Mức độ 3"),
        "level4": _("Mức độ 4"),
        "full": _("Toàn trình"),
        "partial": _("Một phần"),
    },
    "processing_unit": {"working_days": _("ngày làm việc"), "days": _("ngày")},
}

# What each of a profile's `public_services.required_fields` asks of a procedure
# (provinces.items.PROCEDURE_REQUIREMENTS), as people read it.
REQUIREMENT_LABELS = {
    "name": _("Tên thủ tục"),
    "agency": _("Cơ quan thực hiện"),
    "field": FIELD_LABELS["field"],
    "level": FIELD_LABELS["level"],
    "methods": FIELD_LABELS["methods"],
    "subjects": FIELD_LABELS["subjects"],
    "steps": FIELD_LABELS["steps"],
    "dossier": FIELD_LABELS["dossier"],
    "forms": _("Mẫu đơn, tờ khai (tệp đính kèm)"),
    "processing_time": _("Thời hạn giải quyết"),
    "deadline": _("Thời hạn giải quyết"),
    "fees": FIELD_LABELS["fees"],
    "conditions": FIELD_LABELS["conditions"],
    "legal_basis": FIELD_LABELS["legal_basis"],
    "result": FIELD_LABELS["result"],
    "online_level": FIELD_LABELS["online_level"],
    "responsible_person": _("Người chịu trách nhiệm từng bước"),
}


def online_level_refusal(fields: dict, public_services) -> str | None:
    """Why a procedure's online service level is refused under the profile's
    `public_services` (a level the regulation does not use, with the article), or None."""
    level = fields.get("online_level") or ""
    if not level or level in public_services.levels:
        return None
    allowed = ", ".join(
        str(PROCEDURE_LABELS["online_level"][code]) for code in public_services.levels
    )
    return _(
        "Mức độ dịch vụ công trực tuyến này không dùng theo quy chế (chọn: %(allowed)s)%(basis)s."
    ) % {"allowed": allowed, "basis": in_parentheses(public_services.source)}


def procedure_missing(
    *, title: str, fields: dict, has_agency: bool, attachment_names: set[str], required
) -> dict[str, list[str]]:
    """Path → messages for each of the profile's required parts (`required`, codes of
    provinces.items.PROCEDURE_REQUIREMENTS) the procedure does not fill in: what keeps it from
    being published. `fields` are clean (clean_fields); `attachment_names` are the original
    names of the item's attachments, which the dossier's form files must be."""
    problems: dict[str, list[str]] = {}

    def missing(path: str, code: str) -> None:
        problems.setdefault(path, []).append(
            _("Chưa có “%(part)s”.") % {"part": REQUIREMENT_LABELS[code]}
        )

    steps, dossier = fields.get("steps") or [], fields.get("dossier") or []
    for code in dict.fromkeys(required):
        if code == "name" and not (title or "").strip():
            missing("title", code)
        elif code == "agency" and not has_agency:
            missing("agency", code)
        elif code in ("processing_time", "deadline"):
            if not fields.get("processing_days"):
                missing("fields.processing_days", code)
        elif code == "responsible_person":
            if not steps:
                missing("fields.steps", code)
            for index, step in enumerate(steps):
                if not (step.get("responsible") or "").strip():
                    missing(f"fields.steps.{index}.responsible", code)
        elif code == "forms":
            for index, component in enumerate(dossier):
                if component.get("form") and component.get("form_file") not in attachment_names:
                    problems.setdefault(f"fields.dossier.{index}.form_file", []).append(
                        _("Chưa đính kèm tệp mẫu “%(form)s”.") % {"form": component["form"]}
                    )
        elif code == "online_level":
            continue  # "" is an answer: the procedure has no online service
        elif code in ("field", "level", "methods", "subjects", "steps", "dossier", "fees",
                      "conditions", "legal_basis", "result"):  # fmt: skip
            value = fields.get(code)
            if not (value.strip() if isinstance(value, str) else value):
                missing(f"fields.{code}", code)
    return problems


def clean_fields(kind: str, raw: dict | None) -> dict:
    """The validated, JSON-ready fields of a kind, or ContentError naming each bad field."""
    model = FIELDS_OF_KIND.get(kind)
    if model is None:
        raise ContentError(
            "unknown_kind", _("Loại nội dung '%(kind)s' không tồn tại.") % {"kind": kind}, "kind"
        )
    nul_at = nul_byte_path(raw or {}, "fields")  # PostgreSQL stores no NUL in text or jsonb
    if nul_at is not None:
        raise ContentError(
            "invalid_fields",
            _("Một số trường của nội dung không hợp lệ."),
            fields={nul_at: [_("Không được chứa ký tự NUL (\\u0000).")]},
        )
    try:
        return model.model_validate(raw or {}).model_dump(mode="json")
    except ValidationError as error:
        fields: dict[str, list[str]] = {}
        for problem in error.errors():
            path = "fields." + ".".join(str(part) for part in problem["loc"])
            fields.setdefault(path, []).append(problem["msg"])
        raise ContentError(
            "invalid_fields", _("Một số trường của nội dung không hợp lệ."), fields=fields
        ) from None
