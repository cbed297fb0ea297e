"""The closure outcomes observed in the national PIPPI reports; each district can edit the list."""

from django.db import migrations

OUTCOMES = [
    ("improved", "Percorso concluso per miglioramento", 10),
    ("lighter", "Prosegue con un accompagnamento più leggero", 20),
    ("reinforced", "Prosegue con un accompagnamento rafforzato", 30),
    ("transferred", "Trasferito ad altro servizio o territorio", 40),
    ("other", "Altro esito", 50),
]


def create(apps, schema_editor):
    ClosureOutcome = apps.get_model("cases", "ClosureOutcome")
    for code, label, order in OUTCOMES:
        ClosureOutcome.objects.get_or_create(code=code, defaults={"label": label, "order": order})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
