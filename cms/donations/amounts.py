"""The amount policy: which currencies, minimum and maximum, presets, and reading what a
donor typed. Plain functions over settings; the form, the services and the tests ask here.

Amounts are read with ``Decimal`` only (never ``float``) from digits and separators only, so
"NaN", "Infinity", "1e9" and negative numbers never reach arithmetic. What the visitor types
is read in their language's number format first (Vietnamese "1.000,50"), then in the other
common one (a visitor on the English site typing "25,50").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.formats import get_format, number_format
from django.utils.translation import gettext as _

from cms.donations.currencies import CURRENCIES, Currency

MAX_INPUT_LENGTH = 24
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")


class AmountError(ValueError):
    """An amount the donor must correct; ``str()`` is a message for them."""


@dataclass(frozen=True)
class AmountLimits:
    currency: Currency
    minimum: int  # minor units
    maximum: int
    presets: tuple[int, ...]


def enabled_currencies() -> list[str]:
    """Codes a donor may choose, in the configured order (unknown codes are ignored)."""
    return [
        code
        for code in settings.DONATION_CURRENCIES
        if code in CURRENCIES and code in settings.DONATION_AMOUNTS
    ]


def currency_for_language(language: str | None) -> str:
    enabled = enabled_currencies()
    code = settings.DONATION_LANGUAGE_CURRENCY.get((language or "").split("-")[0])
    if code in enabled:
        return code
    if settings.DONATION_DEFAULT_CURRENCY in enabled:
        return settings.DONATION_DEFAULT_CURRENCY
    return enabled[0]


def limits_for(code: str) -> AmountLimits:
    """Minimum, maximum and presets of a currency in minor units (``KeyError`` if unknown)."""
    currency = CURRENCIES[code]
    policy = settings.DONATION_AMOUNTS[code]
    return AmountLimits(
        currency=currency,
        minimum=currency.to_minor(Decimal(policy["minimum"])),
        maximum=currency.to_minor(Decimal(policy["maximum"])),
        presets=tuple(currency.to_minor(Decimal(value)) for value in policy["presets"]),
    )


def amount_display(minor: int, code: str, *, grouping: bool = True) -> str:
    """``1450000, "THB"`` → "14,500" in the active language's format (no symbol), showing
    decimals only when there are any."""
    currency = CURRENCIES[code]
    amount = currency.to_major(minor)
    decimals = 0 if amount == amount.to_integral_value() else currency.exponent
    return number_format(amount, decimals, force_grouping=grouping)


def _read(text: str, decimal_sep: str, group_sep: str) -> Decimal | None:
    """``text`` as a non-negative Decimal with these separators, or ``None`` if it is not
    written that way (groups must be exactly three digits)."""
    if text.count(decimal_sep) > 1:
        return None
    whole, _sep, fraction = text.partition(decimal_sep)
    if group_sep in whole:
        if not re.fullmatch(rf"\d{{1,3}}(?:{re.escape(group_sep)}\d{{3}})+", whole):
            return None
        whole = whole.replace(group_sep, "")
    if not re.fullmatch(r"\d*", whole) or not re.fullmatch(r"\d*", fraction):
        return None
    if not whole and not fraction:
        return None
    return Decimal(f"{whole or '0'}.{fraction or '0'}")


def amount_parse(text: str, code: str) -> int:
    """What a donor typed → integer minor units of ``code``, within the limits.

    Raises ``AmountError`` with a message for the donor.
    """
    limits = limits_for(code)
    currency = limits.currency
    cleaned = _SPACES.sub("", text or "")
    for marker in (currency.code, currency.code.lower(), currency.symbol):
        cleaned = cleaned.replace(marker, "")
    if not cleaned:
        raise AmountError(_("Enter an amount."))
    if len(cleaned) > MAX_INPUT_LENGTH:
        raise AmountError(_("Enter a smaller amount."))
    if cleaned.startswith("-"):
        raise AmountError(_("Enter an amount greater than zero."))
    decimal_sep = get_format("DECIMAL_SEPARATOR")
    group_sep = get_format("THOUSAND_SEPARATOR") or ("," if decimal_sep == "." else ".")
    amount = _read(cleaned, decimal_sep, group_sep) if decimal_sep != group_sep else None
    if amount is None:
        amount = _read(cleaned, group_sep, decimal_sep)
    if amount is None:
        example = amount_display(limits.presets[0] if limits.presets else limits.minimum, code)
        raise AmountError(
            _("Enter the amount in numbers only, like %(example)s.") % {"example": example}
        )
    try:
        minor = currency.to_minor(amount)
    except ValueError:
        minor = None
    if minor is None or minor % currency.step:
        if currency.decimals == 0:
            raise AmountError(
                _("%(currency)s amounts are whole numbers: enter an amount without decimals.")
                % {"currency": code}
            ) from None
        raise AmountError(
            _("Enter %(currency)s amounts with at most %(places)s decimal places.")
            % {"currency": code, "places": currency.decimals}
        ) from None
    if minor <= 0:
        raise AmountError(_("Enter an amount greater than zero."))
    if minor < limits.minimum:
        raise AmountError(
            _("The smallest gift we can accept is %(amount)s %(currency)s.")
            % {"amount": amount_display(limits.minimum, code), "currency": code}
        )
    if minor > limits.maximum:
        raise AmountError(
            _(
                "The largest gift we can take online is %(amount)s %(currency)s. "
                "For larger gifts, please write to us."
            )
            % {"amount": amount_display(limits.maximum, code), "currency": code}
        )
    return minor


def amount_check(minor: int, code: str) -> None:
    """Refuse an amount in minor units that is outside the policy (for services)."""
    if code not in enabled_currencies():
        raise AmountError(_("Choose one of the currencies offered."))
    limits = limits_for(code)
    if minor % limits.currency.step or not limits.minimum <= minor <= limits.maximum:
        raise AmountError(_("This amount cannot be accepted."))
