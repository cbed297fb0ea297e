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
