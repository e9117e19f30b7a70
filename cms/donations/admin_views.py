"""Admin actions that change something: a refund (Finance) and moderating a message of hope
(Moderators). Each checks its own permission; the services do the work."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from wagtail.log_actions import log

from cms.donations import services
from cms.donations.amounts import AmountError, amount_display, amount_parse
from cms.donations.models import Donation
from cms.donations.selectors import donation_refundable_minor, hope_messages_for_moderation


class RefundForm(forms.Form):
    amount = forms.CharField(
        label=gettext_lazy("Amount to refund"),
        required=False,
        help_text=gettext_lazy("Leave empty to refund everything that can still be refunded."),
    )

    def __init__(self, *args, donation: Donation, refundable: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.donation, self.refundable = donation, refundable

    def clean_amount(self):
        typed = self.cleaned_data["amount"].strip()
        if not typed:
            return None
        try:
            minor = amount_parse(typed, self.donation.currency)
        except AmountError:
            minor = None
        if minor is None or minor > self.refundable:
            raise forms.ValidationError(
                _("Enter an amount up to %(amount)s %(currency)s.")
                % {
                    "amount": amount_display(self.refundable, self.donation.currency),
                    "currency": self.donation.currency,
                }
            )
        return minor


@require_http_methods(["GET", "POST"])
def donation_refund_view(request, pk):
    if not request.user.has_perm("donations.refund_donation"):
        raise PermissionDenied
    donation = get_object_or_404(Donation, pk=pk)
    refundable = donation_refundable_minor(donation)
    inspect_url = reverse("donations_finance:inspect", args=[donation.pk])
    form = RefundForm(request.POST or None, donation=donation, refundable=refundable)
    if request.method == "POST" and form.is_valid():
        try:
            amount = services.donation_refund(
                donation=donation, by=request.user, amount_minor=form.cleaned_data["amount"]
            )
        except services.RefundNotPossible as error:
            messages.error(request, str(error))
        except services.DonationsUnavailable:
            messages.error(request, _("Stripe cannot be reached right now: nothing was refunded."))
        else:
            log(instance=donation, action="donations.refund", user=request.user)
            messages.success(
                request,
                _("Refunded %(amount)s %(currency)s.")
                % {
                    "amount": amount_display(amount, donation.currency),
                    "currency": donation.currency,
                },
            )
            return redirect(inspect_url)
    return TemplateResponse(
        request,
        "donations/admin/refund.html",
        {
            "donation": donation,
            "form": form,
            "refundable": f"{amount_display(refundable, donation.currency)} {donation.currency}",
            "inspect_url": inspect_url,
        },
    )


@require_http_methods(["GET", "POST"])
def hope_message_moderate_view(request, pk):
    if not request.user.has_perm("donations.moderate_hopemessage"):
        raise PermissionDenied
    message = get_object_or_404(hope_messages_for_moderation(), pk=pk)
    inspect_url = reverse("hope_messages:inspect", args=[message.pk])
    blocked = []
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision in {"approve", "reject"}:
            try:
                services.hope_message_moderate(
                    message=message, approve=decision == "approve", by=request.user
                )
            except services.HopeMessageBlocked as refusal:
                blocked = refusal.kinds
                messages.error(request, _blocked_text(refusal.kinds))
            else:
                messages.success(
                    request,
                    _("Message approved.") if decision == "approve" else _("Message rejected."),
                )
                return redirect(inspect_url)
    return TemplateResponse(
        request,
        "donations/admin/moderate.html",
        {"message": message, "inspect_url": inspect_url, "blocked": blocked},
    )


def _blocked_text(kinds: list[str]) -> str:
    return _("This message cannot be approved: the scanner found %(kinds)s. Reject it.") % {
        "kinds": ", ".join(kinds)
    }


@require_http_methods(["GET", "POST"])
def hope_message_bulk_view(request):
    """The moderation queue: approve or reject many waiting messages at once. Messages with
    blocking findings are never approved; they are listed by kind instead."""
    if not request.user.has_perm("donations.moderate_hopemessage"):
        raise PermissionDenied
    waiting = hope_messages_for_moderation().filter(status="pending").order_by("created_at")
    if request.method == "POST":
        decision = request.POST.get("decision")
        ids = [int(pk) for pk in request.POST.getlist("message") if pk.isdigit()]
        if decision in {"approve", "reject"} and ids:
            done = 0
            for message in waiting.filter(pk__in=ids).select_related("fund"):
                try:
                    services.hope_message_moderate(
                        message=message, approve=decision == "approve", by=request.user
                    )
                    done += 1
                except services.HopeMessageBlocked as refusal:
                    messages.error(request, _blocked_text(refusal.kinds))
            if done:
                messages.success(
                    request,
                    (
                        _("%(count)d messages approved.")
                        if decision == "approve"
                        else _("%(count)d messages rejected.")
                    )
                    % {"count": done},
                )
        return redirect(reverse("hope_messages:bulk"))
    return TemplateResponse(
        request, "donations/admin/moderate_bulk.html", {"waiting": waiting[:200]}
    )
