"""Builders for the citizens' Q&A, through qa.services only (inside a province's schema)."""

from __future__ import annotations

from qa.services import question_answer, question_submit

ASKER = {
    "name": "Lê Thị C",
    "email": "c@example.vn",
    "title": "Hỏi về đất đai",
    "text": "Xin hỏi thủ tục?",
    "consent": True,
}


def submitted(topic, /, **overrides):
    """A question submitted on `topic` (a Topic row) by a citizen with consent; any argument of
    `question_submit` (received_at, title, email, intake, even topic: a slug) overrides the
    defaults."""
    return question_submit(**(ASKER | {"topic": topic.slug} | overrides))


def answered(
    question, *, by, text: str = "Trả lời: nộp hồ sơ.", channel: str = "portal", publish=True
):
    """`question` answered by `by` (the head or a delegate) through `question_answer`."""
    return question_answer(question=question, actor=by, text=text, channel=channel, publish=publish)
