"""Public campaign views: the forms on campaign pages (``/campaigns/<page id>/forms/``), and
the signed links in supporters' emails (``/campaigns/confirm/<token>/``,
``/campaigns/leave/<token>/``), in every language.

The page forms carry no CSRF token, so campaign pages set no cookie and every visitor can be
served the cached page (cms/core/page_cache.py). CSRF protects what a signed-in victim's
browser may do with their session; these forms use no session and no sign-in, and anyone
may send them directly. They are guarded instead by an Origin check, the rate limit, the
honeypot, double opt-in (sign-ups) and moderation (messages).

Email links show a page with one button; the change happens on POST. Mail scanners that
open links therefore cannot confirm or unsubscribe anyone. None of these responses is cached.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from wagtail.models import Page

from campaigns import services, tokens
from campaigns.forms import HopeMessageForm, SignupForm
from campaigns.models import CampaignPage, IGiveHopePage
from cms.donations.ratelimit import allow


def _allowed(request) -> bool:
    limits = settings.CAMPAIGN_RATE_LIMITS
    return allow(
        request,
        scope="campaign",
        per_ip_per_minute=limits["per_ip_per_minute"],
        per_ip_per_hour=limits["per_ip_per_hour"],
    )


def _back(page, request, sent: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{page.get_url(request)}?{urlencode({'sent': sent})}#{sent}")


def _render_page(request, page, status: int):
    """The page itself with the bound forms (``Page.serve``: not our POST branch)."""
    response = Page.serve(page, request)
    response.status_code = status
    return response


def _same_origin(request) -> bool:
    """A browser sends Origin with a form POST; another site's page must not post here."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.get_host()


@csrf_exempt  # see the module docstring
@never_cache
@require_POST
def campaign_form_post(request, page_id: int):
    """A campaign page's form was posted: a sign-up (#igivehope) or a message of hope.

    Success redirects back with ``?sent=…`` (post/redirect/get); errors re-render the page
    with the error summary. Bots that fill the honeypot are answered as if it worked.
    """
    if not _same_origin(request):
        return HttpResponseForbidden()
    page = get_object_or_404(CampaignPage.objects.live().public(), pk=page_id).specific
    language = translation.get_language()
    if "signup-email" in request.POST and isinstance(page, IGiveHopePage):
        form = SignupForm(request.POST)
        if form.is_spam:
            return _back(page, request, "signup")
        if not _allowed(request):
            request.campaign_rate_limited = True
            return _render_page(request, page, status=429)
        if form.is_valid():
            try:
                services.supporter_sign_up(
                    page=page,
                    email=form.cleaned_data["email"],
                    language=form.cleaned_data["language"],
                    time_zone=form.cleaned_data["time_zone"],
                )
            except services.SignupClosed:
                form.add_error(None, _("The moment has passed: sign-ups are closed."))
            else:
                return _back(page, request, "signup")
        request.campaign_signup_form = form
        return _render_page(request, page, status=400)
    form = HopeMessageForm(request.POST)
    if form.is_spam:
        return _back(page, request, "message")
    if not _allowed(request):
        request.campaign_rate_limited = True
        return _render_page(request, page, status=429)
    if form.is_valid():
        services.hope_message_submit(
            page=page,
            display_name=form.cleaned_data["display_name"],
            text=form.cleaned_data["message"],
            language=language,
        )
        return _back(page, request, "message")
    request.campaign_message_form = form
    return _render_page(request, page, status=400)


def _link_page(request, *, title: str, message: str, status: int = 200, **extra):
    return TemplateResponse(
        request,
        "pages/campaign_link.html",
        {"title": title, "message": message, **extra},
        status=status,
    )


def _bad_link(request, error: Exception):
    if isinstance(error, tokens.LinkExpired):
        return _link_page(
            request,
            title=_("This link has expired"),
            message=_(
                "Confirmation links work for a few days. Sign up again on the campaign page "
                "and we will send you a new one."
            ),
            status=400,
        )
    return _link_page(
        request,
        title=_("This link does not work"),
        message=_(
            "It may have been copied incompletely. Open it again from your email, or sign up "
            "again on the campaign page."
        ),
        status=400,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def supporter_confirm(request, token: str):
    try:
        supporter_id = tokens.confirm_token_read(token)
    except (tokens.LinkExpired, tokens.LinkInvalid) as error:
        return _bad_link(request, error)
    if request.method == "GET":
        return _link_page(
            request,
            title=_("Confirm your place in the moment"),
            message=_("One more step: press the button to be counted."),
            button=_("Confirm"),
        )
    result = services.supporter_confirm(supporter_id=supporter_id)
    texts = {
        services.ConfirmResult.CONFIRMED: (
            _("You are counted. Thank you!"),
            _("At the moment, we will send you one email with links to share your hope."),
        ),
        services.ConfirmResult.ALREADY: (
            _("You were already counted"),
            _("Nothing has changed: we count each supporter once."),
        ),
        services.ConfirmResult.LEFT: (
            _("You have left this campaign"),
            _("To take part again, sign up again on the campaign page."),
        ),
        services.ConfirmResult.CLOSED: (
            _("The moment has passed"),
            _("Thank you for wanting to take part. Sign-ups for this moment are closed."),
        ),
        services.ConfirmResult.UNKNOWN: (
            _("This link does not work"),
            _("Sign up again on the campaign page."),
        ),
    }
    title, message = texts[result]
    status = 400 if result == services.ConfirmResult.UNKNOWN else 200
    return _link_page(request, title=title, message=message, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def supporter_leave(request, token: str):
    try:
        supporter_id = tokens.leave_token_read(token)
    except (tokens.LinkExpired, tokens.LinkInvalid) as error:
        return _bad_link(request, error)
    if request.method == "GET":
        return _link_page(
            request,
            title=_("Leave this campaign?"),
            message=_(
                "We will not email you about it again, and your address will be deleted "
                "when the campaign's data is cleared."
            ),
            button=_("Leave the campaign"),
        )
    services.supporter_leave(supporter_id=supporter_id)
    return _link_page(
        request,
        title=_("You have left the campaign"),
        message=_("We will not email you about it again."),
    )
