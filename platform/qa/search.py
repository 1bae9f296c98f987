"""What Hỏi – Đáp shows to search: each published answer (the question, the answer, its topic)
and each active topic (so that a topic's name finds its page), kept current on commit of the
services that publish an answer or change a topic. Registered from QaConfig.ready()."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _

from core.text import fold
from qa.models import Question, Topic
from search.registry import Entry
from search.services import after_commit, document_remove, entries_upsert, entry_upsert

QUESTION_SOURCE = "qa.question"
TOPIC_SOURCE = "qa.topic"
PUBLIC_STATUSES = (Question.Status.ANSWERED, Question.Status.CLOSED)
# The answered questions' page lives on the portal's host; it filters by words and by topic.
LIST_PATH = "/hoi-dap/"
TITLE_WORDS = 10  # the list's search reads at most this many words
TOPIC_KIND = "qa_topic"
TOPIC_LABEL = _("Lĩnh vực hỏi – đáp")


def question_kind(intake: str) -> str:
    return f"qa_{intake}"


def question_url(question: Question) -> str:
    """The answered questions' list filtered by the question's own title, at its entry (the
    questions have no page of their own)."""
    words = " ".join(fold(question.title).split()[:TITLE_WORDS])
    return f"{LIST_PATH}?{urlencode({'q': words})}#q{question.pk}-title"


def topic_url(topic: Topic) -> str:
    return f"{LIST_PATH}?{urlencode({'linh_vuc': topic.slug})}"


def question_entry(question: Question) -> Entry | None:
    """The document of a published answer, or None when the question is not public."""
    if not question.is_public or question.status not in PUBLIC_STATUSES:
        return None
    text = " ".join(part for part in (question.text, question.answer_text, question.result) if part)
    return Entry(
        source_id=question.pk,
        kind=question_kind(question.intake),
        kind_label=Question.Intake(question.intake).label,
        title=question.title,
        text=text,
        url=question_url(question),
        site_id=None,
        language="vi",
        published_at=question.published_at or question.answered_at,
        topic=question.topic.name if question.topic_id and question.topic else "",
    )


def topic_entry(topic: Topic) -> Entry | None:
    if not topic.is_active:
        return None
    return Entry(
        source_id=topic.pk,
        kind=TOPIC_KIND,
        kind_label=TOPIC_LABEL,
        title=topic.name,
        text=topic.agency.name,
        url=topic_url(topic),
        site_id=None,
        language="vi",
        published_at=None,
        topic=topic.name,
    )


def _public_questions():
    # Only what the public page shows is read: never the asker's name, e-mail or phone.
    return (
        Question.objects.filter(is_public=True, status__in=PUBLIC_STATUSES)
        .select_related("topic")
        .only(
            "pk", "intake", "title", "text", "answer_text", "result", "status", "is_public",
            "published_at", "answered_at", "topic__name", "topic_id",
        )
    )  # fmt: skip


def question_sync(question_pk: int) -> None:
    question = _public_questions().filter(pk=question_pk).first()
    entry = question_entry(question) if question is not None else None
    if entry is None:
        document_remove(source=QUESTION_SOURCE, source_id=question_pk)
    else:
        entry_upsert(source=QUESTION_SOURCE, entry=entry)


def question_changed(question_pk: int) -> None:
    """On commit, the question's document as the question is then (published → found)."""
    after_commit(partial(question_sync, question_pk))


def topic_sync(topic_pk: int) -> None:
    """The topic's document, and the topic's name on its published answers' documents."""
    topic = Topic.objects.select_related("agency").filter(pk=topic_pk).first()
    entry = topic_entry(topic) if topic is not None else None
    if entry is None:
        document_remove(source=TOPIC_SOURCE, source_id=topic_pk)
    else:
        entry_upsert(source=TOPIC_SOURCE, entry=entry)
    questions = _public_questions().filter(topic_id=topic_pk).iterator(chunk_size=500)
    entries_upsert(source=QUESTION_SOURCE, entries=filter(None, map(question_entry, questions)))


def topic_changed(topic_pk: int) -> None:
    after_commit(partial(topic_sync, topic_pk))


def rebuild_questions() -> Iterator[Entry]:
    for question in _public_questions().iterator(chunk_size=500):
        entry = question_entry(question)
        if entry is not None:
            yield entry


def rebuild_topics() -> Iterator[Entry]:
    for topic in Topic.objects.filter(is_active=True).select_related("agency").iterator():
        entry = topic_entry(topic)
        if entry is not None:
            yield entry


def register() -> None:
    """Declare Hỏi – Đáp's answers and topics to search (QaConfig.ready)."""
    from search import registry

    registry.register(
        QUESTION_SOURCE,
        rebuild_questions,
        kinds={question_kind(code): label for code, label in Question.Intake.choices},
    )
    registry.register(TOPIC_SOURCE, rebuild_topics, kinds={TOPIC_KIND: TOPIC_LABEL})
