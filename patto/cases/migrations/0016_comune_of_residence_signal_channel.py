"""Comuni as data: a person's comune of residence becomes a reference to a comune of the district (the text
is mapped by name, case and accents aside; what matches no comune stays as text, for the coordinator to map),
and the path records who signalled (from the kind of the institution that sent the signal)."""

import unicodedata

import django.db.models.deletion
from django.db import migrations, models


CHANNEL_OF_KIND = {
    "school": "school",
    "educational_service": "educational_service",
    "ausl": "ausl",
    "comune": "social_service",
    "district_office": "social_service",
    "third_sector": "other",
}


def plain(text):
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = " ".join(text.casefold().split())
    return text.removeprefix("comune di ").strip()


def map_towns(apps, schema_editor):
    Person = apps.get_model("cases", "Person")
    Comune = apps.get_model("territory", "Comune")
    comuni = {}
    for comune in Comune.objects.all():
        comuni.setdefault(comune.district_id, {})[plain(comune.name)] = comune.pk
    values = Person.objects.filter(comune__isnull=True).exclude(town="").values_list("district_id", "town").distinct()
    for district_id, town in list(values):
        comune_id = comuni.get(district_id, {}).get(plain(town))
        if comune_id is not None:
            Person.objects.filter(district_id=district_id, town=town, comune__isnull=True).update(
                comune_id=comune_id, town=""
            )


def signal_channels(apps, schema_editor):
    Path = apps.get_model("cases", "Path")
    Institution = apps.get_model("accounts", "Institution")
    for kind, channel in CHANNEL_OF_KIND.items():
        Path.objects.filter(signal_source__in=Institution.objects.filter(kind=kind)).update(signal_channel=channel)


def towns_back(apps, schema_editor):
    Person = apps.get_model("cases", "Person")
    for person in Person.objects.filter(comune__isnull=False, town="").select_related("comune"):
        person.town = person.comune.name
        person.save(update_fields=["town"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0015_english_labels"),
        ("territory", "0002_comuni_from_institutions"),
    ]

    operations = [
        migrations.AddField(
            model_name="path",
            name="signal_channel",
            field=models.CharField(
                choices=[
                    ("school", "School"),
                    ("educational_service", "Educational service (nido, scuola dell'infanzia)"),
                    ("ausl", "Health services (AUSL)"),
                    ("paediatrician", "Family paediatrician (pediatra di libera scelta)"),
                    ("family", "The family itself"),
                    ("court", "Juvenile court or public prosecutor"),
                    ("social_service", "Social service"),
                    ("other", "Other"),
                ],
                db_index=True,
                default="other",
                help_text="As the national PIPPI monitoring asks: the school, the paediatrician, the family itself…",
                max_length=20,
                verbose_name="who signalled",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="comune",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="residents",
                to="territory.comune",
                verbose_name="comune of residence",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="town",
            field=models.CharField(blank=True, max_length=100, verbose_name="comune of residence outside the district"),
        ),
        migrations.RunPython(map_towns, towns_back),
        migrations.RunPython(signal_channels, migrations.RunPython.noop),
    ]
