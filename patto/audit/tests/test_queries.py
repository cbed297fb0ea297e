import pytest
from django.urls import reverse

from patto.audit.services import record_event


@pytest.mark.parametrize("count", [1, 3])
def test_trail_query_count(count, personas, login, django_assert_num_queries):
    for _ in range(count):
        record_event(
            actor=personas["case_manager"].user,
            action="accounts.person.viewed",
            subjects=[personas["coordinator"].user, personas["institution_admin"].user],
        )
    client = login("auditor")
    # the standing comes with the memberships; the users for both person selects read once (names only)
    with django_assert_num_queries(12):
        assert client.get(reverse("audit:trail")).status_code == 200


def test_the_selects_offer_the_district_by_name_as_the_model_selects_would(personas, world):
    """The person, user and institution selects are filled from the district's directory read as names (two
    statements compiled once a day): the same options, in the same order, with the same labels as Django's model
    selects give from the querysets the trail accepts; another district's people and institutions are not offered."""
    from django.forms import ModelChoiceField

    from patto.accounts.models import Institution, User
    from patto.accounts.queries import institutions_visible_to
    from patto.accounts.tests.factories import MembershipFactory, UserFactory
    from patto.audit.forms import TrailFilterForm
    from patto.audit.queries import trail_directory

    coordinator = personas["coordinator"].user
    User.objects.filter(pk=coordinator.pk).update(first_name="", last_name="")  # shown by the username
    elsewhere = Institution.objects.create(name="Comune di Lontano", kind="comune", district=_other_district())
    stranger = MembershipFactory(user=UserFactory(username="operatore.lontano"), institution=elsewhere).user
    viewer = User.objects.get(pk=coordinator.pk)
    institutions = institutions_visible_to(viewer)
    people = (
        User.objects.filter(memberships__institution__in=institutions).distinct().order_by("last_name", "first_name")
    )
    form = TrailFilterForm(people=people, institutions=institutions, directory=trail_directory(viewer))
    expected_people = list(ModelChoiceField(queryset=people, required=False).choices)
    for name in ("person", "actor"):
        offered = list(form.fields[name].widget.choices)
        assert [(str(v), label) for v, label in offered] == [(str(v), label) for v, label in expected_people]
    expected_institutions = list(ModelChoiceField(queryset=institutions, required=False).choices)
    offered = list(form.fields["institution"].widget.choices)
    assert [(str(v), label) for v, label in offered] == [(str(v), label) for v, label in expected_institutions]
    assert coordinator.username in dict(form.fields["person"].widget.choices).values()
    assert stranger.pk not in dict(form.fields["person"].widget.choices)
    assert elsewhere.pk not in dict(form.fields["institution"].widget.choices)
    assert len(offered) > 2


def _other_district():
    from patto.accounts.models import District

    return District.objects.create(name="Distretto di Lontano", reference_prefix="LN")


@pytest.mark.parametrize("size", [1, 4, 30])
def test_the_trail_as_it_opens_is_the_orms_first_page(size, personas, login, settings, monkeypatch):
    """The trail opened with no filter and no cursor reads its page by statements compiled once a day
    (``newest_events``): the same events as the ORM's page (the trail with an empty filter), in the same order,
    with the same people concerned in the same order and the same names, and the same cursor to older events;
    another district's events and the platform's (no institution) are not on it."""
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from patto.accounts.models import User
    from patto.audit import views
    from patto.audit.paging import keyset_page
    from patto.audit.queries import events_visible_to, newest_events, subject_pairs, with_details

    settings.PATTO_PAGE_SIZE = size
    User.objects.filter(pk=personas["coordinator"].user.pk).update(first_name="", last_name="")  # by username
    actors = [personas[name].user for name in ("case_manager", "school_referent", "foreigner", "institution_admin")]
    concerned = [personas["coordinator"].user, personas["health_professional"].user, personas["outsider"].user]
    start = timezone.now()
    for n in range(9):  # older and older; two events share each moment (ties are ordered by key)
        with time_machine.travel(start - timedelta(minutes=n // 2), tick=False):
            record_event(actor=actors[n % len(actors)], action="accounts.person.viewed", subjects=concerned[: n % 4])
    record_event(actor=None, action="accounts.login.failed")  # the platform's: no institution
    client = login("auditor")
    auditor = User.objects.get(username="auditor")
    orm = list(with_details(events_visible_to(auditor)).order_by("-occurred_at", "-id")[: size + 1])
    frozen = newest_events(auditor)

    def shown(events):
        return [(e.pk, e.occurred_at, e.actor_institution, subject_pairs(e)) for e in events]

    assert shown(frozen) == shown(orm) and len(orm) == min(size + 1, events_visible_to(auditor).count())
    assert all(hasattr(e, "subject_pairs") for e in frozen)  # read with the events, not from the ORM's prefetch
    assert [[(s.kind, s.subject_id) for s in e.subjects.all()] for e in orm] == [subject_pairs(e) for e in orm]
    assert {e.actor_institution.district_id for e in frozen} == {personas["auditor"].institution.district_id}
    # The page as the ORM pages it (what an empty filter reads), then the trail as it opens.
    expected = keyset_page(with_details(events_visible_to(auditor)), size=size)
    answers = []  # what the view's frozen read gave: it must be the page's source
    monkeypatch.setattr(views, "newest_events", lambda user: answers.append(newest_events(user)) or answers[-1])
    first = client.get(reverse("audit:trail")).context["page"]
    assert answers and answers[0] is not None and [e.pk for e in answers[0][:size]] == [e.pk for e in first]
    assert shown(first) == shown(expected) and (first.newer, first.older) == (None, expected.older)
    # The names as the users' own rows give them (full name, else the username), not as name_subjects reads them.
    users = {str(u.pk): u.get_full_name() or u.username for u in User.objects.all()}
    names = [
        ", ".join(users[s.subject_id] if s.kind == "user" else f"{s.kind} {s.subject_id}" for s in e.subjects.all())
        or "—"
        for e in expected
    ]
    assert [e.concerned for e in first] == names
    assert size < 4 or any("coordinator" in name for name in names)
    assert newest_events(User.objects.get(username="admin")) is None  # read through the ORM


def test_the_people_concerned_cell_is_what_the_rows_loop_wrote(personas, family_path):
    """Each row's people concerned are written once per event (``name_subjects``: ``event.concerned``) instead
    of a loop per row in the template: the same cell, escaped alike, for no one, users (one with a name to
    escape, one shown by username, one no longer found), people of a family and a mix."""
    from django.template import Context, Template

    from patto.accounts.models import User
    from patto.accounts.tests.factories import UserFactory
    from patto.audit.models import AuditEvent
    from patto.audit.queries import name_subjects, with_details

    User.objects.filter(pk=personas["coordinator"].user.pk).update(first_name="Anna", last_name="D'Angelo <b>")
    User.objects.filter(pk=personas["outsider"].user.pk).update(first_name="", last_name="")
    people = list(family_path.family.members.all())
    users = [personas["coordinator"].user, personas["outsider"].user]
    for subjects in ([], users, people, [*users, *people], [people[0]]):
        record_event(actor=personas["case_manager"].user, action="accounts.person.viewed", subjects=subjects)
    gone = UserFactory(username="andato.via")
    record_event(actor=personas["case_manager"].user, action="accounts.person.viewed", subjects=[gone, *users])
    gone.delete()  # a user no longer found: an empty name
    events = list(with_details(AuditEvent.objects.filter(action="accounts.person.viewed")).order_by("pk"))
    name_subjects(events)
    # The names as the users' own rows give them (full name, else the username; empty for one no longer found).
    users = {str(u.pk): u.get_full_name() or u.username for u in User.objects.all()}
    for event in events:
        for subject in event.subjects.all():
            subject.name = users.get(subject.subject_id, "")
    loop = Template(
        '{% for subject in event.subjects.all %}{% if subject.kind == "user" %}{{ subject.name }}{% else %}'
        "{{ subject.kind }} {{ subject.subject_id }}{% endif %}{% if not forloop.last %}, {% endif %}"
        "{% empty %}—{% endfor %}"
    )
    cell = Template("{{ event.concerned }}")
    assert len(events) == 6
    for event in events:
        assert cell.render(Context({"event": event})) == loop.render(Context({"event": event}))
    assert "D&#x27;Angelo &lt;b&gt;" in cell.render(Context({"event": events[1]}))
