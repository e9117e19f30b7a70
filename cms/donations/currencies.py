"""Currencies the site accepts, with their minor-unit exponents (ISO 4217, as Stripe uses).

Money is always an integer number of minor units (cents, satang…) plus a currency code.
Zero-decimal currencies such as VND and JPY have exponent 0; KWD-style ones have 3, and
Stripe only accepts three-decimal amounts that end in 0 (``step`` 10).
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Currency:
    code: str
    exponent: int
    symbol: str

    @property
    def step(self) -> int:
        """The smallest chargeable amount in minor units (Stripe: three-decimal ones end in 0)."""
        return 10 if self.exponent == 3 else 1

    @property
    def decimals(self) -> int:
        """Decimal places a donor may type: KWD 2, because the third must be 0 at Stripe."""
        return self.exponent - 1 if self.exponent == 3 else self.exponent

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
