from django.db import migrations, models
from django.db.models.functions import Now


def existing_with_district_are_onboarded(apps, schema_editor):
    # Accounts that already chose a home district need not be asked; the rest
    # see the welcome step once at their next sign-in, so they stop missing
    # their district's alerts.
    User = apps.get_model("citizens", "User")
    User.objects.filter(district__isnull=False).update(onboarded_at=Now())


class Migration(migrations.Migration):
    dependencies = [
        ("citizens", "0010_delivery_heartbeat"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="onboarded_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="welcome step shown at"),
        ),
        migrations.RunPython(existing_with_district_are_onboarded, migrations.RunPython.noop),
    ]
