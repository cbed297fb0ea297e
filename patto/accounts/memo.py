"""What one request has learnt about its user, kept on the request's User object (a new one every request,
read from the database by the authentication middleware), never longer.

Views hold ``request.user`` through lazy wrappers (auth's, django-otp's) while permission predicates receive
the User itself: ``memo(user)`` is the dictionary of the User under any wrappers, so that both share one
answer. Whatever changes what a cached answer depends on within the request must call ``forget(user)``
(switching the acting membership does)."""

from django.utils.functional import LazyObject


def unwrapped(user):
    _ = user.pk  # a wrapper not yet evaluated is set up now
    while isinstance(user, LazyObject):
        user = user._wrapped
    return user


def memo(user):
    return unwrapped(user).__dict__.setdefault("_patto_memo", {})


def forget(user):
    unwrapped(user).__dict__.pop("_patto_memo", None)
