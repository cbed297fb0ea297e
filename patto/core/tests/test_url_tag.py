"""The project's ``{% url %}`` (answers remembered, ``core/templatetags/patto_urls.py``) gives what Django's
tag gives: arguments by position and by name, ``as var``, errors, an argument of another kind, and a change
of URLconf."""

import uuid

import pytest
from django.template import Context, Engine, engines
from django.test import override_settings
from django.urls import NoReverseMatch, path, reverse

from patto.core.templatetags.patto_urls import RememberedURLNode, _reversed

PK = uuid.UUID("3f2c1d4e-5b6a-4789-9abc-def012345678")


def _project(source, **context):
    return engines["django"].from_string(source).render(context)


def _django(source, **context):
    return Engine(libraries={}).from_string(source).render(Context(context))


@pytest.mark.parametrize(
    "source",
    [
        "{% url 'cases:path_list' %}",
        "{% url 'cases:path_detail' pk %}",
        "{% url 'cases:path_detail' pk=pk %}",
        "{% url 'cases:path_section' pk=pk name='note' %}",
        "{% url 'cases:path_detail' text %}",
        "{% url 'cases:path_detail' pk as here %}[{{ here }}]",
        "{% url 'no:such' as here %}[{{ here }}]",
        "{% url name pk %}",
        "{% url 'cases:path_detail' thing %}",
    ],
)
def test_the_tag_answers_as_django_s_does_twice(source):
    class Thing:
        def __str__(self):
            return str(PK)

    values = {"pk": PK, "text": str(PK), "name": "cases:path_detail", "thing": Thing()}
    expected = _django(source, **values)
    assert _project(source, **values) == expected
    assert _project(source, **values) == expected  # remembered


def test_the_tag_is_the_project_s_and_errors_are_django_s():
    template = engines["django"].from_string("{% url 'cases:path_detail' pk %}")
    assert any(isinstance(node, RememberedURLNode) for node in template.template.nodelist)
    with pytest.raises(NoReverseMatch):
        _project("{% url 'no:such' %}")
    with pytest.raises(NoReverseMatch):
        _project("{% url 'cases:path_detail' %}")


urlpatterns = [path("altrove/<uuid:pk>/", lambda request, pk: None, name="path_detail")]


def test_another_urlconf_is_seen_at_once():
    assert _project("{% url 'cases:path_detail' pk %}", pk=PK) == reverse("cases:path_detail", args=[PK])
    with override_settings(ROOT_URLCONF=__name__):
        assert _project("{% url 'path_detail' pk %}", pk=PK) == f"/altrove/{PK}/"
    assert _project("{% url 'cases:path_detail' pk %}", pk=PK) == reverse("cases:path_detail", args=[PK])
    assert _reversed.cache_info().currsize > 0
