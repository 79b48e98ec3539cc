"""Ticket tests: paid orders with sealed links, a real SMTP server, QR decoding.

The builders and decoders are in tests/support/tickets.py and tests/support/mail.py.
"""

import pytest

from tests.support.servers import free_port
from tests.support.tickets import build_paid_order


@pytest.fixture(autouse=True)
def _mail_to_outbox(outbox):
    """Development mail goes to a temporary outbox, not the checkout's instance/."""


@pytest.fixture
def make_paid_order(db):
    """Build and COMMIT a paid order with issued tickets and a working private link."""

    def build(*args, **kwargs):
        return build_paid_order(db, *args, **kwargs)

    return build


@pytest.fixture
def closed_port(app):
    """Point the app at a loopback port where nothing listens."""
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    return port
