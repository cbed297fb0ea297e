"""The home page's common card written in Python (``core.home.card_markup``, ``{% home_panel %}``) is the markup of
the card template (``core/_card.html``, the oracle): panels with and without links and a link to the
rest, texts and addresses to escape, lazy translations, in both languages; and any other panel template is
included as ``{% include %}`` would."""

import pytest
from django.template import engines
from django.utils import translation
from django.utils.translation import gettext_lazy

from patto.core.home import CARD_TEMPLATE

PANELS = [
    {"template": CARD_TEMPLATE, "title": "Famiglie", "text": "Sei nell'équipe di 3 percorsi <aperti> & co."},
    {"template": CARD_TEMPLATE, "title": gettext_lazy("Families"), "text": "", "links": [], "more": None},
    {
        "template": CARD_TEMPLATE,
        "title": "Scadenze",
        "text": "2 scadenze",
        "links": [("R-2026-001: T1 in ritardo (01/12/26)", "/percorsi/1/"), ('Nome "strano" <b>', "/a?b=1&c=2")],
        "more": (gettext_lazy("All my families' paths"), "/compiti/?x=1&y=<2>"),
    },
]


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_card_is_the_templates_markup(language):
    engine = engines["django"]
    oracle = engine.from_string("{% include panel.template with panel=panel %}")
    tag = engine.from_string("{% load patto %}{% home_panel panel %}")
    with translation.override(language):
        for panel in PANELS:
            expected = oracle.render({"panel": panel})
            assert tag.render({"panel": panel}) == expected
    assert "&lt;aperti&gt; &amp; co." in tag.render({"panel": PANELS[0]})


def test_another_panel_template_is_included():
    """A panel with a template of its own is rendered as the include renders it, with the page's context."""
    engine = engines["django"]
    panel = {"template": "forms/field.html", "title": "x"}  # any template: this one writes a field group
    oracle = engine.from_string("{% include panel.template with panel=panel %}")
    tag = engine.from_string("{% load patto %}{% home_panel panel %}")
    included = oracle.render({"panel": panel})
    assert tag.render({"panel": panel}) == included and 'class="form-group mb-4"' in included


def test_the_home_page_uses_the_tag(personas, login):
    from pathlib import Path

    import patto

    source = (Path(patto.__file__).parent / "templates" / "core" / "home.html").read_text()
    assert "{% home_panel panel %}" in source and "{% include panel.template" not in source
    page = login("case_manager").get("/")
    assert page.status_code == 200 and b'class="card card-bg card-big' in page.content
