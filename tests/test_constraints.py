"""The database itself refuses data that breaks the invariants."""

import pytest
from sqlalchemy.exc import IntegrityError

from tests.support import factories as f
from ticketing.checkin.models import CheckIn
from ticketing.database import utcnow
from ticketing.payments.models import LedgerEntry, Payment

pytestmark = pytest.mark.rollback  # one thread, one connection: rolled back, not emptied

CODE_A = "A" * 26
CODE_B = "B" * 26


@pytest.fixture
def sold(db):
    org = f.organization()
    ev = f.event(org)
    t = f.tier(ev)
    order = f.paid_order(ev, [(t, 2)])
    db.session.commit()
    return ev, t, order


def test_duplicate_ticket_code_is_refused(db, sold):
    ev, t, order = sold
    f.ticket(order, t, CODE_A)
    db.session.commit()
    with pytest.raises(IntegrityError):
        f.ticket(order, t, CODE_A)
    db.session.rollback()


def test_negative_payment_amount_is_refused(db, sold):
    _, _, order = sold
    db.session.add(Payment(order_id=order.id, amount_minor=-1, currency="USD"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_negative_capacity_is_refused(db, sold):
    _, t, _ = sold
    t.capacity = -5
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_refund_beyond_total_is_refused(db, sold):
    _, _, order = sold
    order.refunded_minor = order.total_minor + 1
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_one_standing_checkin_per_ticket(db, sold):
    ev, t, order = sold
    ticket = f.ticket(order, t, CODE_B)
    db.session.add(CheckIn(ticket_id=ticket.id, event_id=ev.id))
    db.session.commit()
    db.session.add(CheckIn(ticket_id=ticket.id, event_id=ev.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_undone_checkin_allows_a_new_one(db, sold):
    ev, t, order = sold
    ticket = f.ticket(order, t, CODE_B)
    first = CheckIn(ticket_id=ticket.id, event_id=ev.id)
    db.session.add(first)
    db.session.flush()
    first.undone_at = utcnow()
    db.session.add(CheckIn(ticket_id=ticket.id, event_id=ev.id))
    db.session.commit()
    assert db.session.query(CheckIn).count() == 2


def test_ledger_refuses_negative_entries_unless_reversing(db, sold):
    ev, _, order = sold
    db.session.add(LedgerEntry(event_id=ev.id, kind="manual", currency="USD", amount_minor=-100))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_times_come_back_aware_utc(db, sold):
    _, _, order = sold
    db.session.expire_all()
    assert order.paid_at.utcoffset().total_seconds() == 0
    assert order.created_at.tzinfo is not None
