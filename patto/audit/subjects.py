"""Whom the auditor can ask about: a family or one of its people.

Families and people live in an app below ``audit`` (which imports no app below it), so that app
registers here how to find them, as apps register home-page panels with ``core.home.register_panel``.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Subject:
    """A family or a person, as the audit trail knows them.

    ``kind`` ("family" or "person") and ``key`` (an opaque id) address it in URLs: never a name.
    ``record`` is its own (object type, id), for the audit rows about it; ``people`` maps the (kind, id)
    under which the trail records its people concerned to their names; ``objects`` maps an object type
    (``cases.path``) to the ids of the records that belong to it; ``members`` are a family's people."""

    kind: str
    key: str
    label: str
    family: str
    record: tuple
    family_key: str = ""
    description: str = ""
    people: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    members: tuple = ()


_finders = []


def register_finder(finder):
    """``finder(district_id, *, text="", kind="", key="")`` returns a list of ``Subject``: those of the
    district matching ``text`` (a family reference, a name or a codice fiscale), or the one with this
    ``kind`` and ``key``. Only subjects of that district, ever."""
    if finder not in _finders:
        _finders.append(finder)


def find_subjects(district_id, text):
    return [subject for finder in _finders for subject in finder(district_id, text=text)]


def get_subject(district_id, kind, key):
    """The subject with this kind and key in the district, or None."""
    for finder in _finders:
        for subject in finder(district_id, kind=kind, key=key):
            return subject
    return None
