"""Loads an assessment framework from its JSON file. Used by a data migration (the provisional
"Il Mondo del Bambino" shipped in cases/frameworks/) and by `manage.py load_framework FILE`."""

import json
from pathlib import Path

SHIPPED = Path(__file__).parent / "frameworks" / "mondo-del-bambino-provvisorio.json"


def load_framework(data, apps):
    """Create the framework version described by ``data`` (idempotent) and make it the current one.

    ``apps`` is a model registry: the historical one in migrations, django.apps.apps elsewhere."""
    Framework = apps.get_model("cases", "Framework")
    existing = Framework.objects.filter(code=data["code"], version=data["version"]).first()
    if existing is None:
        existing = _create(data, apps)
    Framework.objects.filter(code=data["code"]).exclude(pk=existing.pk).update(is_current=False)
    Framework.objects.filter(pk=existing.pk).update(is_current=True)
    return existing


def _create(data, apps):
    Framework = apps.get_model("cases", "Framework")
    ScaleLevel = apps.get_model("cases", "ScaleLevel")
    Side = apps.get_model("cases", "Side")
    SubDimension = apps.get_model("cases", "SubDimension")
    framework = Framework.objects.create(
        code=data["code"],
        version=data["version"],
        name=data["name"],
        provisional=data.get("provisional", False),
        note=data.get("note", ""),
    )
    ScaleLevel.objects.bulk_create(
        [
            ScaleLevel(
                framework=framework, value=level["value"], label=level["label"], **_english(ScaleLevel, "label", level)
            )
            for level in data["scale"]
        ]
    )
    for side_order, side_data in enumerate(data["sides"]):
        side = Side.objects.create(
            framework=framework,
            code=side_data["code"],
            name=side_data["name"],
            order=side_order,
            **_english(Side, "name", side_data),
        )
        SubDimension.objects.bulk_create(
            [
                SubDimension(
                    side=side, code=sub["code"], name=sub["name"], order=order, **_english(SubDimension, "name", sub)
                )
                for order, sub in enumerate(side_data["subdimensions"])
            ]
        )
    return framework


def _english(model, field, item):
    """The English label of an item ("name_en" beside "name"), when the model has the field: the data
    migration that first loads the framework runs before the English labels existed."""
    if not any(f.name == f"{field}_en" for f in model._meta.get_fields()):
        return {}
    return {f"{field}_en": item.get(f"{field}_en", "")}


def add_english_labels(data, apps):
    """Give a framework already loaded the English labels its file now has, where it has none."""
    framework = apps.get_model("cases", "Framework").objects.filter(code=data["code"], version=data["version"]).first()
    if framework is None:
        return
    for level in data["scale"]:
        framework.scale.filter(value=level["value"], label_en="").update(label_en=level.get("label_en", ""))
    for side_data in data["sides"]:
        framework.sides.filter(code=side_data["code"], name_en="").update(name_en=side_data.get("name_en", ""))
        for sub in side_data["subdimensions"]:
            apps.get_model("cases", "SubDimension").objects.filter(
                side__framework=framework, side__code=side_data["code"], code=sub["code"], name_en=""
            ).update(name_en=sub.get("name_en", ""))


def read(path):
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    missing = {"code", "version", "name", "scale", "sides"} - set(data)
    if missing:
        raise ValueError(f"framework file lacks: {', '.join(sorted(missing))}")
    return data
