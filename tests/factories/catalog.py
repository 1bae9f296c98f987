"""Builders for the public-service catalogue: procedures (editorial items of kind `procedure`,
ADR 0019) entered and published through editorial.services and the province's workflow, inside
a province's schema. Their search documents are pushed as the publication commits would."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from editorial.models import Item
from editorial.services import attachment_add, item_create, item_transition
from tests.factories.editorial import item_author, run_to_the_end

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def procedure_fields(*, code: str, **overrides) -> dict:
    """The fields of an ordinary, complete procedure (every requirement of every shipped profile
    met, no form), taking effect on 1 March 2026; `overrides` replace any of them."""
    return {
        "code": code,
        "field": "Hoạt động xây dựng",
        "level": "province",
        "methods": ["in_person", "post"],
        "subjects": "Tổ chức, cá nhân",
        "steps": [
            {
                "description": "Nộp hồ sơ tại Trung tâm Phục vụ hành chính công tỉnh.",
                "responsible": "Bộ phận tiếp nhận và trả kết quả",
            },
            {"description": "Thẩm định hồ sơ, trình ký.", "responsible": "Phòng Quản lý xây dựng"},
        ],
        "dossier": [{"name": "Bản sao giấy tờ tuỳ thân", "originals": 0, "copies": 1}],
        "dossier_sets": 1,
        "processing_days": 15,
        "processing_unit": "working_days",
        "processing_from": "kể từ ngày nhận đủ hồ sơ hợp lệ",
        "fees": "Không",
        "conditions": "Không",
        "legal_basis": "Luật Xây dựng số 50/2014/QH13",
        "result": "Giấy phép",
        "online_level": "",
        "effective_on": "2026-03-01",
        "issued_on": "2026-02-20",
        "announced_in": "123/QĐ-UBND",
        **overrides,
    }


def procedure_entered(
    staff,
    *,
    code: str,
    title: str,
    site=None,
    agency=None,
    forms: dict[str, str] | None = None,
    **fields,
) -> Item:
    """A procedure entered on `site` (None: the portal, for `agency`, by default the staff's)
    by a holder of the first step's role, with a form file for each `forms` entry (file name →
    the form's name, each a dossier component of its own), not yet forwarded."""
    author = item_author(staff, on_portal=site is None)
    if site is None and agency is None:
        agency = staff.agency
    values = procedure_fields(code=code, **fields)
    for file_name, form in (forms or {}).items():
        values["dossier"] = [
            *values["dossier"],
            {"name": f"Tờ khai theo {form}", "originals": 1, "copies": 0, "form": form,
             "form_file": file_name},
        ]  # fmt: skip
    item = item_create(
        actor=author, kind="procedure", title=title, fields=values, site=site, agency=agency
    )
    for file_name in forms or {}:
        attachment_add(
            item=item,
            actor=author,
            uploaded=SimpleUploadedFile(file_name, PDF, content_type="application/pdf"),
        )
    return item


def procedure_published(
    staff,
    *,
    code: str,
    title: str,
    site=None,
    agency=None,
    forms: dict[str, str] | None = None,
    **fields,
) -> Item:
    """A procedure entered as procedure_entered does and forwarded through every step of the
    workflow until it is published; its search document is pushed."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        item = procedure_entered(
            staff, code=code, title=title, site=site, agency=agency, forms=forms, **fields
        )
        item = item_transition(item=item, actor=item.author, decision="forward")
        item = run_to_the_end(item, staff=staff, agency=item.agency)
    item.refresh_from_db()
    assert item.status == Item.Status.PUBLISHED, item.status
    return item


def same_code_in_both(in_province, code: str = "1.009999") -> str:
    """A procedure under national code `code` entered in Bắc Kạn and in Thái Nguyên (the
    `in_province` fixture), each on its first component site: the conflict a merge lists."""
    from organization.models import ComponentSite
    from tests.factories.organization import Staff

    for slug, title in (("backan", "Cấp phép Bắc Kạn"), ("thainguyen", "Cấp phép Thái Nguyên")):
        with in_province(slug):
            site = ComponentSite.objects.select_related("agency").order_by("pk").first()
            procedure_entered(Staff(site.agency), code=code, title=title)
    return code
