"""Admin screens for Finance (donations, monthly gifts, ledger: read-only lists with filters and
CSV/XLSX export, a refund action) and for Moderators (messages of hope).

Nobody edits, adds or deletes these records through the admin, not even a superuser: money
changes through services only, and the ledger is append-only. Finance sees public titles of
needs and stories, never a pseudonym or a case code; moderators never see amounts.
"""

from __future__ import annotations

from collections import OrderedDict

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import HeaderButton
from wagtail.coreutils import multigetattr
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy

from cms.donations import admin_views
from cms.donations.amounts import amount_display
from cms.donations.currencies import CURRENCY_CHOICES
from cms.donations.models import Donation, Fund, HopeMessage, LedgerEntry, MonthlyGift
from cms.donations.selectors import (
    donation_refundable_minor,
    fund_labels,
    hope_messages_for_moderation,
)

WRITE_ACTIONS = frozenset({"add", "change", "delete"})


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Only "view" (and the model's custom permissions) can ever be held through the admin."""

    def user_has_permission(self, user, action):
        return action not in WRITE_ACTIONS and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = [action for action in actions if action not in WRITE_ACTIONS]
        if not actions:
            return get_user_model().objects.none()
        return super().users_with_any_permission(actions)


# --------------------------------------------------------------------------------------
# Fund labels in lists and exports, without a query per row
# --------------------------------------------------------------------------------------


def with_fund_titles(queryset, fund: str):
    """Annotate the public titles a fund label is made of (default-locale copies)."""
    from stories.models import StoryNeed

    needs = StoryNeed.objects.filter(translation_key=OuterRef(f"{fund}__key")).order_by("locale_id")
    pages = Page.objects.filter(translation_key=OuterRef(f"{fund}__key")).order_by("locale_id")
    return queryset.select_related(fund).annotate(
        fund_need_title=Subquery(needs.values("title")[:1]),
        fund_story_title=Subquery(needs.values("page__title")[:1]),
        fund_page_title=Subquery(pages.values("title")[:1]),
    )


def annotated_fund_label(row, fund: Fund) -> str:
    if fund.kind == Fund.Kind.GENERAL:
        label = str(_("General survivor fund"))
    elif fund.kind == Fund.Kind.NEED and getattr(row, "fund_need_title", None):
        label = str(_("Need: %(need)s (story: %(story)s)")) % {
            "need": row.fund_need_title,
            "story": row.fund_story_title,
        }
    elif fund.kind == Fund.Kind.STORY and getattr(row, "fund_page_title", None):
        label = str(_("Story's general needs: %(story)s")) % {"story": row.fund_page_title}
    elif fund.kind == Fund.Kind.CAMPAIGN and getattr(row, "fund_page_title", None):
        label = str(_("Campaign: %(campaign)s")) % {"campaign": row.fund_page_title}
    else:
        return fund_labels([fund])[fund.pk]
    return label + (" — " + str(_("closed")) if fund.is_closed else "")


def _recorded_column(label, *, url_name: str | None = None, with_time: bool = True) -> Column:
    """When a row was recorded (its ``created_at``, in the site's time zone), sortable; a
    link to the row's inspect view when ``url_name`` is given."""
    pattern = "%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d"

    def accessor(row) -> str:
        return timezone.localtime(row.created_at).strftime(pattern)

    if url_name:
        return TitleColumn("created_at", label=label, accessor=accessor, url_name=url_name)
    return Column("created_at", label=label, accessor=accessor)


def _money(minor: int, currency: str) -> str:
    return f"{amount_display(minor, currency)} {currency}"


class ComputedExportMixin:
    """``list_export`` names found in ``computed`` are produced by a function of the row."""

    computed: dict = {}

    def to_row_dict(self, item):
        return OrderedDict(
            (
                name,
                self.computed[name](item) if name in self.computed else multigetattr(item, name),
            )
            for name in self.list_export
        )


# --------------------------------------------------------------------------------------
# Donations
# --------------------------------------------------------------------------------------


class DonationFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Donation.Status.choices, empty_label=_("All")
    )
    frequency = django_filters.ChoiceFilter(
        label=_("Frequency"), choices=Donation.Frequency.choices, empty_label=_("All")
    )
    currency = django_filters.ChoiceFilter(
        label=_("Currency"), choices=CURRENCY_CHOICES, empty_label=_("All")
    )
    given_to = django_filters.ChoiceFilter(
        label=_("Given to"),
        field_name="target__kind",
        choices=Fund.Kind.choices,
        empty_label=_("All"),
    )
    dispute = django_filters.ChoiceFilter(
        label=_("Dispute"),
        choices=[(value, label) for value, label in Donation.Dispute.choices if value],
        empty_label=_("All"),
    )
    created_at = django_filters.DateFromToRangeFilter(
        label=_("Created"), widget=DateRangePickerWidget
    )

    class Meta:
        model = Donation
        fields = ["status", "frequency", "currency", "given_to", "dispute", "created_at"]


class DonationIndexView(ComputedExportMixin, generic.IndexView):
    computed = {
        "amount": lambda d: str(d.target and amount_display(d.amount_minor, d.currency)),
        "given_to": lambda d: annotated_fund_label(d, d.target),
    }

    def get_base_queryset(self):
        return with_fund_titles(super().get_base_queryset(), "target")


class DonationInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        return with_fund_titles(Donation.objects.all(), "target").get(pk=self.pk)

    def get_amount_minor_display_value(self):
        return _money(self.object.amount_minor, self.object.currency)

    def get_target_display_value(self):
        return annotated_fund_label(self.object, self.object.target)

    def get_ledger_display_value(self):
        rows = [
            format_html(
                "{}: {} — {}{}",
                entry.get_kind_display(),
                _money(entry.amount_minor, entry.currency),
                label,
                f" ({entry.reason})" if entry.reason else "",
            )
            for entry, label in _entries_with_labels(self.object)
        ]
        return format_html("<br>".join(["{}"] * len(rows)), *rows) if rows else "-"

    def get_context_for_field(self, field_name):
        if field_name == "ledger":
            return {
                "label": _("Ledger"),
                "value": self.get_ledger_display_value(),
                "component": None,
            }
        return super().get_context_for_field(field_name)

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        user = self.request.user
        if user.has_perm("donations.refund_donation") and donation_refundable_minor(self.object):
            buttons.append(
                HeaderButton(
                    _("Refund"),
                    url=reverse("donations_finance:refund", args=[self.object.pk]),
                    icon_name="undo",
                    priority=30,
                )
            )
        return buttons


def _entries_with_labels(donation: Donation):
    entries = list(donation.ledger_entries.select_related("fund").order_by("pk"))
    labels = fund_labels({entry.fund for entry in entries})
    return [(entry, labels[entry.fund_id]) for entry in entries]


class ReadOnlyViewSet(ModelViewSet):
    """No add, edit or delete screen is reachable (ReadOnlyPermissionPolicy); Wagtail still
    wants to know which fields such a form would have: none."""

    form_fields = []
    # Donations are not "used" by pages: indexing their references would only cost writes.
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True


class DonationViewSet(ReadOnlyViewSet):
    model = Donation
    icon = "tasks"
    menu_label = _("Donations")
    menu_order = 100
    index_view_class = DonationIndexView
    inspect_view_class = DonationInspectView
    filterset_class = DonationFilterSet
    search_fields = ["email", "stripe_payment_intent_id", "stripe_checkout_session_id"]
    search_backend_name = None
    list_per_page = 50
    list_display = [
        _recorded_column(_("Created"), url_name="donations_finance:inspect"),
        Column("amount", label=_("Amount"), accessor=lambda d: _money(d.amount_minor, d.currency)),
        Column(
            "given_to", label=_("Given to"), accessor=lambda d: annotated_fund_label(d, d.target)
        ),
        Column("status", label=_("Status"), accessor="get_status_display"),
        Column("frequency", label=_("Frequency"), accessor="get_frequency_display"),
        Column("dispute", label=_("Dispute"), accessor="get_dispute_display"),
    ]
    # No donor email in exports: a spreadsheet of addresses is a leak waiting to happen.
    list_export = [
        "pk",
        "created_at",
        "paid_at",
        "status",
        "frequency",
        "amount_minor",
        "amount",
        "currency",
        "target.kind",
        "given_to",
        "on_withdrawal",
        "dispute",
        "refund_reason",
        "stripe_payment_intent_id",
    ]
    export_headings = {
        "pk": _("Reference"),
        "amount_minor": _("Amount (minor units)"),
        "amount": _("Amount"),
        "target.kind": _("Fund kind"),
        "given_to": _("Given to"),
        "stripe_payment_intent_id": _("Stripe payment"),
    }
    export_filename = "donations"
    inspect_view_fields = [
        "pk",
        "created_at",
        "paid_at",
        "status",
        "dispute",
        "frequency",
        "amount_minor",
        "target",
        "on_withdrawal",
        "refund_reason",
        "email",
        "language",
        "stripe_checkout_session_id",
        "stripe_payment_intent_id",
        "stripe_charge_id",
        "stripe_invoice_id",
        "ledger",
    ]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("refund/<uuid:pk>/", admin_views.donation_refund_view, name="refund"),
        ]


class MonthlyGiftViewSet(ReadOnlyViewSet):
    model = MonthlyGift
    icon = "repeat"
    menu_label = _("Monthly gifts")
    menu_order = 110
    list_filter = ["status", "currency"]
    list_display = [
        _recorded_column(_("Created"), url_name="monthly_gifts:inspect", with_time=False),
        Column(
            "amount", label=_("Each month"), accessor=lambda g: _money(g.amount_minor, g.currency)
        ),
        Column("status", label=_("Status"), accessor="get_status_display"),
        DateColumn("activated_at", label=_("Started")),
        DateColumn("cancelled_at", label=_("Ended")),
    ]
    inspect_view_fields = [
        "pk",
        "created_at",
        "status",
        "amount_minor",
        "currency",
        "email",
        "language",
        "activated_at",
        "cancelled_at",
        "stripe_subscription_id",
        "stripe_customer_id",
    ]


# --------------------------------------------------------------------------------------
# The ledger
# --------------------------------------------------------------------------------------


class LedgerFilterSet(WagtailFilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=LedgerEntry.Kind.choices, empty_label=_("All")
    )
    currency = django_filters.ChoiceFilter(
        label=_("Currency"), choices=CURRENCY_CHOICES, empty_label=_("All")
    )
    fund_kind = django_filters.ChoiceFilter(
        label=_("Fund"), field_name="fund__kind", choices=Fund.Kind.choices, empty_label=_("All")
    )
    created_at = django_filters.DateFromToRangeFilter(
        label=_("Recorded"), widget=DateRangePickerWidget
    )

    class Meta:
        model = LedgerEntry
        fields = ["kind", "currency", "fund_kind", "created_at"]


class LedgerIndexView(ComputedExportMixin, generic.IndexView):
    computed = {
        "amount": lambda e: amount_display(e.amount_minor, e.currency, grouping=False),
        "fund_label": lambda e: annotated_fund_label(e, e.fund),
    }

    def get_base_queryset(self):
        return with_fund_titles(super().get_base_queryset(), "fund")


class LedgerEntryViewSet(ReadOnlyViewSet):
    model = LedgerEntry
    icon = "list-ul"
    menu_label = _("Ledger")
    menu_order = 120
    inspect_view_enabled = False
    index_view_class = LedgerIndexView
    filterset_class = LedgerFilterSet
    list_per_page = 100
    list_display = [
        _recorded_column(_("Recorded")),
        Column("kind", label=_("Kind"), accessor="get_kind_display"),
        Column("amount", label=_("Amount"), accessor=lambda e: _money(e.amount_minor, e.currency)),
        Column("fund", label=_("Fund"), accessor=lambda e: annotated_fund_label(e, e.fund)),
        TitleColumn(
            "donation",
            label=_("Donation"),
            accessor=lambda e: str(e.donation_id)[:8],
            get_url=lambda e: reverse("donations_finance:inspect", args=[e.donation_id]),
        ),
        Column("reason", label=_("Why")),
    ]
    list_export = [
        "pk",
        "created_at",
        "kind",
        "amount_minor",
        "amount",
        "currency",
        "fund.kind",
        "fund.key",
        "fund_label",
        "donation_id",
        "stripe_ref",
        "reason",
    ]
    export_headings = {
        "pk": _("Entry"),
        "amount_minor": _("Amount (minor units)"),
        "amount": _("Amount"),
        "fund.kind": _("Fund kind"),
        "fund.key": _("Fund key"),
        "fund_label": _("Fund"),
        "donation_id": _("Donation"),
        "stripe_ref": _("Stripe reference"),
    }
    export_filename = "ledger"


class FinanceGroup(ModelViewSetGroup):
    menu_label = _("Donations")
    menu_icon = "tasks"
    menu_order = 250
    items = (
        DonationViewSet("donations_finance", url_prefix="finance/donations"),
        MonthlyGiftViewSet("monthly_gifts", url_prefix="finance/monthly-gifts"),
        LedgerEntryViewSet("ledger", url_prefix="finance/ledger"),
    )


# --------------------------------------------------------------------------------------
# Messages of hope (Moderators)
# --------------------------------------------------------------------------------------


class HopeMessageInspectView(generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(hope_messages_for_moderation(), pk=self.pk)

    def get_findings_display_value(self):
        kinds = sorted({finding.get("kind", "") for finding in self.object.findings})
        return ", ".join(kinds) if kinds else _("Nothing found")

    def get_fund_display_value(self):
        return fund_labels([self.object.fund])[self.object.fund_id]

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if (
            self.request.user.has_perm("donations.moderate_hopemessage")
            and self.object.status != HopeMessage.Status.REJECTED
        ):
            buttons.append(
                HeaderButton(
                    _("Approve or reject"),
                    url=reverse("hope_messages:moderate", args=[self.object.pk]),
                    icon_name="tick",
                    priority=30,
                )
            )
        return buttons


class HopeMessageIndexView(generic.IndexView):
    def get_base_queryset(self):
        return hope_messages_for_moderation()

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.request.user.has_perm("donations.moderate_hopemessage"):
            buttons.append(
                HeaderButton(
                    _("Moderation queue"),
                    url=reverse("hope_messages:bulk"),
                    icon_name="tasks",
                    priority=30,
                )
            )
        return buttons


class HopeMessageViewSet(ReadOnlyViewSet):
    model = HopeMessage
    icon = "comment"
    menu_label = _("Messages of hope")
    menu_order = 260
    add_to_admin_menu = True
    index_view_class = HopeMessageIndexView
    inspect_view_class = HopeMessageInspectView
    list_filter = ["status"]
    list_display = [
        _recorded_column(_("Received"), url_name="hope_messages:inspect"),
        Column("display_name", label=_("Name shown")),
        Column(
            "text",
            label=_("Message"),
            accessor=lambda m: (m.text[:80] + "…") if len(m.text) > 80 else m.text,
        ),
        Column(
            "findings",
            label=_("Scanner"),
            accessor=lambda m: (
                _("Check: %(kinds)s")
                % {"kinds": ", ".join(sorted({f.get("kind", "") for f in m.findings}))}
                if m.findings
                else ""
            ),
        ),
        Column("status", label=_("Status"), accessor="get_status_display"),
    ]
    inspect_view_fields = [
        "created_at",
        "status",
        "display_name",
        "text",
        "findings",
        "fund",
        "language",
    ]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("moderate/<int:pk>/", admin_views.hope_message_moderate_view, name="moderate"),
            path("queue/", admin_views.hope_message_bulk_view, name="bulk"),
        ]


donations_finance = FinanceGroup()
hope_messages = HopeMessageViewSet("hope_messages", url_prefix="messages-of-hope")
