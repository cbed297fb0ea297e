from functools import cached_property

from .queries import unread_count


class Bell:
    """The header's unread count, asked only when a page renders it (one COUNT; none for pages without
    the header)."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self):
        return unread_count(self.user)


def bell(request):
    """The bell, for signed-in users past the second factor (before it, the page names nobody)."""
    from patto.accounts.middleware import second_factor_pending

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or second_factor_pending(request):
        return {}
    return {"bell": Bell(user)}
