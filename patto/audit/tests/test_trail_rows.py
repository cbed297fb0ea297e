"""The trail's rows written in Python (``{% trail_rows %}``) are the markup of the template loop they replaced: the
loop is kept here as the oracle, and both render generated events (texts with markup characters, with and
without an institution, a role, a purpose, an object, an address, a request id; times in UTC as the database gives them, shown
in Rome's time either side of a change of summer time) in both languages, character for character."""

import datetime

from django.template import engines
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from patto.accounts.models import Institution
from patto.accounts.roles import Role
from patto.audit.models import AuditEvent

ORACLE = """{% load patto_i18n audit_labels %}  {% for event in page %}
  <tr>
    <td>{{ event.occurred_at|date:"SHORT_DATETIME_FORMAT" }}</td>
    <td>{% if event.actor_label %}{{ event.actor_label }}{% else %}<em>{% translate "system" %}</em>{% endif %}{% if event.actor_institution %}<br><span class="text-muted">{{ event.actor_institution }}</span>{% endif %}{% if event.actor_role %}<br><span class="text-muted">{{ event.get_actor_role_display }}</span>{% endif %}</td>
    <td>{{ event.action|action_label }}<br><code class="small">{{ event.action }}</code>{% if event.purpose %}<br>{{ event.purpose }}{% endif %}</td>
    <td>{% if event.object_type %}{{ event.object_type }} {{ event.object_id }}{% else %}—{% endif %}</td>
    <td>{{ event.concerned }}</td>
    <td>{{ event.ip|default:"—" }}<br><span class="text-muted small">{{ event.request_id|slice:":8" }}</span></td>
  </tr>
  {% empty %}<tr><td colspan="6">{% translate "No event matches these filters." %}</td></tr>
  {% endfor %}
"""  # noqa: E501 -- the loop as trail.html had it
TAG = "{% load audit_labels %}  {% trail_rows page %}\n"

text = st.text(alphabet=st.sampled_from(list("aZ9 <>&\"'è-_.")), max_size=10)
events = st.builds(
    lambda label, institution, role, action, purpose, object_type, object_id, concerned, ip, request_id, when: (
        AuditEvent(
            occurred_at=when,
            actor_label=label,
            actor_institution=Institution(name=institution) if institution is not None else None,
            actor_role=role,
            action=action,
            purpose=purpose,
            object_type=object_type,
            object_id=object_id,
            ip=ip,
            request_id=request_id,
        ),
        concerned,
    ),
    label=text,
    institution=st.one_of(st.none(), text.filter(bool)),
    role=st.one_of(st.just(""), st.sampled_from(Role.values), st.just("unknown_role")),
    action=st.one_of(st.sampled_from(["cases.path.viewed", "audit.trail.viewed", "accounts.login"]), text),
    purpose=text,
    object_type=text,
    object_id=st.one_of(text, st.integers(1, 10**6).map(str)),
    concerned=st.one_of(st.just("—"), text),
    ip=st.one_of(st.none(), st.sampled_from(["10.0.0.7", "2001:db8::1"])),
    request_id=st.one_of(st.just(""), st.uuids().map(lambda value: value.hex)),
    when=st.datetimes(
        min_value=datetime.datetime(2026, 3, 28),
        max_value=datetime.datetime(2026, 11, 2),
        timezones=st.just(datetime.timezone.utc),
    ),
)


def rendered(source, page):
    return engines["django"].from_string(source).render({"page": page})


@settings(max_examples=120, deadline=None, database=None)
@given(page=st.lists(events, max_size=4), language=st.sampled_from(["it", "en"]))
def test_the_rows_are_the_loops_markup(page, language):
    shown = []
    for event, concerned in page:
        event.concerned = concerned
        shown.append(event)
    with translation.override(language):
        assert rendered(TAG, shown) == rendered(ORACLE, shown)


def test_the_trail_page_shows_the_tags_rows(personas, login):
    """The trail as it opens writes its rows with the tag: the page holds what the tag writes for its events."""
    from django.urls import reverse

    from patto.audit.services import record_event
    from patto.audit.templatetags.audit_labels import trail_rows

    for _ in range(2):
        record_event(
            actor=personas["case_manager"].user,
            action="accounts.person.viewed",
            subjects=[personas["coordinator"].user],
        )
    response = login("auditor").get(reverse("audit:trail"))
    page = response.context["page"]
    assert response.status_code == 200 and len(page.object_list) >= 2
    assert trail_rows(page) in response.content.decode()
