"""Tickets: paid orders with sealed links, and reading their QR codes back."""

import io
from dataclasses import dataclass
from datetime import UTC, datetime

import zxingcpp
from PIL import Image

from tests.support import factories as f
from ticketing.orders.access import seal
from ticketing.tickets.services import issue_tickets

# A fixed start, so the calendar test knows the UTC time: 19:30 in Istanbul (UTC+3).
CONCERT_START = datetime(2026, 12, 19, 16, 30, tzinfo=UTC)


@dataclass
class PaidOrder:
    order_id: int
    token: str
    codes: list[str]
    event_id: int

    @property
    def path(self) -> str:
        return f"/orders/{self.order_id}/{self.token}"


def build_paid_order(db, quantities=(2,), buyer="Ada Buyer", donation_minor=0, **event_fields):
    """Build and COMMIT a paid order with issued tickets and a working private link."""
    org = f.organization()
    fields = {
        "name": "Songs for Shelter",
        "starts_at": CONCERT_START,
        "timezone": "Europe/Istanbul",
        "venue": "Moda Sahnesi, Kadıköy",
    }
    ev = f.event(org, **{**fields, **event_fields})
    tiers = [f.tier(ev, name=f"Tier {n + 1}") for n in range(len(quantities))]
    order = f.paid_order(ev, list(zip(tiers, quantities, strict=True)), buyer=buyer)
    if donation_minor:
        order.donation_minor = donation_minor
        order.total_minor += donation_minor
    token = seal(order)
    codes = [t.code for t in issue_tickets(order)]
    order.email_status = "pending"  # as mark_paid does: the email is owed from the payment on
    result = PaidOrder(order.id, token, codes, ev.id)
    db.session.commit()
    return result


def decode_qr(image: Image.Image):
    """The one QR symbol in the image (zxing-cpp), or fail."""
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, f"expected one QR symbol, found {len(results)}"
    return results[0]


def decode_png(data: bytes):
    return decode_qr(Image.open(io.BytesIO(data)))
