"""The demo catalogue of administrative procedures (issue 11), published in every province the
way staff publish one: entered as an editorial item of kind `procedure` by the holder of the
first step of the portal's workflow, its forms attached, forwarded by the holder of each next
step. The entries are in procedures.toml (demo data: codes and details are invented).

What the profile decides is read from it, never from the province's name: the online levels
(public_services.levels), the implementing agencies (onboarded from the profile), and the update
deadline of a procedure change. The current versions take effect on the first day whose
deadline is still ahead, so the catalogue is published on time wherever a deadline applies; the
one change marked `late` took effect a week earlier, so a province whose profile sets a deadline
shows it as published late (Thái Nguyên Art. 10(3), 13(3)) and one that sets none shows nothing.

A procedure is entered and approved in its implementing agency: where a step of the portal's
workflow belongs to an agency's role (Bắc Kạn's "cán bộ cung cấp thông tin của cơ quan"), the demo
account holding that role is given it in the agency too, through the audited grant service.

Idempotent: a procedure is known by its code."""

from __future__ import annotations

import io
import tomllib
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.text import slugify
from unidecode import unidecode

from accounts.models import User
from core.text import nfc
from editorial.models import Item, Kind
from editorial.selectors import workflow_of
from editorial.services import attachment_add, item_create, item_transition, item_update
from organization.models import Agency, Role, RoleAssignment
from organization.services import role_grant
from provinces.calendar import TZ
from provinces.schema import Profile
from provinces.sla import sla_deadline

TEXTS = Path(__file__).with_name("procedures.toml")

# An entry's `online` → the first of these levels the profile offers ("" when none does).
ONLINE_LEVELS: dict[str, tuple[str, ...]] = {
    "full": ("full", "level4"),
    "partial": ("partial", "level3"),
    "forms": ("level2",),
    "none": (),
}
# The levels at which a citizen can submit the dossier online.
SUBMITTED_ONLINE = {"full", "partial", "level3", "level4"}
LOCAL_KINDS = (Agency.Kind.DISTRICT, Agency.Kind.COMMUNE)
LATE_BY_DAYS = 7  # a change entered a week after it took effect: late under any deadline
EARLIER_BY_DAYS = 365  # the earlier version of an amended procedure
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@cache
def catalogue_texts() -> dict[str, Any]:
    return tomllib.loads(TEXTS.read_text(encoding="utf-8"))


def procedures_ensure(*, profile: Profile, now: datetime, user: Callable[[str], User]) -> int:
    """Publish the demo procedures the current province's schema lacks; `user(role_code)` is
    the demo account holding a role. Returns how many procedures were published. Runs inside
    the caller's transaction (tenants.demo.content.content_ensure)."""
    return _Catalogue(profile, now, user).publish_all()


def online_level(online: str, levels: Sequence[str]) -> str:
    """The profile's level for an entry's `online` ("full", "partial", "forms", "none")."""
    return next((level for level in ONLINE_LEVELS[online] if level in levels), "")


def form_file_name(form: str, *, pdf: bool) -> str:
    return f"{slugify(unidecode(nfc(form)))[:100] or 'bieu-mau'}.{'pdf' if pdf else 'docx'}"


def form_document(lines: Sequence[str], *, pdf: bool) -> bytes:
    """A small valid form (the upload check reads its bytes): DOCX, or PDF (text folded to ASCII:
    the PDF's standard font has no Vietnamese letters)."""
    return _pdf(lines) if pdf else _docx(lines)


def _docx(lines: Sequence[str]) -> bytes:
    paragraphs = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(line)}</w:t></w:r></w:p>' for line in lines
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{paragraphs}</w:body></w:document>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


def _pdf(lines: Sequence[str]) -> bytes:
    def literal(line: str) -> str:
        text = unidecode(line).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return f"({text})"

    stream = "BT /F1 12 Tf 16 TL 56 800 Td " + " ".join(f"{literal(x)} '" for x in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += b"".join(f"{offset:010d} 00000 n \n".encode("ascii") for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode("ascii")
    out += f"startxref\n{xref}\n%%EOF\n".encode("ascii")
    return out


class _Catalogue:
    def __init__(self, profile: Profile, now: datetime, user: Callable[[str], User]):
        self.profile = profile
        self.now = now
        self.today = now.astimezone(TZ).date()
        self.user = user
        self.texts = catalogue_texts()
        self.levels = list(profile.public_services.levels)
        self.agencies = list(Agency.objects.filter(is_active=True).order_by("pk"))
        self.anchor_field, self.current_day = self._on_time_day()
        self.agency_roles = set(
            Role.objects.filter(scope=Role.Scope.AGENCY).values_list("code", flat=True)
        )
        # (username, role code, agency id) of the agency roles held
        self.held = set(
            RoleAssignment.objects.filter(agency__isnull=False).values_list(
                "user__username", "role__code", "agency_id"
            )
        )

    # --- dates -----------------------------------------------------------------------------

    def _on_time_day(self) -> tuple[str | None, date]:
        """(the field a procedure's update deadline is counted from, or None when the profile
        sets none; the first day from today on which a version may take effect and still be
        published now within that deadline, with an hour to spare)."""
        for sla in self.profile.update_slas:
            target = sla.target(Kind.PROCEDURE)
            if target is None or target.chosen or target.when is not None:
                continue
            for ahead in range(15):
                day = self.today + timedelta(days=ahead)
                anchor = datetime.combine(day, time(), tzinfo=TZ)
                deadline = sla_deadline(self.profile, sla.content_type, anchor)
                if deadline is None or deadline.due_at >= self.now + timedelta(hours=1):
                    return target.anchor_field, day
            return target.anchor_field, self.today + timedelta(days=15)
        return None, self.today

    def dates(self, day: date, number: int) -> dict[str, str]:
        """A version taking effect on `day`: its announcement decision issued some days before
        (on that day where the deadline counts from the issue date)."""
        issued = day if self.anchor_field == "issued_on" else day - timedelta(days=7 + number % 20)
        return {
            "effective_on": day.isoformat(),
            "issued_on": issued.isoformat(),
            "announced_in": f"{1000 + 37 * number + day.year % 100}/QĐ-UBND",
        }

    # --- entries to fields -----------------------------------------------------------------

    def agency(self, entry: dict, number: int) -> Agency:
        """The agency the entry names, else one of the province's departments (province level)
        or district or commune people's committees (commune level), in turn."""
        for words in entry["agency"]:
            found = next((a for a in self.agencies if words.lower() in a.name.lower()), None)
            if found is not None:
                return found
        if entry["level"] == "province":
            pool = [a for a in self.agencies if a.kind == Agency.Kind.DEPARTMENT]
        else:
            pool = [a for a in self.agencies if a.kind in LOCAL_KINDS]
        pool = pool or self.agencies
        return pool[number % len(pool)]

    def fields(self, entry: dict, agency: Agency, number: int) -> dict[str, Any]:
        level = online_level(entry["online"], self.levels)
        methods = ["in_person", "post"] + (["online"] if level in SUBMITTED_ONLINE else [])
        steps = entry.get("steps") or self.texts["steps"][entry["level"]]["steps"]
        pdf = entry.get("forms_pdf", False)
        return {
            "code": entry["code"],
            "field": nfc(entry["field"]),
            "level": entry["level"],
            "methods": methods,
            "subjects": nfc(entry["subjects"]),
            "steps": [
                {"description": nfc(text), "responsible": nfc(who.format(agency=agency.name))}
                for text, who in steps
            ],
            "dossier": [
                {
                    "name": nfc(name),
                    "originals": originals,
                    "copies": copies,
                    "form": nfc(form),
                    "form_file": form_file_name(form, pdf=pdf) if form else "",
                }
                for name, originals, copies, form in entry["dossier"]
            ],
            "dossier_sets": 1,
            "processing_days": float(entry["days"]),
            "processing_unit": entry.get("processing_unit", "working_days"),
            "processing_from": nfc(entry.get("processing_from", "kể từ ngày nhận đủ hồ sơ hợp lệ")),
            "fees": nfc(entry["fees"]),
            "conditions": nfc(entry.get("conditions", "")),
            "legal_basis": nfc(entry["legal_basis"].strip()),
            "result": nfc(entry["result"]),
            "online_level": level,
            **self.dates(self.current_day, number),
        }

    # --- publication -----------------------------------------------------------------------

    def publish_all(self) -> int:
        known = set(
            Item.objects.filter(kind=Kind.PROCEDURE, language="vi").values_list("code", flat=True)
        )
        published = 0
        for number, entry in enumerate(self.texts["procedures"]):
            if entry["code"] not in known:
                self.publish(entry, number)
                published += 1
        return published

    def publish(self, entry: dict, number: int) -> Item:
        """Enter the procedure, attach its forms, run it through the workflow; an amended one
        first as its earlier version, then changed and run through the workflow again."""
        spec = workflow_of(site=None)
        entering = self.user(spec.steps[0].role)
        agency = self.agency(entry, number)
        self._hold(spec, agency)
        fields = self.fields(entry, agency, number)
        amended = entry.get("amended")
        first = fields
        if amended is not None:
            first = {
                **fields,
                **amended["earlier"],
                **self.dates(self.current_day - timedelta(days=EARLIER_BY_DAYS), number),
            }
        name = nfc(entry["name"])
        item = item_create(
            actor=entering,
            kind=Kind.PROCEDURE,
            title=name,
            summary=nfc(f"Lĩnh vực {entry['field']}; cơ quan thực hiện: {agency.name}."),
            fields=first,
            agency=agency,
        )
        self._forms(item, entering, fields, name)
        item = self._run(item, spec)
        if amended is not None:
            day = (
                self.today - timedelta(days=LATE_BY_DAYS)
                if amended.get("late")
                else self.current_day
            )
            item = item_update(
                item=item, actor=entering, fields={**fields, **self.dates(day, number)}
            )
            item = self._run(item, spec)
        return item

    def _hold(self, spec, agency: Agency) -> None:
        """The demo holders of the workflow's agency roles hold them in `agency` too."""
        for step in spec.steps:
            if step.role not in self.agency_roles:
                continue
            user = self.user(step.role)
            if (user.username, step.role, agency.pk) not in self.held:
                role_grant(user=user, role_code=step.role, agency=agency, actor=None)
                self.held.add((user.username, step.role, agency.pk))

    def _forms(self, item: Item, actor: User, fields: dict, name: str) -> None:
        attached: set[str] = set()
        for component in fields["dossier"]:
            file_name = component["form_file"]
            if not file_name or file_name in attached:
                continue
            lines = [
                self.profile.province.portal_name,
                component["form"],
                f"Thủ tục: {name} (mã {fields['code']})",
                f"Thành phần hồ sơ: {component['name']}",
                "Biểu mẫu dùng cho bản trình diễn, không có giá trị pháp lý.",
            ]
            pdf = file_name.endswith(".pdf")
            upload = SimpleUploadedFile(
                file_name,
                form_document(lines, pdf=pdf),
                content_type="application/pdf" if pdf else DOCX,
            )
            attachment_add(item=item, actor=actor, uploaded=upload)
            attached.add(file_name)

    def _run(self, item: Item, spec) -> Item:
        """Forward through every step of the workflow (each step's holder), as content.py does."""
        from tenants.demo.content import DemoError  # content.py calls this module

        for step in spec.steps:
            item = item_transition(item=item, actor=self.user(step.role), decision="forward")
        if item.status != Item.Status.PUBLISHED:
            raise DemoError(f"procedure {item.code} ended its workflow {item.status}")
        return item
