"""Money: Decimal amounts at a currency's precision, parsed strictly from strings.

Floats never enter: amounts arrive as strings, are checked against the
currency's precision, and are stored quantized, so "10.5" USDT is kept as
"10.500000" and every later sum is exact.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Mapping
from typing import Any
from dataclasses import dataclass
from decimal import Decimal

from domain.kernel.errors import InvalidInput

# ETH and BNB carry 18 decimals; with 20 integer digits that is 38 significant
# digits, past Decimal's default of 28, where additions would round silently.
decimal.DefaultContext.prec = 60
decimal.getcontext().prec = 60

MAX_INTEGER_DIGITS = 20
ZERO = Decimal(0)


@dataclass(frozen=True)
class Currency:
    code: str
    precision: int

    @property
    def quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.precision)

    def quantize(self, amount: Decimal) -> Decimal:
        """Round half-even to this currency's precision (for computed amounts)."""
        return amount.quantize(self.quantum, rounding=decimal.ROUND_HALF_EVEN)


class Currencies:
    """The configured currencies, and the one place amounts are parsed."""

    def __init__(self, precisions: Mapping[str, int]):
        self._by_code = {code: Currency(code, p) for code, p in precisions.items()}

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self):
        return iter(self._by_code.values())

    def get(self, code: str, field: str = "currency") -> Currency:
        try:
            return self._by_code[code]
        except (KeyError, TypeError):
            known = ", ".join(sorted(self._by_code))
            raise InvalidInput(
                f"{field}: unknown currency {code!r} (known: {known})", field=field
            ) from None

    def parse(
        self,
        text: object,
        currency: str,
        field: str = "amount",
        *,
        negative: bool = False,
        zero: bool = False,
    ) -> Decimal:
        """Parse a decimal string into an exact amount of `currency`, or refuse."""
        amount = self.check(parse_decimal(text, field), currency, field, shown=repr(text))
        if amount < 0 and not negative:
            raise InvalidInput(f"{field}: must not be negative", field=field)
        if amount == 0 and not zero:
            raise InvalidInput(f"{field}: must not be zero", field=field)
        return amount

    def check(self, amount: Decimal, currency: str, field: str = "amount", *,
              shown: str | None = None) -> Decimal:
        """The amount at the currency's precision, if it is exact there; else refuse.

        `shown` is the amount as the caller wrote it, for the error message.
        """
        cur = self.get(currency)
        shown = shown or str(amount)
        if not isinstance(amount, Decimal):
            raise InvalidInput(f"{field}: {shown} is not a Decimal", field=field)
        if not amount.is_finite():
            raise InvalidInput(f"{field}: {shown} is not a finite number", field=field)
        if amount and amount.adjusted() >= MAX_INTEGER_DIGITS:
            raise InvalidInput(f"{field}: {shown} is too large (at most "
                               f"{MAX_INTEGER_DIGITS} integer digits)", field=field)
        quantized = amount.quantize(cur.quantum)
        if quantized != amount:
            raise InvalidInput(
                f"{field}: {shown} has more than {cur.precision} decimal places for "
                f"{cur.code} (at most {cur.precision} decimal places)", field=field)
        return quantized + ZERO  # normalises -0 to 0

    def at_precision(self, figures: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
        """A copy of `figures` with its amount fields written at full precision.

        A currency no longer configured keeps its amounts as stored.
        """
        if figures["currency"] not in self:
            return figures
        quantum = self.get(figures["currency"]).quantum
        return {k: v.quantize(quantum) if k in fields else v for k, v in figures.items()}


# One spelling per number: an optional minus, no leading zeros, digits on both
# sides of a point. "+5", ".5", "5.", "00010", "1E2", "-0" and " 1" are refused.
DECIMAL_PATTERN = r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?$"
DECIMAL_MAX_LENGTH = 64
_DECIMAL = re.compile(DECIMAL_PATTERN)
_NOT_FINITE = re.compile(r"[+-]?(s?nan|inf|infinity)", re.IGNORECASE)


def parse_decimal(text: object, field: str) -> Decimal:
    """A decimal string in the one canonical syntax, or refuse.

    Python's Decimal() also reads exponents, signs, spaces, underscores, NaN
    and non-ASCII digits; an amount may hold none of them, so that one number
    has one spelling in the log and in every reader.
    """
    if not isinstance(text, str):
        raise InvalidInput(
            f"{field}: amounts are decimal strings such as \"10.50\"", field=field
        )
    if len(text) > DECIMAL_MAX_LENGTH:
        raise InvalidInput(f"{field}: at most {DECIMAL_MAX_LENGTH} characters", field=field)
    if _NOT_FINITE.fullmatch(text):
        raise InvalidInput(f"{field}: {text!r} is not a finite number", field=field)
    if _DECIMAL.fullmatch(text) is None or text.startswith("-") and not text.strip("-0."):
        raise InvalidInput(
            f"{field}: {text!r} is not a decimal number in the plain syntax "
            "(such as \"10.50\": no plus sign, exponent, spaces, leading zeros or "
            "bare point, and no minus zero)", field=field)
    return Decimal(text)
