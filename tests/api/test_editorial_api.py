"""The editorial API: the same workflow as the services, refusals in the one error format,
and a public that only ever reads published revisions of its host's site."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from editorial.models import Item, Transition
from editorial.services import item_unpublish
from organization.models import ComponentSite
from tests.factories.api import NEWS, Newsroom, error_of, patch_json, post_json
from tests.factories.integrations import api_key
from tests.factories.organization import Staff


@pytest.fixture
def newsroom(tenant_db):
    return lambda slug: Newsroom(tenant_db[slug])


# --- the workflow over the API ----------------------------------------------------------------


def test_thainguyen_news_runs_updater_then_approver_and_appears_only_once_published(newsroom):
    # given: an updater and an approver of a Thái Nguyên agency, on that agency's site host
    tn = newsroom("thainguyen")
    updater = tn.client(tn.key("updater"))
    approver = tn.client(tn.key("approver"))
    anonymous = tn.client()

    # when: the updater creates the item
    created = post_json(updater, "/api/v1/items/", NEWS)

    # then: a draft on the host's site, not public
    assert created.status_code == 201, created.content
    item = created.json()
    assert (item["status"], item["site"], item["revision"]) == ("draft", tn.site_label, 1)
    assert item["sla"]["content_type"] == "news"
    path = f"/api/v1/items/{item['id']}/"
    assert anonymous.get(path).status_code == 404

    # when: the updater submits; then: it waits for the approver's publish step
    submitted = post_json(updater, path + "transitions/", {"decision": "forward"})
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "in_workflow"
    assert submitted.json()["workflow"]["step"]["role"] == "approver"
    assert anonymous.get(path).status_code == 404
    queue = approver.get("/api/v1/queue/").json()
    assert item["id"] in [entry["id"] for entry in queue]

    # when: the approver publishes
    published = post_json(
        approver, path + "transitions/", {"decision": "forward", "comment": "Đạt"}
    )

    # then: the public reads it on the site's host, and only there
    assert published.status_code == 200, published.content
    assert published.json()["status"] == "published"
    public = anonymous.get(path)
    assert public.status_code == 200
    assert public.json()["title"] == NEWS["title"]
    assert "status" not in public.json()
    listing = anonymous.get("/api/v1/items/").json()["results"]
    assert item["id"] in [entry["id"] for entry in listing]
    assert tn.client(portal=True).get(path).status_code == 404

    # and the history names every move and who made it
    history = approver.get(path + "history/").json()
    assert [(t["action"], t["step"]) for t in history] == [
        ("create", ""),
        ("submit", "update"),
        ("publish", "publish"),
    ]
    assert history[-1]["actor"].startswith("approver_")
    assert history[-1]["comment"] == "Đạt"
    assert history[-1]["on_behalf_of"] is None


def test_hue_updater_cannot_publish_through_the_api_and_nothing_changes(newsroom):
    # given: a Huế item past its deputy head's review, waiting for the head
    hue = newsroom("thuathienhue")
    updater = hue.client(hue.key("board_member"))
    deputy = hue.client(hue.key("deputy_head"))
    item = post_json(updater, "/api/v1/items/", NEWS).json()
    path = f"/api/v1/items/{item['id']}/"
    assert post_json(updater, path + "transitions/", {"decision": "forward"}).status_code == 200
    assert post_json(deputy, path + "transitions/", {"decision": "forward"}).status_code == 200
    before = updater.get(path + "?view=staff").json()
    moves = len(updater.get(path + "history/").json())

    # when: the updater tries to publish
    response = post_json(updater, path + "transitions/", {"decision": "forward"})

    # then: refused, and the item and its history are as they were
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == "not_allowed"
    assert "Trưởng Ban Biên tập" in error["message"]
    assert updater.get(path + "?view=staff").json() == before
    assert len(updater.get(path + "history/").json()) == moves
    assert hue.client().get(path).status_code == 404


def test_refused_moves_are_400_or_409_with_the_reason(newsroom):
    # given: a submitted Thái Nguyên item
    tn = newsroom("thainguyen")
    updater, approver = tn.client(tn.key("updater")), tn.client(tn.key("approver"))
    path = f"/api/v1/items/{post_json(updater, '/api/v1/items/', NEWS).json()['id']}/"
    post_json(updater, path + "transitions/", {"decision": "forward"})

    # a rejection without a reason is a 400 naming the comment
    response = post_json(approver, path + "transitions/", {"decision": "reject"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "reason_required"
    assert "comment" in error_of(response)["fields"]
    # an unknown decision is a validation error
    response = post_json(approver, path + "transitions/", {"decision": "approve"})
    assert response.status_code == 400
    assert "decision" in error_of(response)["fields"]

    # once published and withdrawn, further moves conflict with its state
    post_json(approver, path + "transitions/", {"decision": "forward"})
    withdrawn = post_json(approver, path + "withdrawal/", {"reason": "Thông tin hết hiệu lực"})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    response = post_json(approver, path + "transitions/", {"decision": "forward"})
    assert response.status_code == 409
    assert error_of(response)["code"] == "withdrawn"
    response = patch_json(updater, path, {"title": "Sửa bài đã thu hồi"})
    assert response.status_code == 409


def test_a_withdrawn_item_answers_410_with_its_public_reason(newsroom):
    tn = newsroom("thainguyen")
    pk = tn.published_item(title="Thông báo cũ", author_role="updater", publisher_role="approver")
    approver = tn.client(tn.key("approver"))

    post_json(approver, f"/api/v1/items/{pk}/withdrawal/", {"reason": "Văn bản đã hết hiệu lực"})

    response = tn.client().get(f"/api/v1/items/{pk}/")
    assert response.status_code == 410
    assert error_of(response) == {
        "code": "withdrawn",
        "message": "Văn bản đã hết hiệu lực",
        "fields": {},
    }
    assert pk not in [i["id"] for i in tn.client().get("/api/v1/items/").json()["results"]]


def test_an_unpublished_item_is_404_for_the_public_but_not_for_staff(newsroom):
    tn = newsroom("thainguyen")
    pk = tn.published_item(title="Tin tạm gỡ", author_role="updater", publisher_role="approver")
    with tn.inside():
        approver = Item.objects.get(pk=pk).transitions.last().actor
        item_unpublish(item=Item.objects.get(pk=pk), actor=approver, reason="Chờ số liệu")

    assert tn.client().get(f"/api/v1/items/{pk}/").status_code == 404
    staff_view = tn.client(tn.key("approver")).get(f"/api/v1/items/{pk}/?view=staff")
    assert (staff_view.status_code, staff_view.json()["status"]) == (200, "unpublished")


def test_a_correction_is_published_at_once_with_its_notice(newsroom):
    tn = newsroom("thainguyen")
    pk = tn.published_item(
        title="Số liệu quý III", author_role="updater", publisher_role="approver"
    )
    approver = tn.client(tn.key("approver"))

    response = post_json(
        approver,
        f"/api/v1/items/{pk}/corrections/",
        {"reason": "Sai số liệu", "text": "Sửa 5% thành 6%", "body": "<p>Tăng 6%</p>"},
    )

    assert response.status_code == 201, response.content
    assert response.json()["revision"] == 2
    public = tn.client().get(f"/api/v1/items/{pk}/").json()
    assert public["body"] == "<p>Tăng 6%</p>"
    assert [(c["reason"], c["text"]) for c in public["corrections"]] == [
        ("Sai số liệu", "Sửa 5% thành 6%")
    ]


# --- what the public reads --------------------------------------------------------------------


def test_public_read_never_shows_a_working_copy_and_staff_see_the_diff(newsroom):
    # given: a published item whose working copy was then edited
    tn = newsroom("thainguyen")
    pk = tn.published_item(title="Bản đã duyệt", author_role="updater", publisher_role="approver")
    updater = tn.client(tn.key("updater"))
    path = f"/api/v1/items/{pk}/"
    edited = patch_json(updater, path, {"title": "Bản nháp chưa duyệt", "comment": "sửa tiêu đề"})
    assert edited.status_code == 200, edited.content
    assert (edited.json()["revision"], edited.json()["published_revision"]) == (2, 1)

    # then: the public (and a staff key not asking for the staff view) reads revision 1
    for client in (tn.client(), updater):
        assert client.get(path).json()["title"] == "Bản đã duyệt"
        listed = {i["id"]: i for i in client.get("/api/v1/items/").json()["results"]}
        assert listed[pk]["title"] == "Bản đã duyệt"
    # staff see the working copy, its revisions and what changed
    assert updater.get(path + "?view=staff").json()["title"] == "Bản nháp chưa duyệt"
    staff_list = updater.get("/api/v1/items/?view=staff&status=published").json()["results"]
    assert {i["id"]: i["title"] for i in staff_list}[pk] == "Bản nháp chưa duyệt"
    revisions = updater.get(path + "revisions/").json()
    assert [(r["number"], r["is_current"], r["is_published"]) for r in revisions] == [
        (1, False, True),
        (2, True, False),
    ]
    diff = updater.get(path + "diff/?from=1&to=2").json()
    assert {"op": "removed", "text": "# Bản đã duyệt"} in diff["lines"]
    assert {"op": "added", "text": "# Bản nháp chưa duyệt"} in diff["lines"]
    missing = updater.get(path + "diff/?from=1&to=9")
    assert missing.status_code == 400
    assert list(error_of(missing)["fields"]) == ["to"]


def test_the_portal_host_lists_portal_items_and_a_site_host_its_own(newsroom):
    tn = newsroom("thainguyen")
    pk = tn.published_item(title="Tin của Sở", author_role="updater", publisher_role="approver")

    on_site = tn.client().get("/api/v1/items/?kind=news").json()["results"]
    on_portal = tn.client(portal=True).get("/api/v1/items/").json()["results"]
    other_kind = tn.client().get("/api/v1/items/?kind=event").json()["results"]

    assert pk in [i["id"] for i in on_site]
    assert pk not in [i["id"] for i in on_portal]
    assert pk not in [i["id"] for i in other_kind]


def test_staff_only_reads_are_refused_to_others(newsroom):
    tn = newsroom("thainguyen")
    pk = tn.published_item(title="Tin", author_role="updater", publisher_role="approver")
    with tn.inside():
        from accounts.models import User

        outsider = User.objects.create(username="citizen_reader")
        outsider_key = api_key(outsider, name="reader", scopes=["read"])
    anonymous, outsider_client = tn.client(), tn.client(outsider_key)

    assert anonymous.get("/api/v1/items/?view=staff").status_code == 401
    assert outsider_client.get("/api/v1/items/?view=staff").status_code == 403
    assert outsider_client.get(f"/api/v1/items/{pk}/history/").status_code == 403
    assert anonymous.get(f"/api/v1/items/{pk}/revisions/").status_code == 401
    # a status filter without the staff view is a clear 400, not silently ignored
    response = anonymous.get("/api/v1/items/?status=draft")
    assert response.status_code == 400
    assert "status" in error_of(response)["fields"]


def test_list_queries_do_not_grow_with_the_items(newsroom, django_assert_max_num_queries):
    # given: several published items on the site
    tn = newsroom("thainguyen")
    for n in range(6):
        tn.published_item(title=f"Tin số {n}", author_role="updater", publisher_role="approver")
    anonymous, staff = tn.client(), tn.client(tn.key("updater"))
    anonymous.get("/api/v1/items/")  # warm the host and site caches
    staff.get("/api/v1/items/?view=staff")  # and the key's last use

    # then: one query for the page, whatever its length (plus the schema and the host's site)
    with django_assert_max_num_queries(3):
        public = anonymous.get("/api/v1/items/?page_size=50")
    assert len(public.json()["results"]) >= 6
    # staff: the schema, the host's site, the key, the role check, the page
    with django_assert_max_num_queries(5):
        listing = staff.get("/api/v1/items/?view=staff&page_size=50")
    assert len(listing.json()["results"]) >= 6


# --- bad input: a clear 4xx and nothing stored ------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"body": "<p>" + "x" * 1_000_000 + "</p>"}, "body"),
        ({"kind": "propaganda"}, "kind"),
        ({"fields": {"event_at": "ngày mai"}}, "fields.event_at"),
        ({"fields": {"unknown": 1}}, "fields.unknown"),
        ({"fields": ["event_at"]}, "fields"),
        ({"site": "khong-co"}, "site"),
        ({"category": "abc"}, "category"),
        ({"language": "fr"}, "language"),
        ({"source_url": "javascript:alert(1)"}, "source_url"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_is_stored(newsroom, change, field):
    tn = newsroom("thainguyen")
    updater = tn.client(tn.key("updater"))
    before = tn.items()

    response = post_json(updater, "/api/v1/items/", {**NEWS, **change})

    assert response.status_code == 400
    assert field in error_of(response)["fields"]
    assert tn.items() == before


def test_a_10_mb_body_is_refused_before_it_is_read(newsroom):
    tn = newsroom("thainguyen")
    updater = tn.client(tn.key("updater"))
    before = tn.items()

    response = post_json(updater, "/api/v1/items/", {**NEWS, "body": "<p>" + "x" * 10_000_000})

    assert response.status_code == 413
    assert error_of(response)["code"] == "request_too_large"
    assert tn.items() == before


def test_a_patch_cannot_change_what_is_fixed_or_nothing(newsroom):
    tn = newsroom("thainguyen")
    updater = tn.client(tn.key("updater"))
    path = f"/api/v1/items/{post_json(updater, '/api/v1/items/', NEWS).json()['id']}/"

    fixed = patch_json(updater, path, {"kind": "event", "title": "Tiêu đề mới"})
    empty = patch_json(updater, path, {"comment": "không sửa gì"})
    wrong_fields = patch_json(updater, path, {"fields": {"event_at": "x"}})

    assert (fixed.status_code, list(error_of(fixed)["fields"])) == (400, ["kind"])
    assert empty.status_code == 400
    assert (wrong_fields.status_code, error_of(wrong_fields)["code"]) == (400, "invalid_fields")
    assert updater.get(path + "?view=staff").json()["revision"] == 1


def test_script_tags_are_stored_sanitised_not_refused(newsroom):
    tn = newsroom("thainguyen")
    updater = tn.client(tn.key("updater"))

    response = post_json(
        updater,
        "/api/v1/items/",
        {**NEWS, "body": '<p onclick="steal()">Tin<script>alert(1)</script></p>'},
    )

    assert response.status_code == 201
    body = response.json()["body"]
    assert "<p>Tin" in body
    assert "script" not in body
    assert "onclick" not in body


def test_keys_of_another_province_and_read_only_keys_cannot_write(newsroom):
    # given: a Huế key, and a read-only Thái Nguyên key of an updater
    tn, hue = newsroom("thainguyen"), newsroom("thuathienhue")
    foreign = tn.client(hue.key("board_member"))
    read_only = tn.client(tn.key("updater", scopes=["read"]))
    before = tn.items()

    # then: the foreign key is unknown here (401), even for reading; the read key may not write
    assert post_json(foreign, "/api/v1/items/", NEWS).status_code == 401
    assert foreign.get("/api/v1/items/").status_code == 401
    response = post_json(read_only, "/api/v1/items/", NEWS)
    assert response.status_code == 403
    assert error_of(response)["code"] == "permission_denied"
    assert read_only.get("/api/v1/items/").status_code == 200
    assert post_json(tn.client(), "/api/v1/items/", NEWS).status_code == 401
    assert tn.items() == before


def test_a_user_without_the_first_steps_role_cannot_create(newsroom):
    tn = newsroom("thainguyen")
    approver = tn.client(tn.key("approver"))
    before = tn.items()

    response = post_json(approver, "/api/v1/items/", NEWS)

    assert response.status_code == 403
    assert error_of(response)["code"] == "not_allowed"
    assert tn.items() == before


def test_a_signed_in_editor_creates_through_the_session(newsroom, tenant_db):
    tn = newsroom("thainguyen")
    client = tn.client()
    with tn.inside():
        site = ComponentSite.objects.select_related("agency").order_by("pk").first()
        client.force_login(Staff(site.agency).holding("updater"))

    response = post_json(client, "/api/v1/items/", {**NEWS, "site": tn.site_label})

    assert response.status_code == 201, response.content
    with tn.inside():
        transitions = Transition.objects.filter(item_id=response.json()["id"])
        assert list(transitions.values_list("action", flat=True)) == ["create"]


# --- attachments ------------------------------------------------------------------------------


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    # TenantFileSystemStorage caches its root until this setting changes
    settings.MULTITENANT_RELATIVE_MEDIA_ROOT = "%s/"
    return tmp_path


def test_attachments_are_checked_by_their_bytes(newsroom, media_root):
    tn = newsroom("thainguyen")
    updater = tn.client(tn.key("updater"))
    path = f"/api/v1/items/{post_json(updater, '/api/v1/items/', NEWS).json()['id']}/attachments/"

    pdf = SimpleUploadedFile("ke-hoach.pdf", b"%PDF-1.7\n%...\n", content_type="text/plain")
    added = updater.post(path, {"file": pdf})
    disguised = SimpleUploadedFile(
        "anh.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    refused = updater.post(path, {"file": disguised})
    missing = updater.post(path, {})

    assert added.status_code == 201, added.content
    assert (added.json()["name"], added.json()["content_type"]) == (
        "ke-hoach.pdf",
        "application/pdf",
    )
    assert (refused.status_code, error_of(refused)["code"]) == (400, "file_type_refused")
    assert (missing.status_code, list(error_of(missing)["fields"])) == (400, ["file"])
    staff_view = updater.get(path.replace("attachments/", "?view=staff")).json()
    assert [a["name"] for a in staff_view["attachments"]] == ["ke-hoach.pdf"]


def test_an_english_version_is_refused_where_the_regulation_provides_none(newsroom):
    # Bắc Kạn's profile: language.english = false
    backan = newsroom("backan")
    client = backan.client(backan.key("site_editor"))
    original = post_json(client, "/api/v1/items/", NEWS).json()["id"]
    before = backan.items()
    response = post_json(
        client,
        "/api/v1/items/",
        {**NEWS, "title": "Trade fair opens", "language": "en", "translation_of": original},
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "language_not_offered"
    assert list(error["fields"]) == ["language"]
    assert backan.items() == before
