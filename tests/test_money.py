"""Money rules: exponents, Stripe minimums, three-decimal rounding, formatting."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ticketing.money import (
    MoneyError,
    check_chargeable,
    exponent,
    format_money,
    from_decimal,
    minimum_charge_minor,
    stripe_amount,
)


def test_exponents_follow_stripe():
    assert (exponent("JPY"), exponent("usd"), exponent("KWD")) == (0, 2, 3)


def test_formatting_uses_the_currency_digits():
    assert format_money(123456, "USD") == "$1,234.56"
    assert format_money(5000, "JPY") == "¥5,000"
    assert format_money(12340, "KWD").endswith("12.340")


def test_three_decimal_amounts_must_end_in_zero():
    assert stripe_amount(12345, "KWD") == 12340
    with pytest.raises(MoneyError, match="multiple of 10"):
        check_chargeable(12345, "KWD")
    check_chargeable(12340, "KWD")


def test_below_stripe_minimum_is_refused_with_the_minimum_in_words():
    with pytest.raises(MoneyError, match=r"\$0.50"):
        check_chargeable(49, "USD")
    with pytest.raises(MoneyError, match="¥50"):
        check_chargeable(49, "JPY")
    check_chargeable(0, "USD")  # a free order is fine
    check_chargeable(50, "USD")


def test_unknown_currencies_get_a_safe_minimum():
    assert minimum_charge_minor("XYZ") == 50


def test_floats_are_refused():
    with pytest.raises(MoneyError):
        stripe_amount(10.0, "USD")


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["USD", "JPY", "KWD"]))
def test_parsing_the_decimal_form_round_trips(amount_minor, currency):
    from ticketing.money import to_decimal

    assert from_decimal(to_decimal(amount_minor, currency), currency) == amount_minor
