"""Shared builders for the stand-in tests: the parameters the app sends."""

import time


def session_params(
    currency: str = "usd",
    unit_amount: int = 1500,
    quantity: int = 2,
    order_id: str = "42",
    expires_in: int = 45 * 60,
    shop_url: str = "http://shop.test",
    **overrides,
) -> dict:
    """A Checkout Session request shaped like the app's (gateway.create_checkout_session).

    The stand-in accepts redirects only under the shop's own address (`shop_url`).
    """
    metadata = {"order_id": order_id}
    params = {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {
                    "currency": currency,
                    "unit_amount": unit_amount,
                    "product_data": {"name": "General admission"},
                },
                "quantity": quantity,
            }
        ],
        "metadata": metadata,
        "client_reference_id": order_id,
        "payment_intent_data": {"metadata": metadata},
        "customer_email": "buyer@example.org",
        "success_url": f"{shop_url}/orders/42/success?session_id={{CHECKOUT_SESSION_ID}}",
        "cancel_url": f"{shop_url}/orders/42/cancel",
        "expires_at": int(time.time()) + expires_in,
    }
    params.update(overrides)
    return params
