"""Reference data (Il Mondo del Bambino's sides, sub-dimensions and scale; the catalogues of dispositivi
and closure outcomes) carry English labels, shown in the English interface; Italian stays the default."""

import pytest
from django.urls import reverse
from django.utils import translation

from patto.cases.models import ClosureOutcome, DeviceType, ScaleLevel, Side, SubDimension


@pytest.mark.django_db
def test_the_shipped_reference_data_has_english_labels():
    for model, field in (
        (ScaleLevel, "label_en"),
        (Side, "name_en"),
        (SubDimension, "name_en"),
        (DeviceType, "name_en"),
        (ClosureOutcome, "label_en"),
    ):
        assert model.objects.exists() and not model.objects.filter(**{field: ""}).exists(), model
    level = ScaleLevel.objects.get(value=1, framework__is_current=True)
    with translation.override("it"):
        assert (str(level), level.language) == ("Problema grave", "it")
    with translation.override("en"):
        assert (str(level), level.language) == ("Serious problem", "en")
        assert str(DeviceType.objects.get(code="educativa-domiciliare")) == "Home and community education"
    level.label_en = ""  # a framework loaded without English labels stays Italian, and says so
    with translation.override("en"):
        assert (str(level), level.language) == ("Problema grave", "it")


@pytest.mark.django_db
def test_the_framework_and_catalogues_pages_follow_the_language(login, personas):
    client = login("coordinator")
    framework, catalogues = reverse("cases:framework"), reverse("cases:catalogues")
    italian = client.get(framework).content.decode() + client.get(catalogues).content.decode()
    assert "Problema grave" in italian and "Cura di base, sicurezza e protezione" in italian
    assert "Percorso concluso per miglioramento" in italian and "Serious problem" not in italian
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(framework).content.decode()
    assert '<dd class="col-10" lang="en">Serious problem</dd>' in english
    assert '<li lang="en">Basic care, safety and protection</li>' in english and "Problema grave" not in english
    assert "Path closed: the family&#x27;s situation improved" in client.get(catalogues).content.decode()
