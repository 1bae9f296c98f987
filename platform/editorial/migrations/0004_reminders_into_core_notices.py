# The editorial reminders move into the core's one notice table (core.Notice, ADR 0015): each
# row keeps its recipient, day and time sent; what it was about becomes its subject
# (core.notices.notice_subject): "editorial.item:<id>:<kind>" for an item's reminder,
# "editorial:<kind>" for the board's summary. The old uniqueness rules (per item, kind,
# recipient and day; one summary per kind, recipient and day) map onto the one rule "per
# recipient, subject and day". Runs in every province schema and in the template.

from django.db import migrations

COPY = """
INSERT INTO core_notice (recipient_id, subject, day, sent_at)
SELECT recipient_id,
       CASE WHEN item_id IS NULL THEN 'editorial:' || kind
            ELSE 'editorial.item:' || item_id || ':' || kind END,
       day, sent_at
FROM editorial_reminder
ON CONFLICT (recipient_id, subject, day) DO NOTHING
"""

# Back to the old table: the rows of items that still exist, and the summaries.
COPY_BACK = """
INSERT INTO editorial_reminder (item_id, kind, recipient_id, day, sent_at)
SELECT CASE WHEN subject LIKE 'editorial.item:%%' THEN split_part(subject, ':', 2)::bigint END,
       CASE WHEN subject LIKE 'editorial.item:%%' THEN split_part(subject, ':', 3)
            ELSE split_part(subject, ':', 2) END,
       recipient_id, day, sent_at
FROM core_notice
WHERE subject LIKE 'editorial:%%'
   OR (subject LIKE 'editorial.item:%%' AND EXISTS (
       SELECT 1 FROM editorial_item WHERE id = split_part(subject, ':', 2)::bigint));
DELETE FROM core_notice WHERE subject LIKE 'editorial:%%' OR subject LIKE 'editorial.item:%%'
"""


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_notices"),
        ("editorial", "0003_scheduled_revision_and_step_delegation"),
    ]

    operations = [
        migrations.RunSQL(COPY, reverse_sql=COPY_BACK),
        migrations.DeleteModel(name="Reminder"),
    ]
