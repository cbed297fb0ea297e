def identity(request):
    """Whether the page may show who is signed in (name, role, institution, the switcher): not between
    the password and the second factor, when whoever holds the password alone must learn nothing."""
    from .middleware import second_factor_pending

    user = getattr(request, "user", None)
    return {"identity_shown": user is not None and user.is_authenticated and not second_factor_pending(request)}
