"""``get_FOO_display()`` with the labels remembered (``core/displays.py``) answers as Django's own: for every
field with choices of every model, every choice, a value that is not a choice and none, in Italian and in
English; a field whose choices are worked out at each call is answered by Django."""

import pytest
from django.apps import apps
from django.db import models
from django.test import override_settings
from django.utils import translation

from patto.core import displays


def _fields_with_choices():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.choices:
                yield model, field


def test_every_model_answers_from_the_remembered_labels():
    """Each model's own ``get_FOO_display`` (bound by Django when the class was made) is the remembered one, and
    a call fills the labels of its field."""
    from functools import partialmethod

    from patto.cases.models import PlanAction

    assert models.Model._get_FIELD_display is displays.remembered_display
    fields = list(_fields_with_choices())
    assert len(fields) >= 20
    for model, field in fields:
        bound = next(
            klass.__dict__[f"get_{field.name}_display"]
            for klass in model.__mro__
            if f"get_{field.name}_display" in klass.__dict__
        )
        assert isinstance(bound, partialmethod) and bound.func is displays.remembered_display, (model, field.name)
    displays._LABELS.clear()
    with translation.override("it"):
        PlanAction(area="social").get_area_display()
    assert (PlanAction._meta.get_field("area"), "it") in displays._LABELS


def test_a_change_of_the_catalogues_forgets_the_labels():
    with translation.override("en"):
        model, field = next(iter(_fields_with_choices()))
        getattr(model(), f"get_{field.name}_display")()
    assert displays._LABELS
    with override_settings(LANGUAGES=[("it", "Italiano"), ("en", "English")]):
        assert not displays._LABELS


@pytest.mark.parametrize("language", ["it", "en"])
def test_every_field_every_choice_as_django_answers(language):
    with translation.override(language):
        for model, field in _fields_with_choices():
            values = [value for value, _label in field.flatchoices] + [None, "not-a-choice", 987654]
            for value in values:
                instance = model()
                setattr(instance, field.attname, value)
                display = getattr(instance, f"get_{field.name}_display")()
                assert display == displays._django_display(instance, field), (model, field.name, value)
                assert type(display) is type(displays._django_display(instance, field))


def test_the_label_follows_the_language():
    """Italian, English, then Italian again: each time the active language's label, not the first one read."""

    def label(field, value, language):
        with translation.override(language):
            return str(dict(field.flatchoices)[value])

    model, field, value = next(
        (model, field, value)
        for model, field in _fields_with_choices()
        for value, _label in field.flatchoices
        if label(field, value, "it") != label(field, value, "en")
    )
    instance = model()
    setattr(instance, field.attname, value)
    for language in ("it", "en", "it", "en"):
        with translation.override(language):
            assert getattr(instance, f"get_{field.name}_display")() == label(field, value, language)


def test_choices_worked_out_at_each_call_are_django_s():
    seen = []

    def choices():
        seen.append(1)
        return [("a", f"A{len(seen)}")]

    field = models.CharField(max_length=2, choices=choices)
    field.attname, field.name = "kind", "kind"

    class Thing:
        kind = "a"

    assert displays.labels_of(field) is None
    assert displays.remembered_display(Thing(), field) == "A1"
    assert displays.remembered_display(Thing(), field) == "A2"
