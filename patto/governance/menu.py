"""The pact's entry in the main menu (``core.menu``)."""

from .queries import institutions_in_standing_of


def sees_pact(request):
    """The pact's pages answer 404 unless the acting institution is in standing. The standing of the user's
    institutions is asked once per request (``queries.institutions_in_standing_of``), shared with the
    permission predicates and the other menu entries."""
    membership = request.user.acting_membership
    return membership is not None and membership.institution_id in institutions_in_standing_of(request.user)
