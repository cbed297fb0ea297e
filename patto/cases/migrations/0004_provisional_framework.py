from django.db import migrations

from patto.cases.reference_data import load_shipped_framework


def load(apps, schema_editor):
    load_shipped_framework(apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_assessment")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
