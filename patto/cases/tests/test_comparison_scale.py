"""The comparison's scale comes from the framework's data (its lowest and highest values), in the page's words
and in the chart's data, never written into the template or the script."""

from django.urls import reverse

from patto.cases import services
from patto.cases.queries import comparison_chart


def test_the_scale_comes_from_the_framework(family_path, login):
    framework = services.current_framework()
    assert comparison_chart({"sides": [], "columns": [], "present": []}, framework)["scale"] == {"min": 1, "max": 6}
    framework.scale.create(value=7, label="Eccellente")  # a framework version with a wider scale
    assert comparison_chart({"sides": [], "columns": [], "present": []}, framework)["scale"] == {"min": 1, "max": 7}
    child = family_path.family.members.get(kind="child")
    html = (
        login("case_manager")
        .get(reverse("cases:comparison", kwargs={"pk": family_path.pk, "child_pk": child.pk}))
        .content.decode()
    )
    assert "Scala 1–7" in html and "1–6" not in html
