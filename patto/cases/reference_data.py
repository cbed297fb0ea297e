"""The reference data every district starts with, loaded by data migrations (with the historical model
registry) and reloaded by transactional tests after a flush. Idempotent."""

from .framework_loader import SHIPPED, load_framework, read

CLOSURE_OUTCOMES = [  # the closure categories observed in the national PIPPI reports
    ("improved", "Percorso concluso per miglioramento", 10),
    ("lighter", "Prosegue con un accompagnamento più leggero", 20),
    ("reinforced", "Prosegue con un accompagnamento rafforzato", 30),
    ("transferred", "Trasferito ad altro servizio o territorio", 40),
    ("other", "Altro esito", 50),
]
DEVICES = [  # the 2017 national guidelines' seven; PIPPI's four are marked
    ("educativa-domiciliare", "Educativa domiciliare e territoriale", "home_education", True),
    ("gruppi", "Gruppi con i genitori e con i bambini", "groups", True),
    ("partenariato-scuola", "Partenariato scuola–famiglia–servizi", "school_partnership", True),
    ("vicinanza-solidale", "Vicinanza solidale", "solidarity", True),
    ("centro-diurno", "Centro diurno", "none", False),
    ("intervento-specialistico", "Intervento psicologico, neuropsichiatrico o specialistico", "none", False),
    ("sostegno-economico", "Sostegno economico", "none", False),
]


def create_closure_outcomes(apps):
    ClosureOutcome = apps.get_model("cases", "ClosureOutcome")
    for code, label, order in CLOSURE_OUTCOMES:
        ClosureOutcome.objects.get_or_create(code=code, defaults={"label": label, "order": order})


def create_device_types(apps):
    DeviceType = apps.get_model("cases", "DeviceType")
    for order, (code, name, measure, core) in enumerate(DEVICES):
        DeviceType.objects.get_or_create(code=code, defaults={"name": name, "measure": measure, "pippi_core": core,
                                                              "order": order})


def load_shipped_framework(apps):
    Framework = apps.get_model("cases", "Framework")
    if not Framework.objects.filter(is_current=True).exists():
        load_framework(read(SHIPPED), apps)


def ensure_reference_data():
    from django.apps import apps

    create_closure_outcomes(apps)
    create_device_types(apps)
    load_shipped_framework(apps)
