"""The #igivehope sign-up form and the message-of-hope form. Validation only.

Both carry a honeypot (``website``: hidden by CSS and from assistive technology) and length
limits; rate limits are counted in the view. Errors follow the GOV.UK pattern: they say what
to do, and appear in the summary and next to the field.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

MESSAGE_MAX = 280
NAME_MAX = 40


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class _SummaryMixin:
    def error_list(self) -> list[tuple[str, str]]:
        """``(field id, message)`` pairs for the error summary, in field order."""
        items = [
            (self[name].auto_id, message)
            for name in self.fields
            for message in self.errors.get(name, [])
        ]
        items += [("", message) for message in self.non_field_errors()]
        return items

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get(self.add_prefix("website")))


def _honeypot() -> forms.CharField:
    return forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class SignupForm(_SummaryMixin, forms.Form):
    prefix = "signup"

    email = forms.EmailField(
        label=_("Email address"),
        help_text=_(
            "We send you a link to confirm, then one email at the moment. Nothing else, and "
            "you can leave at any time."
        ),
        max_length=254,
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "spellcheck": "false", "class": "form-input"}
        ),
        error_messages={
            "required": _("Enter your email address."),
            "invalid": _("Enter an email address in the correct format, like name@example.org."),
        },
    )
    language = forms.ChoiceField(
        label=_("Language of your emails"),
        choices=settings.LANGUAGES,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={
            "required": _("Choose a language."),
            "invalid_choice": _("Choose a language."),
        },
    )
    time_zone = forms.CharField(
        label=_("Your time zone (optional)"),
        help_text=_("Like Asia/Bangkok. Leave it empty and we show the time in UTC."),
        required=False,
        max_length=64,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "form-input"}
        ),
    )
    website = _honeypot()

    def clean_time_zone(self) -> str:
        value = self.cleaned_data["time_zone"].strip()
        if value and value not in _time_zones():
            raise forms.ValidationError(
                _("Enter a time zone like Asia/Bangkok or Europe/London, or leave it empty.")
            )
        return value


class HopeMessageForm(_SummaryMixin, forms.Form):
    prefix = "hope"

    display_name = forms.CharField(
        label=_("Your first name (optional)"),
        help_text=_("Leave it empty to be shown as “Anonymous”."),
        required=False,
        max_length=NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "given-name", "class": "form-input"}),
        error_messages={"max_length": _("Use %(limit_value)d characters or fewer.")},
    )
    message = forms.CharField(
        label=_("Your message of hope"),
        help_text=_(
            "Up to 280 characters. A person reads it before it appears. Please do not write "
            "names, places or contact details."
        ),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-input"}),
        error_messages={
            "required": _("Write your message of hope."),
            "max_length": _("Use %(limit_value)d characters or fewer."),
        },
    )
    website = _honeypot()

    def clean_message(self) -> str:
        value = " ".join(self.cleaned_data["message"].split())
        if len(value) < 2:
            raise forms.ValidationError(_("Write your message of hope."))
        return value
