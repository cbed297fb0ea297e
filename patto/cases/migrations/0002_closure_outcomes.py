from django.db import migrations

from patto.cases.reference_data import create_closure_outcomes


def create(apps, schema_editor):
    create_closure_outcomes(apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
