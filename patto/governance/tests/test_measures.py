"""The indicators' values under each commitment (``{% measures %}``, issue 13) are written in Python instead of an
included template: the same markup as that template, which is kept here as the oracle, in both languages, for
every shape of value (manual, computed, none yet, fewer than five), with and without the link to enter a value
and the evidence files, with texts to escape."""

import uuid
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils import translation

THE_TEMPLATE = (  # governance/_measures.html as it was
    "{% load patto_i18n %}{% if commitment.measures %}"
    '<ul class="list-unstyled small mb-0 mt-1">{% for indicator, measure in commitment.measures %}'
    "<li>{{ indicator.name }}: <strong>{% if measure.value is None %}{% if measure.computed %}"
    '&lt; 5{% else %}—{% endif %}{% else %}{{ measure.value|floatformat:"-2" }}{% endif %}'
    '</strong> / {{ indicator.target|floatformat:"-2" }} {{ indicator.unit }}{% if measure.computed %}'
    ' <span class="text-muted">({% translate "computed" %})</span>{% if measure.definition %}'
    '<br><span class="text-muted">{{ measure.definition }}</span>{% endif %}{% endif %}'
    "{% if measure.file and show_files %}"
    ' · {% include "governance/_document_link.html" with doc=measure.file %}{% endif %}'
    '{% if can_value and indicator.source == "manual" %}'
    " · <a href=\"{% url 'governance:indicator_value' indicator.pk %}"
    '">{% translate "Enter the value" %}'
    '<span class="visually-hidden"> {{ indicator.name }}</span></a>{% endif %}</li>{% endfor %}'
    "</ul>{% endif %}"
)


def _document(number, scanned=True):
    return SimpleNamespace(
        pk=uuid.UUID(int=number),
        original_name="Verbale <1> & allegati.pdf",
        get_kind_display=lambda: "PDF",
        size=123_456,
        scanned_by="clamav" if scanned else "",
    )


def _indicator(pk, name, target, unit, source="manual"):
    return SimpleNamespace(pk=pk, name=name, target=target, unit=unit, source=source)


def _commitment(*pairs):
    return SimpleNamespace(measures=list(pairs))


COMMITMENTS = [
    _commitment(),
    _commitment((_indicator(1, "Incontri dell'équipe", Decimal("12"), "incontri"), {})),
    _commitment(
        (_indicator(2, "Scuole <con> referente & co.", Decimal("10.25"), "scuole"), {"value": Decimal("3.50")}),
        (_indicator(3, "Famiglie", 10, "famiglie", "families_in_path"), {"value": None, "computed": True}),
        (
            _indicator(4, "Riunioni", 4.0, "n.", "meetings_held"),
            {"value": 7, "computed": True, "definition": "Riunioni tenute nel periodo <con verbale>"},
        ),
        (
            _indicator(5, "Ore di formazione", Decimal("40"), "ore"),
            {"value": Decimal("12.345"), "evidence": "x", "file": _document(9)},
        ),
        (_indicator(6, "Nidi", None, ""), {"value": 0, "evidence": "", "file": _document(10, scanned=False)}),
        (_indicator(7, "Quota", Decimal("0.5"), "%"), {"value": 1234567.891, "evidence": "", "file": None}),
    ),
]


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("can_value", [True, False])
@pytest.mark.parametrize("show_files", [True, False, None])
def test_the_same_markup_as_the_template(language, can_value, show_files):
    engine = engines["django"]
    old = engine.from_string(THE_TEMPLATE)
    new = engine.from_string(
        "{% load governance_measures %}{% measures commitment can_value=can_value show_files=show_files %}"
    )
    with translation.override(language):
        for commitment in COMMITMENTS:
            context = {"commitment": commitment, "can_value": can_value}
            if show_files is not None:  # the commitments page does not pass it
                context["show_files"] = show_files
            expected = old.render(context)
            assert new.render(context) == expected
            if commitment.measures:
                assert "<ul" in expected
    with translation.override(language):
        shown = new.render({"commitment": COMMITMENTS[2], "can_value": True, "show_files": True})
    assert "&lt;con&gt; referente &amp; co." in shown and ("3,5" in shown) == (language == "it")
    assert "&lt; 5" in shown and "Verbale &lt;1&gt; &amp; allegati.pdf" in shown


def test_the_pages_show_them(pact, login):
    from django.urls import reverse

    from patto.governance.models import Indicator

    indicator = Indicator.objects.get()
    page = login("coordinator").get(reverse("governance:commitments"))
    assert page.status_code == 200 and indicator.name.encode() in page.content


THE_ROWS = (  # the loop of governance/commitments.html as it was, with the labels the page translates before it
    "{% load governance_measures patto_i18n %}"
    '{% translate "Add an indicator" as add_label %}{% translate "Update" as update_label %}'
    '{% translate "Not reported" as not_reported %}'
    '{% for c in commitments %}{% with latest=c.latest %}<tr><td><span lang="it">{{ c.text }}</span>'
    '{% measures c can_value=c.can_update %}{% if can_add_indicators %} <a class="small" '
    'href="{% url \'governance:indicator_add\' c.pk %}">{{ add_label }}<span class="visually-hidden"> '
    "{{ c.short_text }}</span></a>{% endif %}</td>\n"
    "      <td>{% if latest %}<span class=\"badge {% if latest.status == 'late' %}bg-danger{% elif latest.status == "
    "'at_risk' %}badge-attention{% elif latest.status == 'done' or latest.status == 'on_track' %}bg-success"
    '{% else %}bg-secondary{% endif %}">{{ latest.get_status_display }}</span>{% else %}'
    '<span class="badge bg-secondary">{{ not_reported }}</span>{% endif %}</td>\n'
    '      <td class="small">{% if latest %}{{ latest.evidence|default:"—"|truncatechars:160 }}'
    '{% if latest.evidence_file %}<br>{% include "governance/_document_link.html" with doc=latest.evidence_file %}'
    "{% endif %}{% else %}—{% endif %}</td>\n"
    "      <td>{% if c.can_update %}<a href=\"{% url 'governance:commitment_status' c.pk %}\">{{ update_label }}"
    '<span class="visually-hidden"> {{ c.short_text }}</span></a>{% endif %}</td></tr>{% endwith %}{% endfor %}'
)
THE_TAG = (
    "{% load governance_measures patto_i18n %}"
    '{% translate "Add an indicator" as add_label %}{% translate "Update" as update_label %}'
    '{% translate "Not reported" as not_reported %}{% commitment_rows commitments %}'
)


def _update(status, evidence, file=None):
    from patto.governance.models import CommitmentUpdate

    label = CommitmentUpdate.Status(status).label
    return SimpleNamespace(status=status, get_status_display=lambda: label, evidence=evidence, evidence_file=file)


def _row(pk, text, latest, can_update, measures=()):
    return SimpleNamespace(
        pk=pk, text=text, short_text=text[:12] + "…", latest=latest, can_update=can_update, measures=list(measures)
    )


ROWS = [
    _row(1, "Nominare un referente <scolastico> & co.", None, False),
    _row(2, "Presidiare la governance dell'équipe", _update("on_track", "Verbale del GT. " * 20), True),
    _row(3, "Garantire la formazione", _update("at_risk", "", _document(11)), True, COMMITMENTS[2].measures),
    _row(4, "Rispettare i tempi", _update("late", "Ritardo <nei> tempi"), False, COMMITMENTS[1].measures),
    _row(5, "Chiudere", _update("done", "Fatto", _document(12, scanned=False)), True),
    _row(6, "Avviare", _update("not_started", None), False),
]


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("can_add_indicators", [True, False])
def test_the_commitment_rows_are_the_loops_markup(language, can_add_indicators):
    """``{% commitment_rows %}`` against the loop it replaced on the commitments page: no update yet, each status,
    evidence long enough to be cut, evidence files scanned or not, with and without the links."""
    engine = engines["django"]
    with translation.override(language):
        for rows in ([], ROWS[:1], ROWS):
            context = {"commitments": rows, "can_add_indicators": can_add_indicators}
            expected = engine.from_string(THE_ROWS).render(context)
            assert engine.from_string(THE_TAG).render(context) == expected
    assert "&lt;scolastico&gt; &amp; co." in expected and "bg-danger" in expected and "…" in expected
    assert 'badge bg-secondary">' in expected  # a status with no colour of its own


def test_the_commitments_page_shows_the_tags_rows(pact, login):
    """The commitments page writes each party's rows with the tag: the page holds what the tag writes for them."""
    from django.urls import reverse

    response = login("coordinator").get(reverse("governance:commitments"))
    assert response.status_code == 200
    commitments = response.context["commitments"]
    context = {"can_add_indicators": response.context["can_add_indicators"]}
    tag = engines["django"].from_string(THE_TAG)
    with translation.override("it"):
        for institution in {c.institution_id for c in commitments}:
            rows = [c for c in commitments if c.institution_id == institution]
            assert tag.render({**context, "commitments": rows}) in response.content.decode()
