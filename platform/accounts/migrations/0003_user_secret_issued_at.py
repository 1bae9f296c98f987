from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_audit_entry"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="secret_issued_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
