"""The demo catalogue of administrative procedures (tenants/demo/procedures.py): in every seed
province at least 30 procedures published through the province's workflow, across fields and
both levels, some with forms to download, one with an earlier version, online levels the
profile knows, and a change published late only where the profile sets a deadline.

The catalogue alone (demo staff + procedures, not the rest of the demo content) is published
once for this module in the five provinces, inside a transaction rolled back when the module
ends; forms are written to a temporary media folder."""

from __future__ import annotations

import io
import time
from datetime import datetime, timedelta
from zipfile import ZipFile

import pytest
from django.db import transaction
from django.test import TestCase, override_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from core.uploads import sniff_content_type
from editorial.content import clean_fields
from editorial.models import Attachment, Item, Kind, Revision, Transition
from provinces.calendar import TZ
from provinces.loader import resolve_profile
from tenants.demo.content import _Newsroom
from tenants.demo.procedures import catalogue_texts, form_document, procedures_ensure
from tenants.demo.staff import staff_ensure
from tests.conftest import SEED_SLUGS

# An amended procedure and the one whose change is published a week after it took effect
# (tenants/demo/procedures.toml).
AMENDED = "2.001610"
LATE = "1.009645"


def _catalogue(slug: str, now: datetime) -> int:
    profile = resolve_profile(slug)
    staff_ensure(profile=profile)
    return procedures_ensure(profile=profile, now=now, user=_Newsroom(profile, now).user)


@pytest.fixture(scope="module")
def seeded(provinces, django_db_blocker, tmp_path_factory):
    """{slug: (procedures published by the first run, its seconds)}, rolled back after the
    module; the on-commit work (the search index) runs."""
    runs = {}
    media = tmp_path_factory.mktemp("media")
    with (
        override_settings(MEDIA_ROOT=media),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        for slug in SEED_SLUGS:
            with (
                schema_context(provinces[slug].schema_name),
                TestCase.captureOnCommitCallbacks(execute=True),
            ):
                started = time.monotonic()
                runs[slug] = (_catalogue(slug, timezone.now()), time.monotonic() - started)
        yield runs
        transaction.set_rollback(True)


def _procedures():
    return Item.objects.filter(
        kind=Kind.PROCEDURE, language="vi", status=Item.Status.PUBLISHED
    ).select_related("published_revision", "agency")


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_thirty_procedures_across_fields_and_both_levels_each_with_its_agency(
    seeded, tenant_db, in_province, slug
):
    # given the demo catalogue of a province
    published, seconds = seeded[slug]
    with in_province(slug):
        procedures = list(_procedures())
        agencies = {item.agency.name for item in procedures}
    fields = [item.published_revision.fields for item in procedures]
    # then at least 30 procedures are published, all the run published
    assert len(procedures) == published >= 30
    assert len({f["field"] for f in fields}) >= 6
    assert {f["level"] for f in fields} == {"province", "commune"}
    # and each names its implementing agency (one of the province's), code, steps with who
    # is responsible, dossier, processing time and fees
    assert all(item.agency is not None for item in procedures)
    assert len(agencies) >= 2
    for item, f in zip(procedures, fields, strict=True):
        assert item.code == f["code"]
        assert f["steps"]
        assert all(step["responsible"] for step in f["steps"])
        assert all(f[name] for name in ("dossier", "processing_days", "fees", "legal_basis"))
        assert f["effective_on"]
    # and what is published is what the content rules accept
    clean_fields(Kind.PROCEDURE, fields[0])
    assert seconds < 30


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_every_online_level_is_one_of_the_profiles(seeded, tenant_db, in_province, slug):
    levels = set(resolve_profile(slug).public_services.levels)
    with in_province(slug):
        used = [item.published_revision.fields["online_level"] for item in _procedures()]
    assert set(used) <= levels | {""}
    # and most procedures can be done online at some level
    assert sum(1 for level in used if level) >= len(used) // 2


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_some_procedures_have_forms_to_download_named_in_their_dossier(
    seeded, tenant_db, in_province, slug
):
    with in_province(slug):
        with_forms = 0
        for item in _procedures():
            named = {
                component["form_file"]
                for component in item.published_revision.fields["dossier"]
                if component["form"]
            }
            if not named:
                continue
            with_forms += 1
            attachments = {a.original_name: a for a in Attachment.objects.filter(item=item)}
            # then each form the dossier names is one of the procedure's attachments
            assert named <= set(attachments), item.code
            for name in named:
                attachment = attachments[name]
                with attachment.file.open("rb") as stored:
                    head = stored.read(4096)
                assert attachment.content_type == sniff_content_type(head, zip_names=head)
                assert attachment.size > 0
    assert with_forms >= 5


def test_the_generated_forms_are_a_docx_and_a_pdf_the_upload_check_reads():
    lines = ["Mẫu số 01", "Cấp giấy phép xây dựng (mã 1.009994)"]
    docx = form_document(lines, pdf=False)
    pdf = form_document(lines, pdf=True)
    assert sniff_content_type(docx[:4096], zip_names=docx).endswith("wordprocessingml.document")
    assert sniff_content_type(pdf[:4096]) == "application/pdf"
    assert "Mẫu số 01".encode() in ZipFile(io.BytesIO(docx)).read("word/document.xml")
    assert b"(Cap giay phep xay dung \\(ma 1.009994\\)) '" in pdf


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_an_amended_procedure_keeps_its_earlier_published_version(
    seeded, tenant_db, in_province, slug
):
    with in_province(slug):
        item = _procedures().get(code=AMENDED)
        published = Revision.objects.filter(
            pk__in=Transition.objects.filter(item=item, action=Transition.Action.PUBLISH).values(
                "revision"
            )
        ).order_by("number")
        versions = [(r.fields["effective_on"], r.fields["fees"]) for r in published]
    # then two versions were published, the later one taking effect later, with other fees
    assert len(versions) == 2
    (earlier, earlier_fees), (current, current_fees) = versions
    assert earlier < current
    assert earlier_fees != current_fees
    assert item.published_revision.fields["effective_on"] == current


@pytest.mark.parametrize("slug", SEED_SLUGS)
def test_a_change_is_published_late_only_where_the_profile_sets_a_deadline(
    seeded, tenant_db, in_province, slug
):
    profile = resolve_profile(slug)
    deadline = next(
        (sla for sla in profile.update_slas if sla.target(Kind.PROCEDURE) is not None), None
    )
    with in_province(slug):
        procedures = list(_procedures())
    late = [item for item in procedures if item.published_late]
    if deadline is None:
        # Đồng Nai, Bắc Kạn: no update deadline for procedures, none is late
        assert not late
        assert not any(item.sla_due_at for item in procedures)
        return
    # then only the change entered a week after it took effect is late, citing the article
    assert [item.code for item in late] == [LATE]
    assert late[0].sla_source.startswith(deadline.source)
    # and the rest of the catalogue was published within its deadline
    assert all(
        item.sla_met_at and item.sla_met_at <= item.sla_due_at
        for item in procedures
        if item.code != LATE
    )


def test_thai_nguyens_late_change_took_effect_three_working_days_or_more_before(
    seeded, tenant_db, in_province
):
    with in_province("thainguyen"):
        item = _procedures().get(code=LATE)
    effective = datetime.fromisoformat(item.published_revision.fields["effective_on"])
    assert item.sla_source.startswith("QĐ 40/2012 Art. 10(3), 13(3)")
    # Art. 10(3), 13(3): within 2 working days of taking effect; the change waited a week
    assert item.sla_met_at > item.sla_due_at
    assert item.sla_due_at < effective.replace(tzinfo=TZ) + timedelta(days=5)


def test_a_second_run_publishes_nothing(seeded, tenant_db, in_province):
    for slug in SEED_SLUGS:
        with in_province(slug):
            before = (Item.objects.count(), Attachment.objects.count(), Revision.objects.count())
            again = _catalogue(slug, timezone.now())
            after = (Item.objects.count(), Attachment.objects.count(), Revision.objects.count())
        assert again == 0, slug
        assert after == before, slug


def test_every_entry_has_a_unique_code_and_the_fields_a_procedure_needs():
    entries = catalogue_texts()["procedures"]
    codes = [entry["code"] for entry in entries]
    assert len(set(codes)) == len(codes) >= 30
    for entry in entries:
        assert entry["days"] > 0
        assert all(entry[name] for name in ("dossier", "fees", "result", "legal_basis"))
        assert entry["online"] in {"full", "partial", "forms", "none"}
    assert sum(1 for entry in entries if any(form for *_, form in entry["dossier"])) >= 5
