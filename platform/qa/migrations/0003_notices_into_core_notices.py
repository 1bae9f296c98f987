# The Q&A notices move into the core's one notice table (core.Notice, ADR 0015): each row keeps
# its recipient, day and time sent; what it was about becomes its subject
# (core.notices.notice_subject): "qa.question:<id>:<kind>" for a question's reminder,
# "qa:<kind>" for the board's overdue summary. The old uniqueness rules (per question, kind,
# recipient and day; one summary per kind, recipient and day) map onto the one rule "per
# recipient, subject and day". Runs in every province schema and in the template.

from django.db import migrations

COPY = """
INSERT INTO core_notice (recipient_id, subject, day, sent_at)
SELECT recipient_id,
       CASE WHEN question_id IS NULL THEN 'qa:' || kind
            ELSE 'qa.question:' || question_id || ':' || kind END,
       day, sent_at
FROM qa_notice
ON CONFLICT (recipient_id, subject, day) DO NOTHING
"""

# Back to the old table: the rows of questions that still exist, and the summaries.
COPY_BACK = """
INSERT INTO qa_notice (question_id, kind, recipient_id, day, sent_at)
SELECT CASE WHEN subject LIKE 'qa.question:%%' THEN split_part(subject, ':', 2)::bigint END,
       CASE WHEN subject LIKE 'qa.question:%%' THEN split_part(subject, ':', 3)
            ELSE split_part(subject, ':', 2) END,
       recipient_id, day, sent_at
FROM core_notice
WHERE subject LIKE 'qa:%%'
   OR (subject LIKE 'qa.question:%%' AND EXISTS (
       SELECT 1 FROM qa_question WHERE id = split_part(subject, ':', 2)::bigint));
DELETE FROM core_notice WHERE subject LIKE 'qa:%%' OR subject LIKE 'qa.question:%%'
"""


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_notices"),
        ("qa", "0002_question_lateness_and_publication"),
    ]

    operations = [
        migrations.RunSQL(COPY, reverse_sql=COPY_BACK),
        migrations.DeleteModel(name="Notice"),
    ]
