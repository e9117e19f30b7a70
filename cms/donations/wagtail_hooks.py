"""Registers the donations admin: finance screens, messages of hope, the refund log action.
The screens themselves are in viewsets.py."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from cms.donations.models import Donation, HopeMessage, LedgerEntry, MonthlyGift
from cms.donations.viewsets import ReadOnlyPermissionPolicy, donations_finance, hope_messages

for _model in (Donation, MonthlyGift, LedgerEntry, HopeMessage):
    register_permission_policy(_model, ReadOnlyPermissionPolicy(_model), exact_class=True)


@hooks.register("register_admin_viewset")
def register_finance_viewsets():
    return donations_finance


@hooks.register("register_admin_viewset")
def register_hope_messages_viewset():
    return hope_messages


@hooks.register("register_log_actions")
def register_donation_log_actions(actions):
    actions.register_action("donations.refund", _("Refund"), _("Refunded through Stripe"))
