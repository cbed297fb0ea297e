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


def test_the_person_selects_offer_each_user_by_name_as_the_model_select_would(personas, login):
    """Both selects are filled from one read of names: the same options, in the same order, with the same
    labels as Django's model select gives from the users."""
    from django.forms import ModelChoiceField

    from patto.accounts.models import User
    from patto.audit.forms import TrailFilterForm

    User.objects.filter(pk=personas["coordinator"].user.pk).update(first_name="", last_name="")  # the username
    people = User.objects.order_by("last_name", "first_name")
    form = TrailFilterForm(people=people, institutions=None)
    expected = list(ModelChoiceField(queryset=people, required=False).choices)
    for name in ("person", "actor"):
        offered = list(form.fields[name].widget.choices)
        assert [(str(value), label) for value, label in offered] == [(str(value), label) for value, label in expected]
    assert personas["coordinator"].user.username in dict(form.fields["person"].widget.choices).values()
