"""``get_FOO_display()`` with each field's labels remembered per language (installed for every model).

Django answers ``get_FOO_display()`` by building a dictionary of the field's choices at every call, hashing
each label: a label is a lazy translation, so each hash translates it. A list of 25 paths, or a page of the
audit trail, asked for hundreds of labels that way, about a twentieth of their rendering (issue 13). The
labels of a field with fixed choices depend only on the field and the language, so they are worked out once
for each. A field whose choices are not a fixed list (a callable, an iterator) is answered as Django does.
The answer is Django's own (``core/tests/test_displays.py`` compares them for every field of every model,
in both languages)."""

from functools import partialmethod

from django.apps import apps
from django.core.signals import setting_changed
from django.db.models import Model
from django.utils.autoreload import file_changed
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

_django_display = Model._get_FIELD_display
_LABELS = {}
_MISSING = object()


def labels_of(field):
    """{value: label} of a field with fixed choices in the active language, or None for other choices."""
    if not isinstance(field.choices, (list, tuple)):
        return None
    key = (field, get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = {
            make_hashable(value): force_str(label, strings_only=True)
            for value, label in make_hashable(field.flatchoices)
        }
        _LABELS[key] = labels
    return labels


def remembered_display(instance, field):
    labels = labels_of(field)
    if labels is None:
        return _django_display(instance, field)
    value = getattr(instance, field.attname)
    label = labels.get(make_hashable(value), _MISSING)
    return force_str(value, strings_only=True) if label is _MISSING else label


def install():
    """Answer every model's ``get_FOO_display()`` from the remembered labels (``CoreConfig.ready``). Django
    binds each model's method to ``Model._get_FIELD_display`` when the class is made, before any app is ready:
    each of those is bound again here (a method a model writes itself is left alone), and a model made later
    (a migration's) finds the new one on ``Model``."""
    Model._get_FIELD_display = remembered_display
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            name = f"get_{getattr(field, 'name', '')}_display"
            bound = model.__dict__.get(name)
            if isinstance(bound, partialmethod) and bound.func is _django_display:
                setattr(model, name, partialmethod(remembered_display, field=field))


def forgotten_with_the_catalogues(cache):
    """Empty ``cache`` (a dict of answers per language) whenever the translations may change: the settings that
    choose the catalogues (tests), or a catalogue changed under the development server, which reads it again
    without restarting. For every cache of translated answers (these labels, ``{% translate %}``'s)."""

    def forget_on_settings(setting, **kwargs):
        if setting in ("LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "USE_I18N", "INSTALLED_APPS"):
            cache.clear()

    def forget_on_catalogue(sender, file_path, **kwargs):
        if file_path.suffix == ".mo":
            cache.clear()

    setting_changed.connect(forget_on_settings, weak=False)
    file_changed.connect(forget_on_catalogue, weak=False)


forgotten_with_the_catalogues(_LABELS)
