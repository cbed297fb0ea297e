import uuid

import django.db.models.deletion
from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    Pact = apps.get_model("governance", "Pact")
    for pact in Pact.objects.filter(public_id__isnull=True):
        pact.public_id = uuid.uuid4()
        pact.save(update_fields=["public_id"])


class Migration(migrations.Migration):
    dependencies = [("governance", "0005_indicators")]

    operations = [
        migrations.AddField(model_name="pact", name="public_id", field=models.UUIDField(null=True, editable=False)),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(model_name="pact", name="public_id",
                              field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
        migrations.AddField(model_name="pact", name="is_public", field=models.BooleanField(
            default=False, help_text="The text in force and the signatories can be read without signing in.",
            verbose_name="published")),
        migrations.AddField(model_name="pactversion", name="approved_in", field=models.ForeignKey(
            blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="approved_versions",
            to="governance.bodymeeting", verbose_name="approved in the meeting")),
    ]
