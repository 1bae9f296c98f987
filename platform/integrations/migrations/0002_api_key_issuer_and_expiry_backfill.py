"""Who issued a key; keys issued without an expiry expire one year after their issue
(ADR 0013)."""

from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill_expiry(apps, schema_editor):
    ApiKey = apps.get_model("integrations", "ApiKey")
    for key in ApiKey.objects.filter(expires_at__isnull=True).only("pk", "created_at"):
        ApiKey.objects.filter(pk=key.pk).update(expires_at=key.created_at + timedelta(days=365))


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("integrations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apikey",
            name="created_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(backfill_expiry, migrations.RunPython.noop),
    ]
