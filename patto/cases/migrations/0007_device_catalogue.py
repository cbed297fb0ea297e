"""The dispositivi of the 2017 national guidelines; PIPPI's four are marked. Editable per district."""

from django.db import migrations

DEVICES = [
    ("educativa-domiciliare", "Educativa domiciliare e territoriale", "home_education", True),
    ("gruppi", "Gruppi con i genitori e con i bambini", "groups", True),
    ("partenariato-scuola", "Partenariato scuola–famiglia–servizi", "school_partnership", True),
    ("vicinanza-solidale", "Vicinanza solidale", "solidarity", True),
    ("centro-diurno", "Centro diurno", "none", False),
    ("intervento-specialistico", "Intervento psicologico, neuropsichiatrico o specialistico", "none", False),
    ("sostegno-economico", "Sostegno economico", "none", False),
]


def create(apps, schema_editor):
    DeviceType = apps.get_model("cases", "DeviceType")
    for order, (code, name, measure, core) in enumerate(DEVICES):
        DeviceType.objects.get_or_create(code=code, defaults={"name": name, "measure": measure, "pippi_core": core,
                                                              "order": order})


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_devices")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
