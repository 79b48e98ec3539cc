"""Import every domain's models so that SQLAlchemy and Alembic see them all."""

from ticketing.accounts.models import ApiToken, Membership, Organization, User
from ticketing.checkin.models import CheckIn, ScanAttempt
from ticketing.events.models import Event, TicketType
from ticketing.orders.models import Order, OrderLine
from ticketing.payments.models import LedgerEntry, ManualPayment, Payment, Refund, StripeEvent
from ticketing.tickets.models import Ticket

__all__ = [
    "ApiToken",
    "CheckIn",
    "Event",
    "LedgerEntry",
    "ManualPayment",
    "Membership",
    "Order",
    "OrderLine",
    "Organization",
    "Payment",
    "Refund",
    "ScanAttempt",
    "StripeEvent",
    "Ticket",
    "TicketType",
    "User",
]
