"""The help desk's entries in the main menu: shown for the role acted in now, at an institution in standing
(the standing memo the other entries share, so the menu costs no more queries)."""

from .queries import is_head, is_legal_office, is_reader, may_ask, memberships_in_standing


def _acting(request, test):
    membership = request.user.acting_membership
    return (
        membership is not None
        and test(membership)
        and any(m.pk == membership.pk for m in memberships_in_standing(request.user))
    )


def shows_questions(request):
    return _acting(request, lambda m: may_ask(m) or is_head(m) or is_legal_office(m))


def shows_library(request):
    return _acting(request, is_reader)
