"""Currencies.parse and .check: the one place amounts enter, exact or refused."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from api.config.business import load_config
from domain.kernel.errors import InvalidInput

PRECISIONS = {"BTC": 8, "ETH": 18, "USDT": 6, "USDC": 6, "SOL": 9, "BNB": 18, "TRX": 6}


@pytest.fixture
def currencies():
    """The built-in currency configuration (what a ledger without a config file uses)."""
    return load_config(None).wallet_currencies()


def refusal(call, *args, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)
    return caught.value


# Precision per currency.

@pytest.mark.parametrize("code, precision", PRECISIONS.items())
def test_each_currency_has_its_design_precision(currencies, code, precision):
    assert currencies.get(code).precision == precision


@pytest.mark.parametrize("code, precision", PRECISIONS.items())
def test_amount_at_full_precision_is_kept_exactly(currencies, code, precision):
    text = "1." + "7" * precision
    amount = currencies.parse(text, code)
    assert amount == Decimal(text)
    assert amount.as_tuple().exponent == -precision


@pytest.mark.parametrize("code, precision", PRECISIONS.items())
def test_one_decimal_too_many_is_refused_naming_the_precision(currencies, code, precision):
    text = "1." + "7" * (precision + 1)
    error = refusal(currencies.parse, text, code)
    assert error.field == "amount"
    assert repr(text) in error.message
    assert f"more than {precision} decimal places for {code}" in error.message


def test_short_amount_is_stored_at_the_currency_precision(currencies):
    assert str(currencies.parse("10.5", "USDT")) == "10.500000"
    assert str(currencies.parse("3", "BTC")) == "3.00000000"


def test_trailing_zeros_past_the_precision_are_not_extra_precision(currencies):
    """'1.000000000' BTC is exactly one bitcoin: no satoshi fraction is lost."""
    assert currencies.parse("1.000000000", "BTC") == Decimal("1")


def test_excess_precision_is_refused(currencies):
    error = refusal(currencies.parse, "0.000000001", "BTC")
    assert "more than 8 decimal places" in error.message


# Sign and zero.

def test_negative_amount_is_refused_by_default(currencies):
    error = refusal(currencies.parse, "-1.5", "BTC")
    assert error.field == "amount"
    assert "must not be negative" in error.message


def test_negative_amount_is_accepted_when_the_field_is_signed(currencies):
    assert currencies.parse("-1.5", "BTC", negative=True) == Decimal("-1.5")


@pytest.mark.parametrize("text", ["0", "0.00"])
def test_zero_is_refused_by_default(currencies, text):
    error = refusal(currencies.parse, text, "ETH", negative=True)
    assert error.field == "amount"
    assert "must not be zero" in error.message


def test_zero_when_allowed_is_never_negative_zero(currencies):
    amount = currencies.parse("0.00", "BTC", zero=True, negative=True)
    assert amount == 0
    assert not amount.is_signed()
    assert "is not a decimal number" in refusal(
        currencies.parse, "-0.00", "BTC", zero=True, negative=True).message


# Not a finite number, or too large.

@pytest.mark.parametrize("text", ["NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity",
                                  "inf", "-Inf"])
def test_nan_and_infinity_are_refused(currencies, text):
    error = refusal(currencies.parse, text, "BTC", negative=True)
    assert error.field == "amount"
    assert f"{text!r} is not a finite number" in error.message


@pytest.mark.parametrize("text", ["9" * 21, "-" + "9" * 21, "100000000000000000000.5"])
def test_huge_amounts_are_refused(currencies, text):
    error = refusal(currencies.parse, text, "ETH", negative=True)
    assert error.field == "amount"
    assert repr(text) in error.message


def test_twenty_integer_digits_is_the_largest_amount_accepted(currencies):
    text = "9" * 20 + "." + "9" * 18
    assert currencies.parse(text, "ETH") == Decimal(text)


# Only decimal strings.

@pytest.mark.parametrize("value", [1.5, 10, Decimal("1.5"), None, True, b"1.5"],
                         ids=["float", "int", "Decimal", "None", "bool", "bytes"])
def test_amounts_that_are_not_strings_are_refused(currencies, value):
    error = refusal(currencies.parse, value, "BTC")
    assert error.field == "amount"
    assert "decimal strings" in error.message


@pytest.mark.parametrize("text", [" 1", "1 ", "\t1", "1\n", "\u00a01"])
def test_surrounding_whitespace_is_refused(currencies, text):
    error = refusal(currencies.parse, text, "BTC")
    assert f"{text!r} is not a decimal number" in error.message


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "1,5", "0x10", "--1", "1 000",
                                  "+5", ".5", "5.", "00010", "01.5", "1E2", "1e-7",
                                  "1e999", "-0", "-0.0", "0e5"])
def test_text_that_is_not_a_number_is_refused(currencies, text):
    error = refusal(currencies.parse, text, "BTC")
    assert error.field == "amount"
    assert f"{text!r} is not a decimal number" in error.message


@pytest.mark.parametrize("text", ["1_000", "\u0661\u0662", "\u0663.\u0665"],
                         ids=["underscore", "arabic-indic", "arabic-indic-fraction"])
def test_python_only_number_syntax_is_refused(currencies, text):
    """Decimal() reads '1_000' and Arabic-Indic digits; a money API must not."""
    error = refusal(currencies.parse, text, "BTC")
    assert error.field == "amount"


# Currency and field names.

@pytest.mark.parametrize("code", ["DOGE", "btc", "", "USD", None])
def test_unknown_currency_is_refused_listing_the_known_ones(currencies, code):
    error = refusal(currencies.parse, "1", code)
    assert error.field == "currency"
    assert f"unknown currency {code!r}" in error.message
    assert "BNB, BTC, ETH, SOL, TRX, USDC, USDT" in error.message


def test_refusal_names_the_field_it_was_given(currencies):
    error = refusal(currencies.parse, "-1", "BTC", field="stake")
    assert error.field == "stake"
    assert error.message.startswith("stake: ")


# check: a Decimal computed or passed in.

def test_check_passes_an_exact_amount_at_the_currency_precision(currencies):
    amount = currencies.check(Decimal("0.000000000000000001"), "ETH")
    assert amount == Decimal("1e-18")
    assert str(currencies.check(Decimal("1.5"), "BTC")) == "1.50000000"


def test_check_never_returns_negative_zero(currencies):
    assert not currencies.check(Decimal("-0"), "BTC").is_signed()


def test_check_accepts_negative_amounts(currencies):
    """check is about exactness; signed commands (adjustments) use it."""
    assert currencies.check(Decimal("-2.5"), "USDT") == Decimal("-2.5")


@pytest.mark.parametrize("amount", ["1.000000001", "0.123456789"])
def test_check_refuses_excess_precision(currencies, amount):
    error = refusal(currencies.check, Decimal(amount), "BTC", field="payout")
    assert error.field == "payout"
    assert "at most 8 decimal places" in error.message


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_check_refuses_nan_and_infinity(currencies, amount):
    error = refusal(currencies.check, Decimal(amount), "BTC")
    assert error.field == "amount"


@pytest.mark.parametrize("amount", ["1e999", "1e60", "1e30"])
def test_check_refuses_huge_amounts_like_parse(currencies, amount):
    """parse refuses over 20 integer digits; check must not let them in either."""
    error = refusal(currencies.check, Decimal(amount), "BTC")
    assert error.field == "amount"


@pytest.mark.parametrize("amount", [1.5, 2], ids=["float", "int"])
def test_check_refuses_non_decimal_amounts(currencies, amount):
    error = refusal(currencies.check, amount, "BTC")
    assert error.field == "amount"


def test_check_refuses_unknown_currency(currencies):
    error = refusal(currencies.check, Decimal("1"), "XRP")
    assert error.field == "currency"


# Exact arithmetic at 18 decimals.

def largest_eth_sum() -> Decimal:
    a = Decimal("99999999999999999999.999999999999999999")
    b = Decimal("0.000000000000000001")
    return a + b


def test_eighteen_decimal_amounts_with_twenty_integer_digits_add_exactly(currencies):
    a = currencies.parse("12345678901234567890.123456789012345678", "ETH")
    b = currencies.parse("98765432109876543210.876543210987654322", "ETH")
    assert a + b == Decimal("111111111011111111101.000000000000000000")
    assert str(largest_eth_sum()) == "100000000000000000000.000000000000000000"


def test_exact_addition_also_holds_in_a_new_thread():
    """Projections and the runner work in threads; their Decimal context must be exact too."""
    results = []
    thread = threading.Thread(target=lambda: results.append(largest_eth_sum()))
    thread.start()
    thread.join()
    assert str(results[0]) == "100000000000000000000.000000000000000000"
