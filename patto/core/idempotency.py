"""Create forms that save once, however many times they are sent (a double click, a resend after a slow
answer, the browser's "resend" after going back).

Every rendered create form carries a one-time token (``{% form_token %}``, a hidden field). A view decorated
with ``@once_per_form`` claims the token in the same transaction as the view's own writes: a row with the
token (unique) and, when the view answers with a redirect, that redirect's URL. A second submit with the
same token finds the row (or, if it arrived while the first was still running, waits for the first to
commit and then meets the unique token) and is sent to the first one's result with a message; nothing is
created twice and no error page is shown. A submit the view refused (the form shown again with its errors)
leaves no row, so the same form can be corrected and sent again. A POST without a token (an old page, a
script) is served as before. Tokens are kept a day.

The browser side: ``static/patto/submit-once.js`` disables the submit buttons while the form is sent."""

import re
import secrets
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import FormSubmission

FIELD = "form_token"
KEEP = timedelta(days=1)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def new_token():
    return secrets.token_urlsafe(24)


def once_per_form(view):
    """Decorate a create view: the same form sent twice has the effect of sending it once."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not _TOKEN.match(token) or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        previous = FormSubmission.objects.filter(token=token).first()
        if previous is not None:
            return _replay(request, previous)
        refused = None
        with transaction.atomic():
            try:
                with transaction.atomic():
                    claim = FormSubmission.objects.create(token=token, user_key=str(request.user.pk))
            except IntegrityError:  # the first submit committed while this one waited for it
                claim = None
            if claim is not None:
                try:
                    response = view(request, *args, **kwargs)
                except (PermissionDenied, Http404) as error:  # audited refusals: their rows must stay
                    refused, response = error, None
                _settle(claim, response)
        if claim is None:
            return _replay(request, FormSubmission.objects.get(token=token))
        if refused is not None:
            raise refused
        return response

    wrapper.once_per_form = True  # kept by the decorators above it (functools.wraps): the tests find it
    return wrapper


def _settle(claim, response):
    """Keep the claim with the result's URL if the view created something (it redirected); drop it if the
    view showed the form again, so that the corrected form can be sent with the same token."""
    if response is not None and response.status_code in (301, 302, 303) and response.has_header("Location"):
        claim.result_url = response["Location"][:500]
        claim.save(update_fields=["result_url"])
        FormSubmission.objects.filter(created_at__lt=timezone.now() - KEEP).delete()
    else:
        claim.delete()


def _replay(request, previous):
    if previous.user_key != str(request.user.pk):  # another account's token: never show its result
        from .middleware import conflict_response

        return conflict_response(request)
    messages.info(request, _("This form had already been sent: it was saved only once."))
    return redirect(previous.result_url)
