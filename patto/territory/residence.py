"""The seam through which the territory's page lists and maps the comuni of residence written as free text.

People belong to the cases app, below this one: it registers, when it is ready, the two functions that read
and change them (``cases.residence``), as the home page's panels are registered. Without a source the page
lists nothing to map."""

_source = {}


def register_residence_source(*, unmapped, assign):
    """``unmapped(district)``: rows {"value", "people"} (GROUP BY the text, one query); ``assign(*, actor,
    district, value, comune)``: gives the comune to every person of the district with that text; returns how
    many."""
    _source.update(unmapped=unmapped, assign=assign)


def unmapped_residences(district):
    return _source["unmapped"](district) if "unmapped" in _source else []


def assign_residence(*, actor, district, value, comune):
    if "assign" not in _source:
        return 0
    return _source["assign"](actor=actor, district=district, value=value, comune=comune)
