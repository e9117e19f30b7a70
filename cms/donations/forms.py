"""The donate form and the monthly-gift "manage" form. Validation only: the services decide.

Error messages follow the GOV.UK Design System: they say what to do ("Enter your email
address…"), appear in the summary at the top and next to the field.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cms.donations.amounts import (
    AmountError,
    amount_display,
    amount_parse,
    enabled_currencies,
    limits_for,
)
from cms.donations.models import WithdrawalChoice
from cms.donations.targets import Target

OTHER = "other"
ONE_OFF = "one_off"
MONTHLY = "monthly"


class DonationForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("How often?"),
        choices=[(ONE_OFF, _("Once")), (MONTHLY, _("Every month"))],
        initial=ONE_OFF,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether to give once or every month.")},
    )
    amount = forms.ChoiceField(
        label=_("How much?"),
        required=False,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _("Choose one of the amounts shown, or enter another amount.")
        },
    )
    other_amount = forms.CharField(
        label=_("Other amount"),
        required=False,
        max_length=24,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    currency = forms.ChoiceField(widget=forms.HiddenInput)
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("For your receipt. We never share it, and never with the person you help."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter your email address, so that we can send your receipt."),
            "invalid": _("Enter an email address in the correct format, like name@example.org."),
        },
    )
    display_name = forms.CharField(
        label=_("Name to show with your gift (optional)"),
        help_text=_("Leave it empty to give anonymously."),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
        error_messages={"max_length": _("Use %(limit_value)d characters or fewer.")},
    )
    message = forms.CharField(
        label=_("A message of hope (optional)"),
        help_text=_(
            "A person reads it before anyone else sees it. Please do not write names, places "
            "or contact details."
        ),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": _("Use %(limit_value)d characters or fewer.")},
    )
    on_withdrawal = forms.ChoiceField(
        label=_("If the storyteller withdraws their story"),
        help_text=_(
            "Storytellers may take their story down at any time, and their support continues. "
            "What should happen to your gift then?"
        ),
        choices=WithdrawalChoice.choices,
        initial=WithdrawalChoice.GENERAL,
        widget=forms.RadioSelect,
        required=False,
    )
    updates_opt_in = forms.BooleanField(
        label=_("Email me when there is news about this story"),
        required=False,
        initial=True,
    )
    # A honeypot: hidden from people by CSS and from screen readers; bots fill it in.
    website = forms.CharField(label=_("Leave this empty"), required=False)

    def __init__(self, *args, target: Target, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        self.currency_code = target.fixed_currency or currency
        codes = [target.fixed_currency] if target.fixed_currency else enabled_currencies()
        self.fields["currency"].choices = [(code, code) for code in codes]
        self.fields["currency"].initial = self.currency_code
        self.fields["currency"].error_messages["invalid_choice"] = _(
            "Choose one of the currencies offered."
        )
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        limits = limits_for(self.currency_code)
        self.fields["amount"].choices = [
            (str(minor), f"{amount_display(minor, self.currency_code)} {self.currency_code}")
            for minor in limits.presets
        ] + [(OTHER, _("Another amount"))]
        self.fields["amount"].initial = str(limits.presets[1 if len(limits.presets) > 1 else 0])
        self.fields["other_amount"].help_text = _(
            "In %(currency)s, from %(minimum)s to %(maximum)s."
        ) % {
            "currency": self.currency_code,
            "minimum": amount_display(limits.minimum, self.currency_code),
            "maximum": amount_display(limits.maximum, self.currency_code),
        }
        if not target.is_story:
            for name in ("on_withdrawal", "updates_opt_in"):
                del self.fields[name]

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def clean(self):
        cleaned = super().clean()
        currency = cleaned.get("currency")
        if not currency:
            return cleaned
        typed = (cleaned.get("other_amount") or "").strip()
        chosen = cleaned.get("amount") or ""
        if typed:
            # Typing an amount wins over a preset left selected.
            try:
                cleaned["amount_minor"] = amount_parse(typed, currency)
            except AmountError as error:
                self.add_error("other_amount", str(error))
        elif chosen and chosen != OTHER:
            cleaned["amount_minor"] = int(chosen)
        elif chosen == OTHER:
            self.add_error("other_amount", _("Enter the amount you want to give."))
        else:
            self.add_error("amount", _("Choose an amount, or enter another amount."))
        cleaned["monthly"] = cleaned.get("frequency") == MONTHLY
        cleaned.setdefault("on_withdrawal", WithdrawalChoice.GENERAL)
        if not cleaned.get("on_withdrawal"):
            cleaned["on_withdrawal"] = WithdrawalChoice.GENERAL
        return cleaned

    def describe_fields(self) -> None:
        """Tie hints and errors to their inputs for screen readers (aria-describedby), with
        the ids the templates give them: ``<id>_helptext`` (Django's own) and ``<id>_error``."""
        for name, field in self.fields.items():
            auto_id = self[name].auto_id
            described = []
            if field.help_text:
                described.append(f"{auto_id}_helptext")
            if self.is_bound and self.errors.get(name):
                described.append(f"{auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if described and not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["aria-describedby"] = " ".join(described)

    def error_list(self) -> list[tuple[str, str]]:
        """``(field id, message)`` pairs for the error summary, in field order."""
        items = []
        for name, field in self.fields.items():
            for message in self.errors.get(name, []):
                widget_id = field.widget.attrs.get("id") or f"id_{name}"
                if name == "currency":
                    widget_id = "currency-choice"  # the hidden input cannot take focus
                elif isinstance(field.widget, forms.RadioSelect):
                    widget_id = f"{widget_id}_0"
                items.append((widget_id, message))
        for message in self.non_field_errors():
            items.append(("", message))
        return items


class ManageRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("The email address you give with"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter the email address you give with."),
            "invalid": _("Enter an email address in the correct format, like name@example.org."),
        },
    )

    def error_list(self) -> list[tuple[str, str]]:
        return [("id_email", message) for message in self.errors.get("email", [])]

    describe_fields = DonationForm.describe_fields
