"""Public donation pages and the Stripe webhook. Thin: forms validate, services act.

URLs (``cms/donations/urls.py``, under ``/donate/`` in every language, e.g. ``/th/donate/``):

- ``/donate/`` the general survivor fund (one-off or monthly); ``?need=<key>`` and
  ``?story=<key>`` redirect to the two below;
- ``/donate/need/<need translation_key>/`` a need; ``/donate/story/<story translation_key>/``
  a story's general needs; ``/donate/campaign/<campaign translation_key>/`` a campaign;
- ``/donate/thanks/?session_id=…`` and ``/donate/cancelled/``, where Stripe sends donors back;
- ``/donate/monthly/`` ask for a link to manage a monthly gift; ``/donate/monthly/<token>/``
  the emailed link, which opens Stripe's billing portal;
- ``/donate/follow/<story translation_key>/`` where donor emails link: the story while live.

The webhook is ``/webhooks/stripe/`` (no language prefix), in ``cms/urls.py``.
"""

from __future__ import annotations

import logging
import re
from uuid import UUID

from django.http import (
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cms.donations import emails, ratelimit, services, targets
from cms.donations import stripe_gateway as gateway
from cms.donations.amounts import AmountError, currency_for_language, enabled_currencies
from cms.donations.forms import DonationForm, ManageRequestForm
from cms.donations.models import Donation, Fund, MonthlyGift
from cms.donations.selectors import needs_funded_minor, story_follow_url
from cms.donations.webhooks import event_process

logger = logging.getLogger(__name__)

SESSION_ID = re.compile(r"cs_[A-Za-z0-9_]{1,250}")


class SeeOther(HttpResponseRedirect):
    status_code = 303  # after a POST, the browser follows with a GET


def _currency(request, target: targets.Target) -> str:
    if target.fixed_currency:
        return target.fixed_currency
    asked = (request.POST.get("currency") or request.GET.get("currency") or "").upper()
    if asked in enabled_currencies():
        return asked
    return currency_for_language(translation.get_language())


def _need_context(target: targets.Target) -> dict:
    """Facts the donate page shows about a need: its progress and where extra money goes."""
    if target.need is None:
        return {}
    from cms.donations import ledger

    funded = needs_funded_minor(need_keys=[target.key])[target.key]
    goal = target.need.goal_minor
    fund = ledger.fund_get(kind=Fund.Kind.NEED, key=target.key)
    next_needs = ledger.overflow_needs(fund, target.need.currency)
    return {
        "funded_minor": funded,
        "goal_minor": goal,
        "percent": min(100, funded * 100 // goal) if goal else 0,
        "need_is_met": funded >= goal or target.need.status != "open",
        "overflow_to_next_need": bool(next_needs),
    }


def _render_form(request, target, form, *, available=True, status=200, limited=False):
    currency = form.currency_code
    form.describe_fields()
    context = {
        "target": target,
        "form": form,
        "errors": form.error_list() if form.is_bound else [],
        "available": available,
        "rate_limited": limited,
        "currencies": [] if target.fixed_currency else enabled_currencies(),
        "currency": currency,
        **_need_context(target),
    }
    return render(request, "pages/donate.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def donate_general(request):
    for parameter, name in (("need", "donations:need"), ("story", "donations:story")):
        if value := request.GET.get(parameter):
            try:
                return redirect(name, UUID(value))
            except ValueError:
                raise Http404 from None
    return _donate(request, targets.GENERAL)


def _resolved(target: targets.Target | None) -> targets.Target:
    if target is None:
        raise Http404
    return target


@never_cache
@require_http_methods(["GET", "POST"])
def donate_need(request, need_key: UUID):
    return _donate(request, _resolved(targets.target_for_need(need_key)))


@never_cache
@require_http_methods(["GET", "POST"])
def donate_story(request, story_key: UUID):
    return _donate(request, _resolved(targets.target_for_story(story_key)))


@never_cache
@require_http_methods(["GET", "POST"])
def donate_campaign(request, campaign_key: UUID):
    return _donate(request, _resolved(targets.target_for_campaign(campaign_key)))


def _donate(request, target: targets.Target):
    currency = _currency(request, target)
    if request.method == "GET":
        form = DonationForm(target=target, currency=currency)
        return _render_form(request, target, form, available=gateway.is_available())
    form = DonationForm(request.POST, target=target, currency=currency)
    if form.is_spam:
        return HttpResponseBadRequest()
    if not form.is_valid():
        return _render_form(request, target, form)
    if not ratelimit.checkout_allowed(request):
        return _render_form(request, target, form, status=429, limited=True)
    data = form.cleaned_data
    try:
        started = services.checkout_begin(
            target=target,
            monthly=data["monthly"],
            amount_minor=data["amount_minor"],
            currency=data["currency"],
            email=data["email"],
            language=translation.get_language(),
            on_withdrawal=data["on_withdrawal"],
            updates_opt_in=data.get("updates_opt_in", False),
            display_name=data["display_name"],
            message=data["message"],
        )
    except AmountError as error:
        form.add_error("other_amount", str(error))
        return _render_form(request, target, form)
    except services.DonationsUnavailable:
        return _render_form(request, target, form, available=False, status=503)
    return SeeOther(started.url)


@never_cache
@require_GET
def thanks(request):
    session_id = request.GET.get("session_id", "")
    if not SESSION_ID.fullmatch(session_id):
        raise Http404
    confirmed = None
    try:
        record = services.donation_fulfil(session_id=session_id)
    except gateway.StripeUnavailable:
        # The webhook will record it; the donor hears from us by email.
        record = (
            Donation.objects.filter(stripe_checkout_session_id=session_id).first()
            or MonthlyGift.objects.filter(stripe_checkout_session_id=session_id).first()
        )
    if record is None:
        raise Http404
    if isinstance(record, Donation):
        confirmed = record.is_paid
    else:
        confirmed = record.status == MonthlyGift.Status.ACTIVE
    return render(
        request,
        "pages/donate_thanks.html",
        {
            "confirmed": confirmed,
            "monthly": isinstance(record, MonthlyGift),
            "failed": isinstance(record, Donation)
            and record.status in {Donation.Status.FAILED, Donation.Status.EXPIRED},
        },
    )


@require_GET
def cancelled(request):
    return render(request, "pages/donate_cancelled.html")


@never_cache
@require_http_methods(["GET", "POST"])
def manage(request):
    if request.method == "GET":
        return render(request, "pages/donate_manage.html", {"form": ManageRequestForm()})
    form = ManageRequestForm(request.POST)
    if not form.is_valid():
        form.describe_fields()
        return render(
            request, "pages/donate_manage.html", {"form": form, "errors": form.error_list()}
        )
    if not ratelimit.manage_link_allowed(request):
        return render(
            request, "pages/donate_manage.html", {"form": form, "rate_limited": True}, status=429
        )
    services.monthly_manage_link_request(
        email=form.cleaned_data["email"], language=translation.get_language()
    )
    # The same answer whether or not the address gives monthly.
    return render(request, "pages/donate_manage.html", {"sent": True})


@never_cache
@require_http_methods(["GET", "POST"])
def manage_open(request, token: str):
    # GET shows a button; only the POST asks Stripe, so mail scanners that follow links do
    # not open billing sessions.
    if request.method == "GET":
        valid = emails.manage_token_read(token) is not None
        return render(request, "pages/donate_manage_open.html", {"valid": valid})
    try:
        url = services.monthly_manage_portal_url(token=token, language=translation.get_language())
    except services.DonationsUnavailable:
        return render(
            request,
            "pages/donate_manage_open.html",
            {"valid": True, "unavailable": True},
            status=503,
        )
    if url is None:
        return render(request, "pages/donate_manage_open.html", {"valid": False})
    return SeeOther(url)


@require_GET
def follow(request, story_key: UUID):
    url = story_follow_url(story_key=story_key)
    if url is None:
        return render(request, "pages/donate_story_gone.html", status=404)
    return redirect(url)


@csrf_exempt  # Stripe cannot send our CSRF token; the signature check replaces it
@require_POST
def stripe_webhook(request):
    try:
        event = gateway.webhook_event_verify(
            payload=request.body, signature=request.headers.get("Stripe-Signature")
        )
    except gateway.WebhookInvalid as error:
        logger.warning("Webhook refused: %s", error)
        return HttpResponseBadRequest()
    try:
        outcome = event_process(event)
    except gateway.StripeUnavailable:
        # Not recorded: Stripe delivers the event again later.
        return HttpResponse(status=503)
    return JsonResponse({"received": True, "outcome": outcome})
