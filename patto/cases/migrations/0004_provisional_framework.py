from django.db import migrations

from patto.cases.framework_loader import SHIPPED, load_framework, read


def load(apps, schema_editor):
    load_framework(read(SHIPPED), apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_assessment")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
