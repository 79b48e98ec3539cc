"""Checkout services: holds and their expiry. Services only flush."""

from datetime import datetime

from sqlalchemy import update

from ticketing.database import utcnow
from ticketing.extensions import db
from ticketing.orders.models import Order


def expire_holds(now: datetime | None = None) -> int:
    """Mark pending orders whose hold has passed as expired; returns how many."""
    now = now or utcnow()
    result = db.session.execute(
        update(Order)
        .where(Order.status == "pending", Order.expires_at <= now)
        .values(status="expired")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
