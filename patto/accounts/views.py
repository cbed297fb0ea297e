import copy
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.util import random_hex

from patto.core.audit import record_event, render_with_access
from patto.core.forms import add_service_errors, run_service
from patto.core.shortcuts import get_object_for

from . import forms, services, stepup
from .middleware import keep_alive as keep_alive_session
from .middleware import mfa_exempt, session_remaining
from .queries import institutions_visible_to, memberships_visible_to, people_of, users_visible_to
from .tokens import set_password_tokens

# --- Sign-in, sign-out, password --------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = forms.LoginForm
    redirect_authenticated_user = True


def locked_out(request, response=None, credentials=None):
    """axes' lockout answer: the same page and words whether or not the account exists."""
    form = forms.LoginForm(request)
    return render(request, "accounts/login.html", {"form": form, "locked_out": True}, status=429)


@mfa_exempt
@require_POST
def logout(request):
    auth_logout(request)
    response = redirect(settings.LOGOUT_REDIRECT_URL)
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


password_reset = login_not_required(
    auth_views.PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        form_class=forms.StyledPasswordResetForm,
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = login_not_required(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = login_not_required(
    auth_views.PasswordResetConfirmView.as_view(
        token_generator=set_password_tokens,  # a reset link or a new account's invitation
        template_name="accounts/password_reset_confirm.html",
        form_class=forms.StyledSetPasswordForm,
        success_url=reverse_lazy("accounts:password_reset_complete"),
    )
)
password_reset_complete = login_not_required(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
)


@require_POST
def keep_alive(request):
    """The session warning's "Stay signed in" (WCAG 2.2.1): counts as activity, the idle timeout starts
    again; answers the seconds left before each limit (the absolute lifetime does not move)."""
    keep_alive_session(request.session)
    idle, absolute = session_remaining(request)
    return JsonResponse({"idle": idle, "absolute": absolute})


# --- Two-factor authentication -----------------------------------------------------------------


@mfa_exempt
def mfa_verify(request):
    next_url = stepup.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_verified():
        return redirect(next_url)
    form = forms.OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            record_event(actor=request.user, action="accounts.mfa.verified", subjects=[request.user])
            return redirect(next_url)
        record_event(actor=request.user, action="accounts.mfa.failed", subjects=[request.user])
        form.add_error("token", _("The code is not valid. Try again with a new code."))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": next_url})


def confirm_password(request):
    """Step-up: type the password again (see patto.accounts.stepup), then back to where the user was."""
    next_url = stepup.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = forms.PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = stepup.confirm_password(request=request, password=form.cleaned_data["password"])
        if outcome == stepup.CONFIRMED:
            return redirect(next_url)
        if outcome == stepup.LOCKED:
            auth_logout(request)  # a stolen session cannot go on guessing the password
            return locked_out(request)
        form.add_error("password", _("The password is not correct."))
    return render(
        request,
        "accounts/confirm_password.html",
        {"form": form, "next": next_url, "step_up_minutes": settings.PATTO_STEP_UP_MINUTES},
    )


@mfa_exempt
def mfa_enrol(request):
    if request.session.get("has_mfa") and not request.user.is_verified():
        return redirect("accounts:mfa_verify")
    if services.has_mfa(request.user):
        # Replacing an authenticator: a stolen session alone must not be able to do it.
        return _replace_totp(request)
    return _enrol_totp(request)


def _enrol_totp(request):
    # The new secret waits in the session (not in the database) until the first code confirms it.
    key = request.session.setdefault("totp_pending_key", random_hex(20))
    device = services.unsaved_totp_device(request.user, key)
    form = forms.OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enabled = services.enable_totp(actor=request.user, key=key, token=form.cleaned_data["token"])
        if enabled is not None:
            device, codes = enabled
            otp_login(request, device)
            request.session["has_mfa"] = True
            del request.session["totp_pending_key"]
            return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes})
        form.add_error("token", _("The code is not valid. Check the time on your phone and try a new code."))
    return render(
        request,
        "accounts/mfa_enrol.html",
        {"form": form, "qr_svg": _qr_svg(device.config_url), "secret": _base32_secret(device)},
    )


_replace_totp = stepup.require_recent_password(_enrol_totp)


def _qr_svg(url):
    return segno.make(url, error="m").svg_inline(scale=5, title=_("QR code to scan with the authenticator app"))


def _base32_secret(device):
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@require_POST
@stepup.require_recent_password
def mfa_recovery_codes(request):
    if not request.user.is_verified():
        raise PermissionDenied
    codes = services.regenerate_recovery_codes(actor=request.user)
    return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes})


@require_POST
@stepup.require_recent_password
def mfa_disable(request):
    try:
        services.disable_mfa(actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        request.session["has_mfa"] = False
        messages.success(request, _("Two-factor authentication has been turned off."))
    return redirect("accounts:profile")


# --- Profile and institution switcher -----------------------------------------------------------


def profile(request):
    context = {
        "memberships": request.user.current_memberships,
        "has_mfa": services.has_mfa(request.user),
        "mfa_required": settings.PATTO_REQUIRE_MFA,
    }
    return render_with_access(
        request,
        "accounts/profile.html",
        context,
        action="accounts.profile.viewed",
        obj=request.user,
        subjects=[request.user],
    )


@require_POST
def switch_membership(request):
    form = forms.SwitchMembershipForm(request.POST)
    memberships = {m.pk: m for m in request.user.current_memberships}
    if not form.is_valid() or form.cleaned_data["membership"] not in memberships:
        raise PermissionDenied
    membership = memberships[form.cleaned_data["membership"]]
    services.switch_membership(user=request.user, session=request.session, membership=membership)
    messages.success(
        request,
        _("You are now working as %(role)s at %(institution)s.")
        % {"role": membership.get_role_display(), "institution": membership.institution},
    )
    return redirect("core:home")


# --- Institutions -------------------------------------------------------------------------------


def institution_list(request):
    if not request.user.has_perm("accounts.view_directory"):
        raise PermissionDenied
    institutions = institutions_visible_to(request.user).order_by("kind", "name")
    page = Paginator(institutions, settings.PATTO_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/institution_list.html", {"page": page})


def institution_detail(request, pk):
    institution = get_object_for(
        request.user, "accounts.view_institution", institutions_visible_to(request.user), pk=pk
    )
    return render(
        request,
        "accounts/institution_detail.html",
        {
            "institution": institution,
            "sites": institution.sites.all(),
            "can_view_people": request.user.has_perm("accounts.view_people", institution),
        },
    )


def institution_create(request):
    if not request.user.has_perm("accounts.add_institution"):
        raise PermissionDenied
    form = forms.InstitutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.INSTITUTION_FIELDS}
        try:
            institution = services.create_institution(
                actor=request.user, district=request.user.acting_institution.district, **fields
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Institution created."))
            return redirect("accounts:institution_detail", pk=institution.pk)
    return render(request, "accounts/institution_form.html", {"form": form})


def institution_edit(request, pk):
    institution = get_object_for(
        request.user, "accounts.change_institution", institutions_visible_to(request.user), pk=pk
    )
    # The form works on a copy: ModelForm validation writes into its instance, and the service
    # compares the submitted values with the ones loaded.
    form = forms.InstitutionForm(
        request.POST or None, instance=copy.copy(institution), initial={"version": institution.version}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.INSTITUTION_FIELDS}
        saved, conflict = run_service(
            form,
            lambda: services.update_institution(
                actor=request.user, institution=institution, version=form.cleaned_data["version"] or 0, **fields
            ),
        )
        if saved:
            messages.success(request, _("Institution saved."))
            return redirect("accounts:institution_detail", pk=institution.pk)
    return render(
        request,
        "accounts/institution_form.html",
        {"form": form, "institution": institution, "conflict": conflict},
        status=409 if conflict else 200,
    )


# --- People and memberships ---------------------------------------------------------------------


def institution_people(request, pk):
    institution = get_object_for(request.user, "accounts.view_people", institutions_visible_to(request.user), pk=pk)
    page = Paginator(people_of(institution, request.user), settings.PATTO_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "institution": institution,
        "page": page,
        "can_manage": request.user.has_perm("accounts.add_membership", institution),
        "changeable": {m.pk for m in page if request.user.has_perm("accounts.change_membership", m)},
        "endable": {m.pk for m in page if request.user.has_perm("accounts.end_membership", m)},
        "resendable": {
            m.pk
            for m in page
            if not m.user.has_usable_password() and request.user.has_perm("accounts.resend_invitation", m)
        },
    }
    return render_with_access(
        request,
        "accounts/institution_people.html",
        context,
        action="accounts.people.listed",
        obj=institution,
        subjects=[membership.user for membership in page],
    )


def membership_add(request, pk):
    institution = get_object_for(request.user, "accounts.add_membership", institutions_visible_to(request.user), pk=pk)
    form = forms.MembershipAddForm(
        request.POST or None, actor_membership=request.user.acting_membership, institution=institution
    )
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.add_member(
                actor=request.user,
                institution=institution,
                request_base_url=request.build_absolute_uri("/")[:-1],
                **form.cleaned_data,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s now has the role %(role)s.")
                % {"name": membership.user, "role": membership.get_role_display()},
            )
            return redirect("accounts:institution_people", pk=institution.pk)
    return render(request, "accounts/membership_add.html", {"form": form, "institution": institution})


def membership_edit(request, pk):
    membership = get_object_for(
        request.user,
        "accounts.change_membership",
        memberships_visible_to(request.user).select_related("user", "institution"),
        pk=pk,
    )
    initial = {
        "role": membership.role,
        "valid_from": membership.valid_from,
        "valid_to": membership.valid_to,
        "version": membership.version,
    }
    form = forms.MembershipChangeForm(
        request.POST or None,
        initial=initial,
        actor_membership=request.user.acting_membership,
        institution=membership.institution,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        saved, conflict = run_service(
            form, lambda: services.change_membership(actor=request.user, membership=membership, **data)
        )
        if saved:
            messages.success(request, _("Membership saved."))
            return redirect("accounts:institution_people", pk=membership.institution_id)
    return render_with_access(
        request,
        "accounts/membership_edit.html",
        {"form": form, "membership": membership, "conflict": conflict},
        action="accounts.membership.viewed",
        obj=membership,
        subjects=[membership.user],
        status=409 if conflict else 200,
    )


def membership_end(request, pk):
    membership = get_object_for(
        request.user,
        "accounts.end_membership",
        memberships_visible_to(request.user).select_related("user", "institution"),
        pk=pk,
    )
    form = forms.MembershipEndForm(request.POST or None, initial={"version": membership.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(
            form, lambda: services.end_membership(actor=request.user, membership=membership, **form.cleaned_data)
        )
        if saved:
            messages.success(request, _("The membership has ended. It grants no access from now on."))
            return redirect("accounts:institution_people", pk=membership.institution_id)
    return render_with_access(
        request,
        "accounts/membership_end.html",
        {"form": form, "membership": membership, "conflict": conflict},
        action="accounts.membership.viewed",
        obj=membership,
        subjects=[membership.user],
        status=409 if conflict else 200,
    )


@require_POST
def invitation_resend(request, pk):
    membership = get_object_for(
        request.user,
        "accounts.resend_invitation",
        memberships_visible_to(request.user).select_related("user", "institution"),
        pk=pk,
    )
    try:
        services.resend_invitation(
            actor=request.user, membership=membership, request_base_url=request.build_absolute_uri("/")[:-1]
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _("A new invitation has been sent to %(name)s. The previous link no longer works.")
            % {"name": membership.user},
        )
    return redirect("accounts:institution_people", pk=membership.institution_id)


def person_detail(request, pk):
    person = get_object_for(request.user, "accounts.view_person", users_visible_to(request.user), pk=pk)
    memberships = (
        memberships_visible_to(request.user)
        .filter(user=person)
        .select_related("institution")
        .order_by("ended_at", "-valid_from")
    )
    return render_with_access(
        request,
        "accounts/person_detail.html",
        {"person": person, "memberships": memberships},
        action="accounts.person.viewed",
        obj=person,
        subjects=[person],
    )
