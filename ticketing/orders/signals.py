"""Signals sent after an order's change is committed (never before).

Receivers (the ticket email, for one) run outside the request's transaction,
so a failure there never undoes a payment.
"""

from blinker import Namespace

_signals = Namespace()

# sender: the Flask app; keyword: order_id
order_paid = _signals.signal("order-paid")

# sender: the Flask app; keyword: order_id (a reservation made: its unpaid tickets' email)
order_reserved = _signals.signal("order-reserved")

# sender: the Flask app; keyword: request_id (a RefundRequest committed for Stripe)
refund_requested = _signals.signal("refund-requested")

# sender: the Flask app; keywords: event_row_id (a StripeEvent kept, not yet
# applied), redelivered (Stripe sent it again: try now, whatever the backoff)
stripe_event_received = _signals.signal("stripe-event-received")
