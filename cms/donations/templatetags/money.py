from django import template
from django.utils.formats import number_format

from cms.donations.currencies import CURRENCIES

register = template.Library()


@register.filter
def money(minor: int, currency_code: str) -> str:
    """Integer minor units as a localised amount with its currency: ``45000|money:"THB"``."""
    currency = CURRENCIES.get(currency_code)
    if currency is None or minor is None:
        return ""
    amount = currency.to_major(int(minor))
    decimals = 0 if amount == amount.to_integral_value() else currency.exponent
    formatted = number_format(amount, decimals, force_grouping=True)
    return f"{currency.symbol}{formatted} {currency.code}"
