"""The simulated fee: 2.9 % + 30 minor units, integers only, never above the amount."""

from hypothesis import given
from hypothesis import strategies as st

from standin.fees import card_fee


def test_examples():
    assert card_fee(1000) == 59  # 29 + 30
    assert card_fee(3000) == 117
    assert card_fee(50) == 31  # 1.45 rounds down to 1
    assert card_fee(52) == 32  # 1.508 rounds to 2
    assert card_fee(1724) == 80  # 49.996 rounds up to 50
    assert card_fee(20) == 20  # never more than the amount
    assert card_fee(0) == 0


@given(st.integers(min_value=0, max_value=99_999_999))
def test_fee_is_bounded_and_rounded_half_up(amount):
    fee = card_fee(amount)
    assert isinstance(fee, int)
    assert 0 <= fee <= amount
    exact_percent_thousandths = amount * 29  # the 2.9 % part, in thousandths of a unit
    if fee < amount and amount > 0:
        assert abs((fee - 30) * 1000 - exact_percent_thousandths) <= 500
