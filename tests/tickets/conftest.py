"""Ticket tests: paid orders with sealed links, a real SMTP server, QR decoding."""

import email
import io
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy

import pytest
import zxingcpp
from aiosmtpd.controller import Controller
from PIL import Image

from tests import factories as f
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


@pytest.fixture(autouse=True)
def outbox(app, tmp_path):
    """Development mail goes to a temporary outbox, not the checkout's instance/."""
    folder = tmp_path / "outbox"
    app.config["MAIL_OUTBOX_DIR"] = str(folder)
    return folder


@pytest.fixture
def make_paid_order(db):
    """Build and COMMIT a paid order with issued tickets and a working private link."""

    def build(quantities=(2,), buyer="Ada Buyer", donation_minor=0, **event_fields):
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
        result = PaidOrder(order.id, token, codes, ev.id)
        db.session.commit()
        return result

    return build


class Inbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on loopback; the app is pointed at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_TIMEOUT=5)
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def closed_port(app):
    """Point the app at a loopback port where nothing listens."""
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    return port


def decode_qr(image: Image.Image):
    """The one QR symbol in the image (zxing-cpp), or fail."""
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1, f"expected one QR symbol, found {len(results)}"
    return results[0]


def decode_png(data: bytes):
    return decode_qr(Image.open(io.BytesIO(data)))


def inline_images(message) -> dict[str, bytes]:
    """The message's inline PNGs by Content-ID (without angle brackets)."""
    images = {}
    for part in message.walk():
        if part.get_content_type() == "image/png":
            # A Content-ID folded onto its own line keeps the fold's leading space.
            images[part["Content-ID"].strip().strip("<>")] = part.get_content()
    return images
