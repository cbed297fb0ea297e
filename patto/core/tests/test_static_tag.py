"""The project's ``{% static %}`` (answers remembered, ``core/templatetags/patto_static.py``, loaded as
``patto_static``) gives what Django's tag gives: a literal path, a path from a variable, ``as var``, characters to
escape, the static prefix tags; a change of the static settings is seen at once; no template of the project loads
Django's own library instead."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Engine, engines
from django.test import override_settings

from patto.core.templatetags.patto_static import RememberedStaticNode

SOURCES = [
    "{% static 'patto/patto.css' %}",
    "{% static 'vendor/bootstrap-italia/svg/sprites.svg' %}#it-inbox",
    "{% static sprites %}#it-pa",
    "{% static 'patto/patto.js' as here %}[{{ here }}]",
    "{% static 'a b&c<d>.css' %}",
    "{% static odd %}",
    "{% get_static_prefix %}|{% get_media_prefix %}",
]


def _project(source, **context):
    return engines["django"].from_string("{% load patto_static %}" + source).render(context)


def _django(source, **context):
    return (
        Engine(libraries={"static": "django.templatetags.static"})
        .from_string("{% load static %}" + source)
        .render(Context(context))
    )


@pytest.mark.parametrize("source", SOURCES)
def test_the_tag_answers_as_django_s_does_twice(source):
    context = {"sprites": "vendor/bootstrap-italia/svg/sprites.svg", "odd": "x?y=1&z=2"}
    expected = _django(source, **context)
    assert _project(source, **context) == expected
    assert _project(source, **context) == expected  # remembered


def test_the_project_s_templates_load_the_remembered_tag():
    template = engines["django"].get_template("base.html")
    assert any(
        isinstance(node, RememberedStaticNode)
        for node in template.template.nodelist.get_nodes_by_type(RememberedStaticNode)
    )
    loads = re.compile(r"\{%\s*load\b[^%]*\bstatic\b[^%]*%\}")
    django_s = [
        str(path)
        for path in Path(settings.BASE_DIR, "patto").rglob("*")
        if path.suffix in {".html", ".txt", ".xml"} and loads.search(path.read_text(errors="replace"))
    ]
    assert django_s == []


def test_a_change_of_the_static_settings_is_seen():
    before = _project("{% static 'patto/patto.css' %}")
    with override_settings(STATIC_URL="/elsewhere/"):
        assert _project("{% static 'patto/patto.css' %}") == "/elsewhere/patto/patto.css"
    assert _project("{% static 'patto/patto.css' %}") == before
