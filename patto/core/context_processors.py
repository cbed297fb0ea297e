from django.conf import settings


def patto(request):
    """The header's data: the district's name, the acting membership and the switcher's choices."""
    user = getattr(request, "user", None)
    acting = user.acting_membership if user is not None and user.is_authenticated else None
    district = acting.institution.district.name if acting else settings.PATTO_DEFAULT_DISTRICT_NAME
    return {
        "district_name": district,
        "acting_membership": acting,
        "switchable_memberships": user.current_memberships if acting else [],
        "nav": _navigation(request, user, acting) if acting else [],
    }


def _navigation(request, user, acting):
    """Main menu entries the user may use now (permission names only: core imports no app)."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    entries = [(_("Home"), reverse("core:home"), True)]
    entries.append((_("The Pact"), reverse("governance:pact"), True))
    entries.append((_("Families"), reverse("cases:path_list"), True))
    entries.append((_("Cohorts"), reverse("cases:cohort_list"), user.has_perm("cases.view_cohorts")))
    entries.append((_("Volunteers"), reverse("cases:volunteer_list"), user.has_perm("cases.view_volunteers")))
    entries.append((_("Institutions"), reverse("accounts:institution_list"), user.has_perm("accounts.view_directory")))
    entries.append((_("People of my institution"),
                    reverse("accounts:institution_people", kwargs={"pk": acting.institution_id}),
                    user.has_perm("accounts.view_people", acting.institution)))
    entries.append((_("Audit trail"), reverse("audit:trail"), user.has_perm("audit.view_trail")))
    entries.append((_("My profile"), reverse("accounts:profile"), True))
    entries = [(label, url) for label, url, allowed in entries if allowed]
    matching = [url for _label, url in entries if request.path == url or (url != "/" and request.path.startswith(url))]
    current = max(matching, key=len, default=None)
    return [{"label": label, "url": url, "active": url == current} for label, url in entries]
