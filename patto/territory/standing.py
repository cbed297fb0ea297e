"""The seam through which the territory's permissions ask whether the acting institution is in standing.

Standing (an active institution whose adhesion to its district's pact is in force) belongs to the governance
app, below this one: it registers, when it is ready, ``institutions_in_standing_of(user)``, the ids of the
user's institutions in standing, asked once per request and remembered on the request's User. Without a
source no institution is in standing: the territory's pages refuse rather than ignore standing."""

_source = {}


def register_standing_source(institutions_in_standing_of):
    _source["of"] = institutions_in_standing_of


def acting_in_standing(user):
    """Whether the institution the user acts for is in standing."""
    membership = user.acting_membership if user.is_authenticated else None
    if membership is None or "of" not in _source:
        return False
    return membership.institution_id in _source["of"](user)
