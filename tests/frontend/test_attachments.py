"""Files of items: citizens download those of published items on their site, through a view;
an unpublished item's files are 404; staff get their province's files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from editorial import rules
from editorial.services import EditorialError, attachment_add, item_create, item_transition
from tests.conftest import host_client
from tests.factories.editorial import item_author, run_to_the_end, workflow

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _published_item_with_file(province_schema):
    site, staff = province_schema("backan")
    entered_by = item_author(staff)
    item = item_create(actor=entered_by, kind="news", title="Tin có tệp", site=site)
    attachment = attachment_add(
        item=item, actor=entered_by, uploaded=SimpleUploadedFile("ke-hoach.pdf", PDF)
    )
    item = item_transition(item=item, actor=entered_by, decision="forward")
    item = run_to_the_end(item, staff=staff)
    return site, staff, workflow(), item, attachment


def test_citizens_download_files_of_published_items_only(province_schema):
    site, staff, spec, item, attachment = _published_item_with_file(province_schema)
    client = host_client(site.dev_host)
    response = client.get(f"/tep/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "ke-hoach.pdf" in response["Content-Disposition"]
    # the portal host is another site: not there
    assert host_client("backan.localhost").get(f"/tep/{attachment.pk}/").status_code == 404
    # unpublished: gone for citizens
    from editorial.services import item_unpublish

    publisher = staff.holding(spec.steps[rules.publish_step_index(spec.steps)].role)
    item_unpublish(item=item, actor=publisher)
    assert client.get(f"/tep/{attachment.pk}/").status_code == 404


def test_only_the_publisher_adds_a_file_to_a_published_item(province_schema):
    _site, staff, spec, item, _attachment = _published_item_with_file(province_schema)
    author = staff.holding(spec.steps[0].role)
    with pytest.raises(EditorialError) as caught:
        attachment_add(item=item, actor=author, uploaded=SimpleUploadedFile("x.pdf", PDF))
    assert caught.value.code == "not_allowed"
    publisher = staff.holding(spec.steps[rules.publish_step_index(spec.steps)].role)
    assert attachment_add(item=item, actor=publisher, uploaded=SimpleUploadedFile("y.pdf", PDF))
