"""Family references carry their district's prefix (issue 9: they were hard-coded "RN-").

Existing districts: the first one keeps "RN", which every reference written so far starts with, so its
yearly counter continues; any other gets a placeholder its administrator is expected to change."""

import django.core.validators
from django.db import migrations, models


def fill_prefixes(apps, schema_editor):
    District = apps.get_model("accounts", "District")
    for index, district in enumerate(District.objects.order_by("pk")):
        district.reference_prefix = "RN" if index == 0 else f"D{district.pk}"
        district.save(update_fields=["reference_prefix"])


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_remove_institution_is_signatory"),
    ]

    operations = [
        migrations.AddField(
            model_name="district",
            name="reference_prefix",
            field=models.CharField(max_length=6, null=True),
        ),
        migrations.RunPython(fill_prefixes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="district",
            name="reference_prefix",
            field=models.CharField(
                help_text="The letters that open the district's family references, e.g. RN for RN-2026-0001.",
                max_length=6, unique=True, verbose_name="family reference prefix",
                validators=[django.core.validators.RegexValidator(
                    "^[A-Z][A-Z0-9]{1,5}$",
                    "Two to six capital letters or digits, starting with a letter (e.g. RN).")]),
        ),
    ]
