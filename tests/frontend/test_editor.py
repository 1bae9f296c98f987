"""The staff item form's rich-text editor and the preview of the working copy (issue 10).

The editor is progressive: the body stays a textarea the form posts, and the server's
sanitising (nh3) is the guarantee whatever the browser sends."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import AuditEntry, User
from editorial import pending_uploads
from editorial.content import ContentError, sanitise_html
from editorial.models import Item, PendingUpload
from editorial.services import attachment_add, item_create, item_update
from frontend.links import item_path
from tests.conftest import host_client
from tests.factories.editorial import item_author, published
from tests.factories.pages import page_text, signed_in

VENDOR = Path(__file__).resolve().parents[2] / "frontend/static/frontend/vendor/quill"

WORD_PASTE = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head><style>p.MsoNormal'
    "{font-family:Calibri}</style></head><body>"
    "<!--[if gte mso 9]><xml><o:OfficeDocumentSettings/></xml><![endif]-->"
    '<p class="MsoNormal" style="margin:0;color:#C00000"><span style="font-family:Arial;'
    'mso-bidi-font-family:Arial">Kế hoạch <b><span lang="VI">năm 2026</span></b></span>'
    "<o:p></o:p></p>"
    '<b id="docs-internal-guid-1" style="font-weight:normal"><span style="font-size:11pt">'
    "Google Docs</span></b>"
    '<h2 style="font-size:18pt"><font color="red">Mục tiêu</font></h2>'
    '<script>alert(1)</script><p onclick="x()">Hết</p></body></html>'
)


@pytest.fixture
def desk(province_schema):
    site, staff = province_schema("thainguyen")
    return site, staff, item_author(staff)


def _new_form(site, author):
    return signed_in(site.dev_host, author).get(f"/staff/items/new/?kind=news&site={site.label}")


# --- the editor on the page ---------------------------------------------------------------


def test_the_form_loads_the_editor_from_our_own_static_files_only(desk):
    site, _staff, author = desk
    html = page_text(_new_form(site, author))
    assert '<script src="/static/frontend/vendor/quill/quill.js" defer></script>' in html
    assert '<script src="/static/frontend/editor.js" defer></script>' in html
    assert 'href="/static/frontend/vendor/quill/quill.snow.css"' in html
    # every script and stylesheet is one of ours: nothing from another host
    scripts = re.findall(r'<script src="([^"]+)"', html)
    sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    assert scripts
    assert sheets
    # (the profile's colour is a stylesheet of the portal too: /giao-dien/<colour>.css)
    ours = ("/static/frontend/", "/giao-dien/")
    assert all(address.startswith(ours) for address in scripts + sheets)


def test_the_vendored_editor_carries_its_licence_and_version():
    assert "Copyright (c) 2017-2024, Slab" in (VENDOR / "LICENSE").read_text()
    assert re.search(r"^version: 2\.\d+\.\d+$", (VENDOR / "README.md").read_text(), re.M)
    assert (VENDOR / "quill.js").stat().st_size > 100_000


def test_without_javascript_the_body_is_a_labelled_textarea_the_form_posts(desk):
    site, _staff, author = desk
    html = page_text(_new_form(site, author))
    assert '<label for="id_body">Nội dung' in html
    assert re.search(r'<textarea name="body"[^>]*data-rich-text="body"', html)
    # the raw list of allowed tags is gone from the page
    assert "Thẻ HTML được giữ" not in html
    assert "figcaption" not in html
    response = signed_in(site.dev_host, author).post(
        f"/staff/items/new/?kind=news&site={site.label}",
        {"title": "Tin có bảng", "body": "<h2>Mục</h2><table><tr><td>1</td></tr></table>"},
    )
    assert response.status_code == 302
    item = Item.objects.get(current_revision__title="Tin có bảng")
    assert item.current_revision.body == (
        "<h2>Mục</h2><table><tbody><tr><td>1</td></tr></tbody></table>"
    )


def test_the_edit_page_loads_the_editor_only_with_an_edit_form(desk):
    site, _staff, author = desk
    item = item_create(actor=author, site=site, kind="news", title="Tin")
    html = page_text(signed_in(site.dev_host, author).get(f"/staff/items/{item.pk}/"))
    assert "frontend/editor.js" in html
    assert 'id="rich-text-strings"' in html
    assert 'data-image-alt="Mô tả thay thế của ảnh (bắt buộc' in html


# --- images need alternative text; pasted Word is cleaned -----------------------------------


@pytest.mark.parametrize(
    "image",
    ['<img src="/a.png">', '<img src="/a.png" alt="">', '<img src="/a.png" alt="   ">'],
)
def test_an_image_without_alternative_text_is_refused_on_the_body_field(desk, image):
    site, _staff, author = desk
    response = signed_in(site.dev_host, author).post(
        f"/staff/items/new/?kind=news&site={site.label}",
        {"title": "Tin có ảnh", "body": f"<p>Ảnh:</p>{image}"},
    )
    assert response.status_code == 400
    html = page_text(response)
    assert re.search(r'id="id_body_error".*1 ảnh chưa có mô tả thay thế', html)
    assert not Item.objects.filter(current_revision__title="Tin có ảnh").exists()


def test_the_refusal_is_a_typed_error_naming_the_body_and_counting_the_images():
    with pytest.raises(ContentError) as refused:
        sanitise_html('<img src="/a.png" alt="Cầu"><img src="/b.png"><img src="/c.png" alt="">')
    assert refused.value.code == "image_without_alt"
    assert refused.value.field == "body"
    assert "2 ảnh chưa có mô tả thay thế" in str(refused.value.message)


def test_an_image_with_alternative_text_is_kept(desk):
    site, _staff, author = desk
    item = item_create(
        actor=author,
        site=site,
        kind="news",
        title="Tin",
        body='<p>x</p><img src="https://example.vn/cau.png" alt="Cầu Gia Bảy">',
    )
    assert '<img src="https://example.vn/cau.png" alt="Cầu Gia Bảy">' in item.current_revision.body


def test_pasted_word_and_google_docs_html_keeps_the_text_and_structure_only():
    assert sanitise_html(WORD_PASTE) == (
        "<p>Kế hoạch <b>năm 2026</b></p><b>Google Docs</b><h2>Mục tiêu</h2><p>Hết</p>"
    )


def test_an_edit_with_an_image_without_alt_changes_nothing(desk):
    site, _staff, author = desk
    item = item_create(actor=author, site=site, kind="news", title="Tin", body="<p>Một</p>")
    with pytest.raises(ContentError):
        item_update(item=item, actor=author, title="Tin", body='<img src="/x.png">')
    item.refresh_from_db()
    assert item.current_revision.number == 1


# --- the preview ------------------------------------------------------------------------------


def test_preview_shows_the_working_copy_not_the_published_one(desk):
    site, staff, author = desk
    item = published(staff, site=site, title="Bản đã đăng", body="<p>Nội dung cũ</p>")
    item = item_update(
        item=item, actor=author, title="Bản đang sửa", body="<h2>Mục mới</h2><p>Nội dung mới</p>"
    )
    response = signed_in(site.dev_host, author).get(f"/staff/items/{item.pk}/xem-truoc/")
    assert response.status_code == 200
    html = page_text(response)
    assert '<h1 id="item-title" lang="vi">Bản đang sửa</h1>' in html
    assert "<h2>Mục mới</h2><p>Nội dung mới</p>" in html
    assert "Nội dung cũ" not in html
    assert "Bản xem trước – chưa đăng" in html
    assert "Người dân đang thấy phiên bản 1." in html
    # the citizens' page still shows the published revision
    public = page_text(host_client(site.dev_host).get(item_path(item)))
    assert "Nội dung cũ" in public
    assert "Nội dung mới" not in public


def test_preview_is_in_the_look_of_the_items_site_with_the_citizens_template(desk):
    site, _staff, author = desk
    item = item_create(actor=author, site=site, kind="news", title="Tin nháp", body="<p>Nháp</p>")
    html = page_text(signed_in(site.dev_host, author).get(f"/staff/items/{item.pk}/xem-truoc/"))
    assert '<article class="item" aria-labelledby="item-title">' in html
    assert f'<span class="brand-name">{site.agency.name}</span>' in html
    assert "Bài chưa được đăng: người dân chưa thấy bài này." in html


def test_preview_is_never_cached_nor_indexed(desk):
    site, _staff, author = desk
    item = item_create(actor=author, site=site, kind="news", title="Tin", body="<p>Một</p>")
    client = signed_in(site.dev_host, author)
    response = client.get(f"/staff/items/{item.pk}/xem-truoc/")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in page_text(response)
    item_update(item=item, actor=author, title="Tin", body="<p>Hai</p>")
    assert "<p>Hai</p>" in page_text(client.get(f"/staff/items/{item.pk}/xem-truoc/"))


def test_preview_is_for_signed_in_staff_only(desk):
    site, _staff, author = desk
    item = item_create(actor=author, site=site, kind="news", title="Tin", body="<p>Một</p>")
    nobody = User.objects.create(username="khong_vai_tro", is_staff=True)
    refused = signed_in(site.dev_host, nobody).get(f"/staff/items/{item.pk}/xem-truoc/")
    assert refused.status_code == 403
    assert "<p>Một</p>" not in page_text(refused)
    anonymous = host_client(site.dev_host).get(f"/staff/items/{item.pk}/xem-truoc/")
    assert anonymous.status_code == 302
    assert "/staff/login/" in anonymous["Location"]
    assert signed_in(site.dev_host, author).get("/staff/items/999999/xem-truoc/").status_code == 404
    post = signed_in(site.dev_host, author).post(f"/staff/items/{item.pk}/xem-truoc/")
    assert post.status_code == 405


def test_the_edit_page_links_the_preview(desk):
    site, _staff, author = desk
    item = item_create(actor=author, site=site, kind="news", title="Tin")
    html = page_text(signed_in(site.dev_host, author).get(f"/staff/items/{item.pk}/"))
    assert f'<a href="/staff/items/{item.pk}/xem-truoc/">Xem trước' in html


# --- files uploaded before the first save ---------------------------------------------------

PDF = b"%PDF-1.7 bao cao"


def _pdf(name: str = "bao-cao.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def _new_url(site) -> str:
    return f"/staff/items/new/?kind=news&site={site.label}"


def test_a_file_uploaded_before_the_first_save_is_attached_when_the_item_is_created(desk):
    site, _staff, author = desk
    client = signed_in(site.dev_host, author)
    # given the author typed a title and uploads a file before saving
    response = client.post(
        _new_url(site), {"title": "Báo cáo quý", "action": "upload", "upload-file": _pdf()}
    )
    assert response.status_code == 200
    html = page_text(response)
    pending = PendingUpload.objects.get(owner=author)
    assert 'value="Báo cáo quý"' in html  # nothing typed is lost
    assert f'id="keep_upload_{pending.pk}" checked' in html
    assert "Gắn “bao-cao.pdf” vào bài" in html
    assert "id_title_error" not in html  # an upload is not a save
    # when the item is saved with the file ticked
    response = client.post(
        _new_url(site),
        {"title": "Báo cáo quý", "keep_upload": pending.pk, "shown_upload": pending.pk},
    )
    # then the item is created with the file as its attachment, and the waiting area is empty
    assert response.status_code == 302
    item = Item.objects.get(current_revision__title="Báo cáo quý")
    attachment = item.attachments.get()
    assert attachment.original_name == "bao-cao.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.file.read() == PDF
    assert not PendingUpload.objects.exists()
    assert AuditEntry.objects.filter(action="pending_upload_added", actor=author).exists()
    assert AuditEntry.objects.filter(action="attachment_added", target=f"item {item.pk}").exists()


def test_an_unticked_file_is_not_attached_and_can_be_dropped(desk):
    site, _staff, author = desk
    client = signed_in(site.dev_host, author)
    client.post(_new_url(site), {"title": "Tin", "action": "upload", "upload-file": _pdf()})
    pending = PendingUpload.objects.get(owner=author)
    # unticked: shown, not kept
    response = client.post(_new_url(site), {"title": "Tin", "shown_upload": pending.pk})
    assert response.status_code == 302
    assert not Item.objects.get(current_revision__title="Tin").attachments.exists()
    assert PendingUpload.objects.filter(pk=pending.pk).exists()
    # "Bỏ tệp" drops it
    response = client.post(_new_url(site), {"title": "Tin 2", "remove_upload": pending.pk})
    assert response.status_code == 200
    assert not PendingUpload.objects.filter(pk=pending.pk).exists()


def test_another_persons_waiting_file_is_neither_listed_nor_attached(desk):
    site, staff, author = desk
    other = item_author(staff)
    signed_in(site.dev_host, other).post(
        _new_url(site), {"title": "x", "action": "upload", "upload-file": _pdf("rieng.pdf")}
    )
    theirs = PendingUpload.objects.get(owner=other)
    client = signed_in(site.dev_host, author)
    assert "rieng.pdf" not in page_text(client.get(_new_url(site)))
    response = client.post(
        _new_url(site), {"title": "Tin lạ", "keep_upload": theirs.pk, "remove_upload": ""}
    )
    assert response.status_code == 200  # an empty "Bỏ tệp" drops nothing
    response = client.post(_new_url(site), {"title": "Tin lạ", "keep_upload": theirs.pk})
    assert response.status_code == 302
    assert not Item.objects.get(current_revision__title="Tin lạ").attachments.exists()
    assert PendingUpload.objects.filter(pk=theirs.pk, owner=other).exists()


def test_uploads_before_the_first_save_are_checked_by_their_bytes(desk):
    site, _staff, author = desk
    response = signed_in(site.dev_host, author).post(
        _new_url(site),
        {"title": "Tin", "action": "upload", "upload-file": _pdf("virus.pdf", b"MZ\x90\x00")},
    )
    assert response.status_code == 400
    html = page_text(response)
    assert re.search(r'id="id_upload-file_error".*Chỉ nhận PDF', html)
    assert "<title>Lỗi: " in html
    assert '<a href="#id_upload-file">Tệp đính kèm: Chỉ nhận PDF' in html
    assert not PendingUpload.objects.exists()


def test_the_waiting_area_is_bounded_in_files_and_bytes(desk, monkeypatch):
    site, _staff, author = desk
    client = signed_in(site.dev_host, author)
    monkeypatch.setattr(pending_uploads, "MAX_FILES", 2)
    for number in range(2):
        response = client.post(
            _new_url(site), {"action": "upload", "upload-file": _pdf(f"tep-{number}.pdf")}
        )
        assert response.status_code == 200
    response = client.post(_new_url(site), {"action": "upload", "upload-file": _pdf()})
    assert response.status_code == 400
    assert "Đã có 2 tệp chờ gắn vào bài" in page_text(response)
    assert PendingUpload.objects.filter(owner=author).count() == 2
    monkeypatch.setattr(pending_uploads, "MAX_FILES", 10)
    monkeypatch.setattr(pending_uploads, "MAX_BYTES", 2 * len(PDF) + 5)
    response = client.post(_new_url(site), {"action": "upload", "upload-file": _pdf()})
    assert response.status_code == 400
    assert "vượt quá" in page_text(response)
    assert PendingUpload.objects.filter(owner=author).count() == 2


def test_waiting_files_are_purged_after_a_day_with_their_bytes(
    desk, django_capture_on_commit_callbacks
):
    site, _staff, author = desk
    old = pending_uploads.pending_upload_add(actor=author, uploaded=_pdf("cu.pdf"))
    fresh = pending_uploads.pending_upload_add(actor=author, uploaded=_pdf("moi.pdf"))
    PendingUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    storage, name = old.file.storage, old.file.name
    assert storage.exists(name)
    # an old file is no longer offered, even before the purge runs
    assert "cu.pdf" not in page_text(signed_in(site.dev_host, author).get(_new_url(site)))
    with django_capture_on_commit_callbacks(execute=True):
        assert pending_uploads.pending_uploads_purge() == 1
    assert list(PendingUpload.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not storage.exists(name)
    assert pending_uploads.pending_uploads_purge() == 0


def test_the_editor_offers_the_items_attached_images_by_their_public_address(desk):
    site, _staff, author = desk
    item = item_create(actor=author, site=site, kind="news", title="Tin có ảnh")
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    image = attachment_add(
        item=item, actor=author, uploaded=SimpleUploadedFile("cau.png", png, "image/png")
    )
    attachment_add(item=item, actor=author, uploaded=_pdf())
    html = page_text(signed_in(site.dev_host, author).get(f"/staff/items/{item.pk}/"))
    assert f'<data value="/tep/{image.pk}/">cau.png</data>' in html
    assert html.count("<data value=") == 1  # the PDF is not an image


def test_the_publishers_correction_form_gets_the_editor_too(desk):
    site, staff, _author = desk
    item = published(staff, site=site, title="Tin đã đăng", body="<p>Một</p>")
    publisher = staff.holding("approver")
    html = page_text(signed_in(site.dev_host, publisher).get(f"/staff/items/{item.pk}/"))
    assert re.search(r'<textarea name="correct-body"[^>]*data-rich-text="body"', html)
    assert "frontend/editor.js" in html
