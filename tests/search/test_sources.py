"""Editorial and Hỏi – Đáp feed search: what is published is found once its transaction
commits, what is unpublished or withdrawn is gone, and `search_reindex` rebuilds it all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from editorial import rules
from editorial.search import SOURCE as ITEMS
from editorial.services import (
    category_create,
    category_update,
    item_correct,
    item_create,
    item_transition,
    item_unpublish,
    item_update,
    item_withdraw,
    items_publish_scheduled,
)
from editorial.urls_public import item_path
from qa.search import QUESTION_SOURCE, TOPIC_SOURCE
from qa.services import question_publish, topic_ensure, topic_update
from search.models import Document
from search.selectors import search
from tests.factories.editorial import Desk, item_author
from tests.factories.qa import answered, submitted
from tests.search.conftest import pushed


def titles(query: str, **filters) -> list[str]:
    return [str(hit.title) for hit in search(query=query, **filters).hits]


@pytest.fixture
def desk(hagiang):
    site, staff = hagiang
    return Desk(staff, site)


def test_a_published_item_is_found_on_commit_with_its_address_and_kind(
    desk, django_capture_on_commit_callbacks
):
    # given an item on a component site, published through the province's workflow
    with django_capture_on_commit_callbacks(execute=True):
        item = desk.publish(
            title="Thu hồi đất đai ở Bắc Quang", body="<p>Hộ dân<br>được <b>bồi thường</b></p>"
        )
    # when a visitor searches without diacritics
    page = search(query="dat dai")
    # then the item is there: its page on its site, its kind in Vietnamese
    (hit,) = page.hits
    assert (hit.url, hit.site_id, hit.kind, hit.kind_label) == (
        f"/bai-viet/{item.slug}/",
        desk.site.pk,
        "news",
        "Tin tức",
    )
    assert hit.published_at == item.first_published_at
    # and the body is read as words, without its markup
    assert titles("duoc boi thuong") == ["Thu hồi đất đai ở Bắc Quang"]
    assert "<" not in Document.objects.get(source=ITEMS, source_id=item.pk).text


def test_nothing_is_found_before_publication(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        author = item_author(desk.staff)
        draft = item_create(actor=author, site=desk.site, kind="news", title="Đất đai nháp")
        item_transition(item=draft, actor=author, decision="forward")
    assert titles("dat dai") == []


def test_an_unpublished_or_withdrawn_item_is_gone(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = desk.publish(title="Đất đai một")
        second = desk.publish(title="Đất đai hai")
    assert sorted(titles("dat dai")) == ["Đất đai hai", "Đất đai một"]
    publisher = desk.publisher(desk.site)
    with django_capture_on_commit_callbacks(execute=True):
        item_unpublish(item=first, actor=publisher, reason="Hết hạn")
    assert titles("dat dai") == ["Đất đai hai"]
    with django_capture_on_commit_callbacks(execute=True):
        item_withdraw(item=second, actor=publisher, reason="Thông tin sai")
    assert titles("dat dai") == []


def test_a_correction_replaces_what_is_found(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = desk.publish(title="Thông báo tuyển dụng viên chức")
        item_correct(
            item=item,
            actor=desk.publisher(desk.site),
            reason="Nhầm ngạch",
            text="Đính chính ngạch tuyển dụng",
            title="Thông báo tuyển dụng công chức",
        )
    assert titles("cong chuc") == ["Thông báo tuyển dụng công chức"]
    assert search(query="vien chuc").total == 0


def test_a_scheduled_item_is_found_once_the_run_publishes_it(
    desk, django_capture_on_commit_callbacks
):
    author = item_author(desk.staff)
    item = item_create(actor=author, site=desk.site, kind="news", title="Đất đai hẹn giờ")
    item = item_transition(item=item, actor=author, decision="forward")
    at = timezone.now() + timedelta(hours=1)
    spec = desk.spec(desk.site)
    publishing = rules.publish_step_index(spec.steps)
    while item.publish_at is None:  # every step forwards; the publishing one schedules
        state = item.workflow_states.get(status="active")
        item = item_transition(
            item=item,
            actor=desk.staff.holding(spec.steps[state.current_step].role),
            decision="forward",
            **({"publish_at": at} if state.current_step == publishing else {}),
        )
    assert titles("dat dai") == []
    with django_capture_on_commit_callbacks(execute=True):
        assert items_publish_scheduled(now=at + timedelta(minutes=1)) == 1
    assert titles("dat dai") == ["Đất đai hẹn giờ"]


def test_a_legal_documents_number_and_issuer_are_found_never_its_status_code(
    desk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = desk.publish(
            kind="legal_document",
            title="Quy định bồi thường, hỗ trợ, tái định cư",
            fields={
                "number": "19/2015/QĐ-UBND",
                "document_type": "Quyết định",
                "issuing_body": "Ủy ban nhân dân tỉnh Hà Giang",
                "signer": "Nguyễn Văn A",
                "issued_on": "2015-06-01",
                "field": "Đất đai",
            },
        )
    assert titles("19/2015/QĐ-UBND") == [str(item.published_revision.title)]
    assert titles("uy ban nhan dan tinh ha giang") == [str(item.published_revision.title)]
    (hit,) = search(query="19/2015").hits
    assert hit.kind_label == "Văn bản quy phạm pháp luật"
    assert "in_force" not in Document.objects.get(source=ITEMS, source_id=item.pk).text


def test_a_renamed_category_renames_the_topic_of_its_items(
    desk, django_capture_on_commit_callbacks
):
    publisher = desk.publisher(None)
    with django_capture_on_commit_callbacks(execute=True):
        category = category_create(name="Tài nguyên", actor=publisher)
        item = desk.publish(on_portal=True, title="Tin tức tổng hợp")
        item_update(item=item, actor=item_author(desk.staff, on_portal=True), category=category)
    assert titles("tai nguyen") == ["Tin tức tổng hợp"]
    with django_capture_on_commit_callbacks(execute=True):
        category_update(category=category, name="Đất đai", actor=publisher)
    assert titles("dat dai") == ["Tin tức tổng hợp"]
    assert search(query="tai nguyen").total == 0


def test_the_public_path_of_an_item_has_one_definition():
    assert item_path("luat-dat-dai", "vi") == reverse("frontend:item", args=["luat-dat-dai"])
    assert item_path("land-law", "en") == reverse("frontend:item_translation", args=["land-law"])


# --- Hỏi – Đáp --------------------------------------------------------------------------------


@pytest.fixture
def land(hagiang, django_capture_on_commit_callbacks):
    site, staff = hagiang
    with django_capture_on_commit_callbacks(execute=True):
        topic = topic_ensure(name="Đất đai", agency=site.agency)
    return topic, staff


def test_a_topics_name_is_found(land):
    (hit,) = search(query="dat dai").hits
    assert (str(hit.title), hit.kind) == ("Đất đai", "qa_topic")
    assert hit.kind_label == "Lĩnh vực hỏi – đáp"
    assert hit.url == "/hoi-dap/?linh_vuc=dat-dai"


def test_an_answer_is_found_once_the_board_publishes_it(land, django_capture_on_commit_callbacks):
    # given: Hà Giang's board publishes answers (QĐ 19/2015 Art. 9(2))
    topic, staff = land
    with django_capture_on_commit_callbacks(execute=True):
        question = answered(
            submitted(topic, title="Hỏi về cấp sổ đỏ", text="Thủ tục thế nào?"),
            by=staff.holding("agency_head"),
            text="Nộp hồ sơ tại bộ phận một cửa.",
        )
    # when the agency has answered, nothing is public yet
    assert search(query="so do").total == 0
    with django_capture_on_commit_callbacks(execute=True):
        question_publish(question=question, actor=staff.holding("board_head"), publish=True)
    # then the question, the answer and the topic's name find it
    (hit,) = search(query="so do").hits
    assert (hit.kind, hit.kind_label, hit.topic, hit.site_id) == (
        "qa_question",
        "Hỏi – Đáp",
        "Đất đai",
        None,
    )
    assert hit.url.startswith("/hoi-dap/?q=hoi+ve+cap+so+do")
    assert hit.url.endswith(f"#q{question.pk}-title")
    assert titles("mot cua") == ["Hỏi về cấp sổ đỏ"]
    assert "Hỏi về cấp sổ đỏ" in titles("dat dai")
    # nothing personal is searchable
    assert search(query="Lê Thị").total == 0


def test_an_answer_not_published_is_never_found(land, django_capture_on_commit_callbacks):
    topic, staff = land
    with django_capture_on_commit_callbacks(execute=True):
        question = answered(
            submitted(topic, title="Hỏi riêng về sổ đỏ"), by=staff.holding("agency_head")
        )
        question_publish(
            question=question,
            actor=staff.holding("board_head"),
            publish=False,
            reason="Nội dung riêng của người hỏi",
        )
    assert search(query="so do").total == 0


def test_a_renamed_or_closed_topic_follows(land, django_capture_on_commit_callbacks):
    topic, _staff = land
    with django_capture_on_commit_callbacks(execute=True):
        topic_update(topic=topic, name="Đất đai, nhà ở")
    assert titles("nha o") == ["Đất đai, nhà ở"]
    with django_capture_on_commit_callbacks(execute=True):
        topic_update(topic=topic, is_active=False)
    assert search(query="nha o").total == 0


# --- rebuilding -------------------------------------------------------------------------------


def test_reindex_rebuilds_every_source_and_is_idempotent(
    desk, land, django_capture_on_commit_callbacks, capsys
):
    # given published items and a topic, whose documents were lost, and a stale one
    with django_capture_on_commit_callbacks(execute=True):
        desk.publish(title="Đất đai một")
        desk.publish(on_portal=True, title="Đất đai hai")
    Document.objects.all().delete()
    pushed("Đất đai cũ", source=ITEMS, source_id=999_999)
    schema = connection.schema_name
    # when the province is reindexed, twice
    call_command("search_reindex", schema=schema)
    first = sorted(Document.objects.values_list("source", "title", "url"))
    call_command("search_reindex", schema=schema)
    # then every public thing is back, the stale document is gone, nothing is duplicated
    assert sorted(titles("dat dai")) == ["Đất đai", "Đất đai hai", "Đất đai một"]
    assert sorted(Document.objects.values_list("source", "title", "url")) == first
    assert {source for source, _title, _url in first} == {ITEMS, TOPIC_SOURCE}
    out = capsys.readouterr().out
    assert f"{schema}: editorial.item: 2 indexed, 1 removed" in out
    assert f"{QUESTION_SOURCE}: 0 indexed, 0 removed" in out


def test_reindex_refuses_an_unknown_schema(tenant_db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no province"):
        call_command("search_reindex", schema="p_nowhere")
