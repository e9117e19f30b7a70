"""Currencies the site accepts, with their minor-unit exponents (ISO 4217, as Stripe uses).

Money is always an integer number of minor units (cents, satang…) plus a currency code.
Zero-decimal currencies such as VND and JPY have exponent 0; KWD-style ones have 3.
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Currency:
    code: str
    exponent: int
    symbol: str

    def to_minor(self, amount: Decimal) -> int:
        """Decimal major units → integer minor units; refuses amounts finer than the currency."""
        minor = amount.scaleb(self.exponent)
        if minor != minor.to_integral_value():
            raise ValueError(f"{self.code} has {self.exponent} decimal places at most.")
        return int(minor)

    def to_major(self, minor: int) -> Decimal:
        return Decimal(minor).scaleb(-self.exponent)


CURRENCIES: dict[str, Currency] = {
    currency.code: currency
    for currency in [
        Currency("USD", 2, "$"),
        Currency("EUR", 2, "€"),
        Currency("GBP", 2, "£"),
        Currency("THB", 2, "฿"),
        Currency("KHR", 2, "៛"),
        Currency("MMK", 2, "K"),
        Currency("VND", 0, "₫"),
        Currency("JPY", 0, "¥"),
        Currency("KWD", 3, "KD"),
    ]
}
CURRENCY_CHOICES = [(code, code) for code in CURRENCIES]
