"""The map of the offer (counts only) and its editing by the coordinator."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from patto.core.forms import add_service_errors, run_service
from patto.core.idempotency import once_per_form
from patto.core.shortcuts import get_object_for
from patto.territory.bands import AgeBand
from patto.territory.models import Comune

from . import services
from .forms import OfferEditForm, OfferFilterForm, OfferForm
from .queries import Figures, filter_offers, offer_district, offers_visible_to, with_figures


def _district_or_403(request, perm):
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return offer_district(request.user)


@require_GET
def offer_map(request):
    """Dispositivo × provider × comune: where each runs, for whom, its places and what is in use and waiting
    (counts, small ones as "<5"). One page of offers, a fixed number of queries whatever their number."""
    district = _district_or_403(request, "offer.view_offer")
    form = OfferFilterForm(request.GET or None, district=district)
    offers = filter_offers(offers_visible_to(request.user), **form.filters())
    offers = with_figures(offers.select_related("device_type", "provider").prefetch_related("comuni"))
    page = Paginator(
        offers.order_by("device_type__order", "device_type__name", "provider__name", "pk"), settings.PATTO_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    comuni = list(Comune.objects.filter(district=district, is_active=True))
    rows = []
    for offer in page:
        runs = {comune.pk for comune in offer.comuni.all()}
        rows.append({"offer": offer, "figures": Figures(offer), "cells": [comune.pk in runs for comune in comuni]})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "offer/map.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "comuni": comuni,
            "bands": AgeBand.choices,
            "query": query.urlencode(),
            "can_change": request.user.has_perm("offer.change_offer"),
        },
    )


@once_per_form
def offer_add(request):
    district = _district_or_403(request, "offer.change_offer")
    form = OfferForm(request.POST or None, district=district)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_offer(actor=request.user, district=district, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Offer added to the map."))
            return redirect("offer:map")
    return render(request, "offer/offer_form.html", {"form": form})


def offer_edit(request, pk):
    if not request.user.has_perm("offer.view_offer"):
        raise PermissionDenied
    offer = get_object_for(
        request.user,
        "offer.change_offer",
        offers_visible_to(request.user).select_related("device_type", "provider"),
        pk=pk,
    )
    initial = {
        "comuni": list(offer.comuni.all()),
        "age_bands": offer.band_list,
        "places": offer.places,
        "hours_per_week": offer.hours_per_week,
        "notes": offer.notes,
        "is_active": offer.is_active,
        "version": offer.version,
    }
    form = OfferEditForm(request.POST or None, initial=initial, district=offer.district)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(
            form, lambda: services.update_offer(actor=request.user, offer=offer, **form.cleaned_data)
        )
        if saved:
            messages.success(request, _("Offer saved."))
            return redirect("offer:map")
    return render(
        request,
        "offer/offer_form.html",
        {"form": form, "offer": offer, "conflict": conflict},
        status=409 if conflict else 200,
    )
