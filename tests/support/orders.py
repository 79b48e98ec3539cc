"""Orders as the selling tests see them: counted in a fresh transaction, or still held."""

from datetime import timedelta

from sqlalchemy import func, select

from tests.support import factories
from ticketing.database import utcnow


def count(db, model, *where) -> int:
    """Count in a fresh transaction (an open one would see an old SQLite snapshot)."""
    db.session.commit()
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar()


def pending_order(event, tiers_quantities, minutes: int = 30):
    """A checkout still holding its seats (or, with minutes < 0, a lapsed hold)."""
    order = factories.paid_order(event, tiers_quantities)
    order.status = "pending"
    order.paid_at = None
    order.expires_at = utcnow() + timedelta(minutes=minutes)
    return order
