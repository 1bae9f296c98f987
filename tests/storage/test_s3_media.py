"""Attachments in S3-compatible object storage (ADR 0025): an upload lands under the
province's prefix, the public view streams it only while its item is published and only on
that province's hosts, a key of one province is out of reach from another's schema, nothing
is ever linked, and a removed upload's object is deleted."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import SuspiciousOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from config.env import media_storage_from_env
from config.storage import TenantS3Storage, media_root_of, media_storage_for
from editorial import rules
from editorial.models import Attachment
from editorial.pending_uploads import pending_upload_add, pending_upload_remove
from editorial.services import attachment_add, item_create, item_transition, item_unpublish
from organization.models import ComponentSite
from tests.conftest import host_client
from tests.factories.editorial import item_author, published, run_to_the_end, workflow
from tests.factories.organization import Staff
from tests.factories.pages import signed_in
from tests.storage.conftest import MediaBucket

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _site_and_staff(slug_schema: str):
    site = ComponentSite.objects.select_related("agency").order_by("pk").first()
    assert site is not None, slug_schema
    return site, Staff(site.agency)


def _published_with_file(staff, site) -> tuple:
    author = item_author(staff)
    item = item_create(actor=author, kind="news", title="Tin có tệp", site=site)
    attachment = attachment_add(
        item=item, actor=author, uploaded=SimpleUploadedFile("ke-hoach.pdf", PDF)
    )
    item = item_transition(item=item, actor=author, decision="forward")
    return run_to_the_end(item, staff=staff), attachment


def test_a_staff_upload_is_stored_under_the_province_prefix_and_nowhere_else(
    tenant_db, s3_media: MediaBucket
):
    schema = tenant_db["backan"].schema_name
    with schema_context(schema):
        site, staff = _site_and_staff(schema)
        author = item_author(staff)
        item = item_create(actor=author, kind="news", title="Tin có biên bản", site=site)
        client = signed_in(site.dev_host, author)
        # when a member of staff attaches a PDF through the editor
        upload = SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf")
        response = client.post(f"/staff/items/{item.pk}/attachments/", {"attach-file": upload})
        assert response.status_code == 302
        attachment = item.attachments.get()
        # then the bytes are one object under <prefix>/<the province's schema>/<its name>
        key = s3_media.key(schema, attachment.file.name)
        assert s3_media.keys() == [key]
        assert s3_media.read(key) == PDF
        assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
        # and nothing was written to the folder the filesystem backend would use
        assert not media_root_of(schema).joinpath(attachment.file.name).exists()
        # and staff get it back through their view, streamed from the bucket
        response = client.get(f"/staff/items/{item.pk}/tep/{attachment.pk}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["X-Content-Type-Options"] == "nosniff"


def test_citizens_get_a_file_only_while_published_and_only_on_its_province(
    tenant_db, s3_media: MediaBucket
):
    backan, hagiang = tenant_db["backan"].schema_name, tenant_db["hagiang"].schema_name
    with schema_context(backan):
        site, staff = _site_and_staff(backan)
        item, attachment = _published_with_file(staff, site)
        client = host_client(site.dev_host)
        # a published item's file is streamed from the bucket with its checked type and name
        response = client.get(f"/tep/{attachment.pk}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="ke-hoach.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        name = attachment.file.name
    with schema_context(hagiang):
        other_site, other_staff = _site_and_staff(hagiang)
        other_client = host_client(other_site.dev_host)
        # another province's host does not serve Bắc Kạn's attachment by its number
        assert other_client.get(f"/tep/{attachment.pk}/").status_code == 404
        # nor through a published row of its own that names the very same key
        other_item = published(other_staff, site=other_site, title="Tin Hà Giang")
        forged = Attachment.objects.create(
            item=other_item,
            file=name,
            original_name="ke-hoach.pdf",
            content_type="application/pdf",
            size=len(PDF),
            sha256=hashlib.sha256(PDF).hexdigest(),
            uploaded_by=item_author(other_staff),
        )
        assert other_client.get(f"/tep/{forged.pk}/").status_code == 404
        # the storage itself: the name is not in Hà Giang's area, and climbing out is refused
        assert not default_storage.exists(name)
        with pytest.raises(SuspiciousOperation):
            default_storage.open(f"../{backan}/{name}")
    assert s3_media.keys(hagiang) == []
    with schema_context(backan):
        # once unpublished, the file is gone for citizens (the object stays for staff)
        spec = workflow()
        publisher = staff.holding(spec.steps[rules.publish_step_index(spec.steps)].role)
        item_unpublish(item=item, actor=publisher)
        assert client.get(f"/tep/{attachment.pk}/").status_code == 404
        assert s3_media.keys(backan) == [s3_media.key(backan, name)]


def test_a_file_whose_object_is_missing_is_not_found_rather_than_an_error(
    tenant_db, s3_media: MediaBucket
):
    schema = tenant_db["backan"].schema_name
    with schema_context(schema):
        site, staff = _site_and_staff(schema)
        _item, attachment = _published_with_file(staff, site)
        default_storage.delete(attachment.file.name)
        assert s3_media.keys(schema) == []
        assert host_client(site.dev_host).get(f"/tep/{attachment.pk}/").status_code == 404


def test_a_removed_upload_deletes_its_object(
    tenant_db, s3_media: MediaBucket, django_capture_on_commit_callbacks
):
    schema = tenant_db["backan"].schema_name
    with schema_context(schema):
        _site, staff = _site_and_staff(schema)
        author = item_author(staff)
        pending = pending_upload_add(actor=author, uploaded=SimpleUploadedFile("to-trinh.pdf", PDF))
        key = s3_media.key(schema, pending.file.name)
        assert s3_media.keys(schema) == [key]
        # when its owner removes it, the object goes once the removal is committed
        with django_capture_on_commit_callbacks(execute=True):
            pending_upload_remove(actor=author, pk=pending.pk)
        assert s3_media.keys(schema) == []


def test_the_storage_is_private_and_follows_the_schema(tenant_db, s3_media: MediaBucket):
    backan = tenant_db["backan"].schema_name
    with schema_context(backan):
        assert isinstance(storages["default"], TenantS3Storage)
        stored = default_storage.save("uploads/ghi-chu.txt", ContentFile(b"ghi chu"))
        assert default_storage.location == f"{s3_media.prefix}/{backan}"
        # no link to the object is ever made: the views stream it
        with pytest.raises(NotImplementedError):
            default_storage.url(stored)
    # a storage bound to a schema reads that area whatever the connection's schema
    bound = media_storage_for(backan)
    assert bound.open(stored).read() == b"ghi chu"
    assert media_storage_for("p_hagiang").exists(stored) is False
    with pytest.raises(SuspiciousOperation):
        media_storage_for("../p_backan")
    bound.delete(stored)


@pytest.mark.without_services
def test_the_media_storage_is_read_from_the_environment():
    assert media_storage_from_env({}) == {
        "BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"
    }
    entry = media_storage_from_env(
        {
            "MEDIA_S3_BUCKET": "cong-tinh",
            "MEDIA_S3_ENDPOINT_URL": "https://s3.example.vn",
            "MEDIA_S3_REGION": "hn-1",
            "MEDIA_S3_ACCESS_KEY_ID": "id",
            "MEDIA_S3_SECRET_ACCESS_KEY": "bi-mat",
            "MEDIA_S3_PREFIX": "/tep-tin/",
        }
    )
    assert entry["BACKEND"] == "config.storage.TenantS3Storage"
    options = entry["OPTIONS"]
    assert (options["bucket_name"], options["location"]) == ("cong-tinh", "tep-tin")
    assert (options["endpoint_url"], options["region_name"]) == ("https://s3.example.vn", "hn-1")
    assert (options["access_key"], options["secret_key"]) == ("id", "bi-mat")
    assert options["default_acl"] is None
    assert options["querystring_auth"] is True
    assert options["file_overwrite"] is False
    assert media_storage_from_env({"MEDIA_S3_BUCKET": "b"})["OPTIONS"]["location"] == "media"
