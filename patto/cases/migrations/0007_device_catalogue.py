from django.db import migrations

from patto.cases.reference_data import create_device_types


def create(apps, schema_editor):
    create_device_types(apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_devices")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
