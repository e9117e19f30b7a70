"""The two-factor screens: verify after signing in, enrol an authenticator app, and manage
backup codes. Thin: the rules and writes are in ``cms/users/two_factor.py``."""

from __future__ import annotations

import logging

import django_otp
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.admin import messages

from cms.users import two_factor
from cms.users.forms import AuthenticatorCodeForm, SecondFactorForm
from cms.users.models import BackupCodeDevice

logger = logging.getLogger(__name__)


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("wagtailadmin_home")


def _complete(request, device) -> None:
    # A new session key for the new level of trust, then django-otp remembers the device.
    request.session.cycle_key()
    django_otp.login(request, device)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """Second step of signing in: a code from the authenticator app, or a backup code."""
    if two_factor.two_factor_verified(request.user):
        return redirect(_next_url(request))
    if not two_factor.two_factor_enrolled(request.user):
        return redirect_to_login(_next_url(request), login_url=reverse("users_two_factor_setup"))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        throttled = two_factor.second_factor_throttled(request.user)
        device = two_factor.second_factor_verify(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            _complete(request, device)
            if isinstance(device, BackupCodeDevice):
                messages.warning(
                    request,
                    _("You used a backup code: %(left)s left.")
                    % {"left": two_factor.backup_codes_left(request.user)},
                )
            return redirect(_next_url(request))
        logger.warning("Second factor refused for user #%s", request.user.pk)
        if throttled:
            form.add_error(None, _("Too many wrong codes. Wait a minute, then try again."))
        else:
            form.add_error("code", _("That code is not valid. Check your app and try again."))
    return TemplateResponse(
        request, "users/two_factor/verify.html", {"form": form, "next": _next_url(request)}
    )


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Enrolment, forced at the first sign-in: scan the QR code, confirm with a code, and
    receive the backup codes (shown once)."""
    if two_factor.two_factor_enrolled(request.user):
        return redirect(_next_url(request))
    device = two_factor.authenticator_enrolment_device(user=request.user)
    form = AuthenticatorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed, codes = two_factor.authenticator_confirm(
            user=request.user, code=form.cleaned_data["code"]
        )
        if confirmed is not None:
            _complete(request, confirmed)
            return TemplateResponse(
                request,
                "users/two_factor/backup_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
        form.add_error("code", _("That code did not match. Check the app's clock and try again."))
    return TemplateResponse(
        request,
        "users/two_factor/setup.html",
        {
            "form": form,
            "next": _next_url(request),
            "qr_svg": two_factor.authenticator_qr_svg(device),
            "secret": two_factor.authenticator_secret(device),
            "issuer": settings.OTP_TOTP_ISSUER,
        },
    )


@never_cache
def two_factor_manage(request):
    """Status, and new backup codes for someone who used theirs or lost the sheet."""
    return TemplateResponse(
        request,
        "users/two_factor/manage.html",
        {"codes_left": two_factor.backup_codes_left(request.user)},
    )


@never_cache
@require_POST
def two_factor_backup_codes_new(request):
    codes = two_factor.backup_codes_replace(user=request.user)
    return TemplateResponse(
        request,
        "users/two_factor/backup_codes.html",
        {"codes": codes, "next": reverse("users_two_factor_manage"), "first_time": False},
    )
