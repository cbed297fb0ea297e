"""The territory's pages: the district's comuni (with the population loaded and, for the coordinator, the comuni
of residence still written as text, to map) and schools' enrolment. Figures, not people: no access row is
written; the texts of residence are shown cut (``residence.shown_as``) and their counts suppressed when small."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from patto.core.forms import run_service
from patto.core.stats import SMALL_CELL, suppress_small

from . import queries, services
from .forms import YEARS_OFFERED, EnrolmentForm, MapResidenceForm, current_school_year
from .models import SchoolEnrolment, school_year_label
from .residence import assign_residence, listed_value, residence_key, shown_as, unmapped_residences


def _district(request):
    return request.user.acting_institution.district


def comuni(request):
    """The district's comuni with the population years loaded, and the comuni of residence written as text
    that no comune matched yet (for the coordinator, who maps them): each text, cut, with how many people
    (small counts as "<5"), no names."""
    if not request.user.has_perm("territory.view_comuni"):
        raise PermissionDenied
    district = _district(request)
    can_map = request.user.has_perm("territory.map_residence")
    unmapped = []
    if can_map:
        unmapped = [
            {
                "key": residence_key(row["value"]),
                "shown": shown_as(row["value"]),
                "people": suppress_small(row["people"]),
            }
            for row in unmapped_residences(district)
        ]
    return render(
        request,
        "territory/comuni.html",
        {
            "comuni": queries.comuni_with_population(district),
            "unmapped": unmapped,
            "map_form": MapResidenceForm(district=district),
            "can_map": can_map,
        },
    )


@require_POST
def map_residence(request):
    if not request.user.has_perm("territory.map_residence"):
        raise PermissionDenied
    district = _district(request)
    form = MapResidenceForm(request.POST, district=district)
    if not form.is_valid():
        messages.error(request, _("Choose the comune these people live in."))
        return redirect("territory:comuni")
    value = listed_value(district, form.cleaned_data["key"])
    count = 0
    if value is not None:
        count = assign_residence(actor=request.user, district=district, value=value, comune=form.cleaned_data["comune"])
    if not count:
        messages.error(request, _("That comune of residence is not among those to map now: nothing changed."))
        return redirect("territory:comuni")
    shown = {"value": shown_as(value), "comune": form.cleaned_data["comune"]}
    if suppress_small(count) is None:
        message = _("“%(value)s” is now %(comune)s for fewer than %(threshold)s people.") % {
            **shown,
            "threshold": SMALL_CELL,
        }
    else:
        message = ngettext(
            "“%(value)s” is now %(comune)s for %(count)s person.",
            "“%(value)s” is now %(comune)s for %(count)s people.",
            count,
        ) % {**shown, "count": count}
    messages.success(request, message)
    return redirect("territory:comuni")


def _chosen_year(request):
    """``?anno=2025``: one of the school years offered, or the current one."""
    latest = current_school_year()
    chosen = request.GET.get("anno", "")
    offered = {str(year): year for year in range(latest, latest - YEARS_OFFERED, -1)}
    return offered.get(chosen, latest)


def enrolment(request):
    """A school's administrator or head enters its pupils per school year (GET ?anno=2025 loads that year to
    change it); the coordinator and the technical administrator read every school's figures."""
    user = request.user
    if not user.has_perm("territory.view_enrolment"):
        raise PermissionDenied
    district = _district(request)
    school = user.acting_institution
    can_change = user.has_perm("territory.change_enrolment", school)
    form = conflict = None
    if can_change:
        year = _chosen_year(request)
        saved_row = SchoolEnrolment.objects.filter(school=school, school_year=year).first()
        initial = {"school_year": year, "pupils": saved_row.pupils if saved_row else None}
        initial["version"] = saved_row.version if saved_row else 0
        form = EnrolmentForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            saved, conflict = run_service(
                form,
                lambda: services.save_enrolment(
                    actor=user,
                    school=school,
                    school_year=data["school_year"],
                    pupils=data["pupils"],
                    version=data["version"] or 0,
                ),
            )
            if saved:
                messages.success(
                    request,
                    _("Pupils for %(year)s saved.") % {"year": school_year_label(data["school_year"])},
                )
                return redirect("territory:enrolment")
    elif request.method == "POST":
        raise PermissionDenied
    rows = queries.enrolment_by_school(district)
    if can_change:
        rows = rows.filter(school_id=school.pk)
    rows = [{**row, "school_year_label": school_year_label(row["school_year"])} for row in rows]
    return render(
        request,
        "territory/enrolment.html",
        {"form": form, "rows": rows, "school": school if can_change else None, "conflict": conflict},
        status=409 if conflict else 200,
    )
