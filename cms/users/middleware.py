"""Staff sessions: a second factor before anything else, and a hard limit on their length.

Both come after django-otp's ``OTPMiddleware`` (which adds ``request.user.is_verified()``)
in ``settings.MIDDLEWARE``.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.urls import Resolver404, resolve, reverse

from cms.core.csp import is_admin_path
from cms.users import two_factor

SESSION_STARTED_KEY = "igivehope_session_started_at"

# Reachable with a password but no second factor yet: signing in and out, the two-factor
# screens themselves, and two harmless admin assets their pages load.
ALLOWED_BEFORE_SECOND_FACTOR = {
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "users_two_factor_verify",
}
# ...and, for someone with no device at all, the enrolment screen.
ALLOWED_BEFORE_ENROLMENT = {"users_two_factor_setup"}


def session_start_record(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the 12-hour limit counts from this sign-in."""
    request.session[SESSION_STARTED_KEY] = time.time()


class StaffSessionLimitMiddleware:
    """Ends a signed-in session 12 hours after it started (``SESSION_ABSOLUTE_SECONDS``),
    however active it was. The idle limit is ``SESSION_COOKIE_AGE`` with
    ``SESSION_SAVE_EVERY_REQUEST`` (security-requirements R45)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            now = time.time()
            if started is None:
                request.session[SESSION_STARTED_KEY] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
        return self.get_response(request)


class TwoFactorMiddleware:
    """Until the second factor is proven, the admin answers every request with a redirect
    to the verification (or enrolment) screen, and the rest of the site treats the person
    as an anonymous visitor — so a password alone opens no private document or page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if two_factor.two_factor_required(user) and not two_factor.two_factor_verified(user):
            if is_admin_path(request.path_info):
                if not self._allowed(request):
                    return self._redirect(request)
            else:
                request.user = AnonymousUser()
        return self.get_response(request)

    def _allowed(self, request) -> bool:
        try:
            name = resolve(request.path_info).url_name
        except Resolver404:
            return False
        if name in ALLOWED_BEFORE_SECOND_FACTOR:
            return True
        return name in ALLOWED_BEFORE_ENROLMENT and not two_factor.two_factor_enrolled(request.user)

    def _redirect(self, request):
        if two_factor.two_factor_enrolled(request.user):
            target = reverse("users_two_factor_verify")
        else:
            target = reverse("users_two_factor_setup")
        return redirect_to_login(request.get_full_path(), login_url=target)
