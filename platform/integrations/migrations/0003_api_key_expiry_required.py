from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0002_api_key_issuer_and_expiry_backfill"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apikey",
            name="expires_at",
            field=models.DateTimeField(),
        ),
    ]
