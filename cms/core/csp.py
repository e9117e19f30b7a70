"""Content-Security-Policy: one strict policy for the public site, a looser one for Wagtail's
admin once signed in.

The public site runs no inline script or style at all (``static/js/map.js`` reads its
configuration from ``data-`` attributes), so its policy allows scripts only from our own
origin or with this response's nonce, and styles only from our own origin. The sign-in
screens (password, second factor, password reset) are what strangers can reach, and they
get the same strict policy. Past them, Wagtail's own editing screens still write a few
inline scripts (date pickers, inline panels), so the rest of ``/admin/`` gets a policy that
allows them there and nowhere else; our own admin screens add no inline script
(``tests/test_security_headers.py`` checks our templates).

With the environment variable ``CSP_REPORT_ONLY=true`` the settings move the public policy
to ``CONTENT_SECURITY_POLICY_REPORT_ONLY``, and the admin policy follows it into the
``Content-Security-Policy-Report-Only`` header: a new rule can be watched for a week before
it is enforced (R41).
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.urls import reverse


def url_template_origin(url_template: str) -> str | None:
    """The ``scheme://host[:port]`` a URL template such as a map tile URL points at, for a
    CSP source list; ``None`` for a relative template (it is then our own origin).

    ``{s}.tile.example.org`` (Leaflet's subdomain placeholder) becomes ``*.tile.example.org``.
    """
    parts = urlsplit(url_template.replace("{s}", "subdomain-placeholder"))
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc.rsplit("@", 1)[-1].replace("subdomain-placeholder", "*")
    return f"{parts.scheme}://{host}"


# Admin screens reachable before signing in fully: they keep the strict public policy.
SIGN_IN_VIEWS = frozenset(
    {
        "wagtailadmin_login",
        "wagtailadmin_password_reset",
        "wagtailadmin_password_reset_done",
        "wagtailadmin_password_reset_confirm",
        "wagtailadmin_password_reset_complete",
        "users_two_factor_verify",
        "users_two_factor_setup",
    }
)


@cache
def _admin_prefix() -> str:
    return reverse("wagtailadmin_home")


def is_admin_path(path: str) -> bool:
    """Under Wagtail's admin (``/admin/``), wherever cms/urls.py mounts it."""
    return path.startswith(_admin_prefix())


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin policy for ``/admin/`` and a nonce on every
    response, so a template can always use ``{{ request.csp_nonce }}``."""

    def process_request(self, request):
        super().process_request(request)
        str(request.csp_nonce)  # make the nonce now: it is then always in the header

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        # A view's own @csp_replace/@csp_update decorators still win; otherwise /admin/
        # gets the admin policy, in whichever header (enforced or report-only) is in use.
        match = getattr(request, "resolver_match", None)
        signing_in = match is not None and match.url_name in SIGN_IN_VIEWS
        if parts.config is None and is_admin_path(request.path_info) and not signing_in:
            enforcing = bool(getattr(settings, "CONTENT_SECURITY_POLICY", None))
            if report_only != enforcing:
                parts.config = dict(settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"])
        return parts
