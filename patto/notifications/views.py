"""The inbox (the person's own notifications), their e-mail choices, and the technical administrator's list
of e-mails not sent."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from patto.audit.services import render_with_access
from patto.core.forms import add_service_errors
from patto.core.shortcuts import get_object_for

from . import services
from .forms import PreferencesForm
from .queries import notifications_of, unsent_emails_visible_to


def _page(request, items):
    return Paginator(items, settings.PATTO_PAGE_SIZE).get_page(request.GET.get("page"))


@require_safe
def inbox(request):
    return render(request, "notifications/inbox.html", {"page": _page(request, notifications_of(request.user))})


def _local(url):
    """Only a path inside Patto (never another site: the stored link must not become an open redirect)."""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        if url_has_allowed_host_and_scheme(url, allowed_hosts=None):
            return url
    return reverse("notifications:inbox")


@require_safe
def open_notification(request, pk):
    """Follow a notification's link (from the inbox or an e-mail): marked as read, then the page it names."""
    notification = get_object_for(request.user, None, notifications_of(request.user), pk=pk)
    services.mark_read(actor=request.user, notification=notification)
    return redirect(_local(notification.url))


@require_POST
def read_all(request):
    count = services.mark_all_read(actor=request.user)
    messages.success(
        request,
        ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", count)
        % {"count": count},
    )
    return redirect("notifications:inbox")


def preferences(request):
    form = PreferencesForm(request.POST or None, current=services.preferences_of(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.set_preferences(actor=request.user, choices=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your choices are saved."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@require_safe
def emails(request):
    """E-mails waiting or failed (kind, recipient's username, attempts, the error's kind and code)."""
    if not request.user.has_perm("notifications.view_emails"):
        raise PermissionDenied
    context = {
        "page": _page(request, unsent_emails_visible_to(request.user)),
        "max_attempts": settings.PATTO_EMAIL_MAX_ATTEMPTS,
    }
    return render_with_access(request, "notifications/emails.html", context, action="notifications.emails.viewed")


@require_POST
def retry(request, pk):
    if not request.user.has_perm("notifications.retry_email"):
        raise PermissionDenied
    email = get_object_for(request.user, "notifications.retry_email", unsent_emails_visible_to(request.user), pk=pk)
    services.retry_email(actor=request.user, email=email)
    messages.success(request, _("The e-mail is queued to be sent again."))
    return redirect("notifications:emails")
