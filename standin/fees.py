"""A simulated card fee, so net totals in the app look like real ones."""

PERCENT_TENTHS = 29  # 2.9 %
FIXED_MINOR = 30


def card_fee(amount_minor: int) -> int:
    """2.9 % + 30 minor units, rounded half up in integers, never above the amount."""
    if amount_minor <= 0:
        return 0
    percent = (amount_minor * PERCENT_TENTHS + 500) // 1000
    return min(amount_minor, percent + FIXED_MINOR)
