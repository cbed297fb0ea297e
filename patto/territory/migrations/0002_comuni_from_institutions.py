"""A Comune for every comune institution with an ISTAT code (the comuni in Patto before comuni were data)."""

from django.db import migrations


def comuni_from_institutions(apps, schema_editor):
    Institution = apps.get_model("accounts", "Institution")
    Comune = apps.get_model("territory", "Comune")
    known = set(Comune.objects.values_list("istat_code", flat=True))
    for institution in Institution.objects.filter(kind="comune").exclude(istat_code="").order_by("name"):
        if institution.istat_code in known:
            continue
        known.add(institution.istat_code)
        name = institution.short_name or institution.name.removeprefix("Comune di ").strip()
        Comune.objects.create(district_id=institution.district_id, istat_code=institution.istat_code, name=name)


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial"), ("accounts", "0004_institution_patron_day_alter_membership_role")]

    operations = [migrations.RunPython(comuni_from_institutions, migrations.RunPython.noop)]
