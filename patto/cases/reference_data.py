"""The reference data every district starts with, loaded by data migrations (with the historical model
registry) and reloaded by transactional tests after a flush. Idempotent."""

from .framework_loader import SHIPPED, add_english_labels, load_framework, read

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
# What the English interface shows for them (the Italian stays the name of record).
ENGLISH = {
    "improved": "Path closed: the family's situation improved",
    "lighter": "Continues with lighter support",
    "reinforced": "Continues with stronger support",
    "transferred": "Transferred to another service or area",
    "other": "Other outcome",
    "educativa-domiciliare": "Home and community education",
    "gruppi": "Groups with parents and with children",
    "partenariato-scuola": "School–family–services partnership",
    "vicinanza-solidale": "Family helpers (vicinanza solidale)",
    "centro-diurno": "Day centre",
    "intervento-specialistico": "Psychological, neuropsychiatric or specialist care",
    "sostegno-economico": "Financial support",
}


def create_closure_outcomes(apps):
    ClosureOutcome = apps.get_model("cases", "ClosureOutcome")
    for code, label, order in CLOSURE_OUTCOMES:
        ClosureOutcome.objects.get_or_create(code=code, defaults={"label": label, "order": order})


def create_device_types(apps):
    DeviceType = apps.get_model("cases", "DeviceType")
    for order, (code, name, measure, core) in enumerate(DEVICES):
        DeviceType.objects.get_or_create(
            code=code, defaults={"name": name, "measure": measure, "pippi_core": core, "order": order}
        )


def load_shipped_framework(apps):
    Framework = apps.get_model("cases", "Framework")
    if not Framework.objects.filter(is_current=True).exists():
        load_framework(read(SHIPPED), apps)


def add_english(apps):
    """English labels for the shipped catalogues and framework, where a row has none (idempotent)."""
    ClosureOutcome = apps.get_model("cases", "ClosureOutcome")
    DeviceType = apps.get_model("cases", "DeviceType")
    for code, english in ENGLISH.items():
        ClosureOutcome.objects.filter(code=code, label_en="").update(label_en=english)
        DeviceType.objects.filter(code=code, name_en="").update(name_en=english)
    add_english_labels(read(SHIPPED), apps)


def ensure_reference_data():
    from django.apps import apps

    create_closure_outcomes(apps)
    create_device_types(apps)
    load_shipped_framework(apps)
    add_english(apps)
