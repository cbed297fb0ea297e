"""The project's ``{% load patto_i18n %}`` (``core/templatetags/patto_i18n.py``: ``{% translate "literal" %}``
remembered per language) renders what Django's library renders: literal texts, ``as``, ``noop``, a context,
a variable, a filter, percent signs, text that looks like markup, with and without autoescaping, in Italian and
English and back, each twice; the settings that choose the catalogues forget what was remembered; no template
of the project loads Django's library instead."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Engine, engines
from django.test import override_settings
from django.utils import translation

from patto.core.templatetags import patto_i18n

SOURCES = [
    '{% translate "Families\' paths" %}',
    '{% trans "Filter" %}',
    '{% translate "Filter" as label %}[{{ label }}]',
    '{% translate "Filter" noop %}',
    '{% translate "May" context "long month" %}|{% translate "May" context "abbrev. month" %}',
    '{% translate "May" context ctx %}',
    "{% translate text %}",
    '{% translate "Filter"|upper %}',
    '{% translate "100%% sure" %}|{% translate "50% off" %}',
    '{% translate "<b>Filter</b> & more" %}',
    "{% translate '<b>quoted</b>' %}",
    '{% autoescape off %}{% translate "<i>x</i>" %}{% translate text %}{% endautoescape %}',
    '{% for i in "ab" %}{% translate "Filter" as f %}{{ f }}{{ i }}{% endfor %}{{ f }}',
    '{% translate "Filter" %}{% language "en" %}{% translate "Filter" %}{% endlanguage %}{% translate "Filter" %}',
]


def _project(source, **context):
    return engines["django"].from_string("{% load patto_i18n %}" + source).render(context)


def _django(source, **context):
    return (
        Engine(libraries={"i18n": "django.templatetags.i18n"})
        .from_string("{% load i18n %}" + source)
        .render(Context(context))
    )


@pytest.mark.parametrize("source", SOURCES)
def test_the_tag_renders_as_django_s_in_each_language_twice(source):
    context = {"text": "<Filter>", "ctx": "long month"}
    for language in ("it", "en", "it", "en"):
        with translation.override(language):
            assert _project(source, **context) == _django(source, **context), (language, source)


def test_literal_translations_are_remembered_and_others_are_not():
    template = engines["django"].from_string(
        '{% load patto_i18n %}{% translate "Filter" %}{% translate "May" context "long month" %}'
        "{% translate text %}{% translate 'Filter'|upper %}{% translate 'May' context ctx %}"
    )
    kinds = [type(node) for node in template.template.nodelist if "Translate" in type(node).__name__]
    assert kinds[:2] == [patto_i18n.RememberedTranslateNode] * 2
    assert patto_i18n.RememberedTranslateNode not in kinds[2:]


def test_a_change_of_the_catalogues_forgets_what_was_remembered():
    with translation.override("it"):
        _project('{% translate "Filter" %}')
    assert patto_i18n._REMEMBERED
    with override_settings(LANGUAGES=[("it", "Italiano"), ("en", "English")]):
        assert not patto_i18n._REMEMBERED


def test_the_project_s_templates_load_the_remembered_tag():
    base = engines["django"].get_template("base.html")
    assert base.template.nodelist.get_nodes_by_type(patto_i18n.RememberedTranslateNode)
    loads = re.compile(r"\{%\s*load\b[^%]*(?<![\w])i18n\b[^%]*%\}")
    django_s = [
        str(path)
        for path in Path(settings.BASE_DIR, "patto").rglob("*")
        if path.suffix in {".html", ".txt", ".xml"} and loads.search(path.read_text(errors="replace"))
    ]
    assert django_s == []
