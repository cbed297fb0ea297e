"""``get_FOO_display()`` with the labels remembered (``core/displays.py``) answers as Django's own: for every
field with choices of every model, every choice, a value that is not a choice and none, in Italian and in
English; a field whose choices are worked out at each call is answered by Django."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from patto.core import displays


def _fields_with_choices():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.choices:
                yield model, field


def test_every_model_answers_from_the_remembered_labels():
    assert models.Model._get_FIELD_display is displays.remembered_display
    assert len(list(_fields_with_choices())) >= 20


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
