from django.db import migrations


class Migration(migrations.Migration):
    """Until now a deadline was met by the item's first publication (ADR 0005): the items
    published so far met theirs then. Outside a transaction, so that the rows it updates leave
    no pending trigger events for a later ALTER TABLE of the same run."""

    atomic = False

    dependencies = [("editorial", "0009_procedure_kind_code_deadline_met")]

    operations = [
        migrations.RunSQL(
            "UPDATE editorial_item SET sla_met_at = first_published_at "
            "WHERE sla_due_at IS NOT NULL AND first_published_at IS NOT NULL",
            migrations.RunSQL.noop,
        ),
    ]
