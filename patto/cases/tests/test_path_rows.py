"""The path list's rows written in Python (``{% path_rows %}``) are the markup of the template loop they replaced:
the loop is kept here as the oracle, and both render generated pages of paths (references and names with markup
characters, no child or several, every phase, a next date due or none, times in UTC as the database gives them,
shown in Rome's time either side of a change of summer time) and the empty list, filtered or not, in both languages, character for character."""

import datetime
import uuid

from django.template import engines
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from patto.cases.models import Cohort, Family, Path, Person

ORACLE = """{% load patto_i18n %}  {% for path in page %}
  <tr>
    <td><a href="{% url 'cases:path_detail' path.pk %}">{{ path.family.reference }}</a></td>
    <td>{% for child in path.children %}{{ child.first_name }} ({{ child.age }}){% if not forloop.last %}, {% endif %}{% empty %}—{% endfor %}</td>
    <td>{{ path.cohort }}</td>
    <td><span class="badge {% if path.state == 'closed' %}bg-secondary{% else %}bg-primary{% endif %}">{{ path.get_state_display }}</span></td>
    <td>{% if path.next_due %}{{ path.next_due|date:"SHORT_DATE_FORMAT" }}{% else %}—{% endif %}</td>
    <td>{{ path.updated_at|date:"SHORT_DATE_FORMAT" }}</td>
  </tr>
  {% empty %}<tr><td colspan="6">{% if filtered %}{% translate "No path matches these filters." %}{% else %}{% translate "You are not in the team of any path at the moment." %}{% endif %}</td></tr>
  {% endfor %}
"""  # noqa: E501 -- the loop as path_list.html had it
TAG = "{% load cases_rows %}  {% path_rows page filtered %}\n"

text = st.text(alphabet=st.sampled_from(list("aZ9 <>&\"'è-")), max_size=8)
moments = st.datetimes(
    min_value=datetime.datetime(2026, 3, 28),
    max_value=datetime.datetime(2026, 11, 2),
    timezones=st.just(datetime.timezone.utc),
)


def _path(reference, children, cohort, state, next_due, updated_at):
    path = Path(
        pk=uuid.uuid4(),
        family=Family(reference=reference),
        cohort=Cohort(name=cohort),  # every path has one
        state=state,
        updated_at=updated_at,
    )
    path.children = [Person(first_name=name, birth_date=born) for name, born in children]
    path.next_due = next_due
    return path


paths = st.builds(
    _path,
    reference=text,
    children=st.lists(
        st.tuples(text, st.dates(min_value=datetime.date(2008, 1, 1), max_value=datetime.date(2026, 11, 1))),
        max_size=3,
    ),
    cohort=text,
    state=st.sampled_from(Path.State.values),
    next_due=st.one_of(st.none(), st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2027, 12, 31))),
    updated_at=moments,
)


def rendered(source, page, filtered):
    return engines["django"].from_string(source).render({"page": page, "filtered": filtered})


@settings(max_examples=120, deadline=None, database=None)
@given(page=st.lists(paths, max_size=4), filtered=st.booleans(), language=st.sampled_from(["it", "en"]))
def test_the_rows_are_the_loops_markup(page, filtered, language):
    with translation.override(language):
        assert rendered(TAG, page, filtered) == rendered(ORACLE, page, filtered)


def test_the_path_list_shows_the_tags_rows(family_path, login):
    """The path list writes its rows with the tag: the page holds what the tag writes for its paths."""
    from django.urls import reverse

    from patto.cases.templatetags.cases_rows import path_rows

    response = login("case_manager").get(reverse("cases:path_list"))
    page = response.context["page"]
    assert response.status_code == 200 and family_path.pk in [path.pk for path in page]
    assert path_rows(page) in response.content.decode()
