"""The task bodies run in-process (Huey's immediate mode): backoff, reminders, /readyz."""

from datetime import timedelta

from sqlalchemy import select

from tests.support.tickets import build_paid_order
from ticketing.database import utcnow
from ticketing.orders.models import Order
from ticketing.tasks import jobs, mail_lanes
from ticketing.tasks.queue import beat


def test_a_failed_email_waits_for_its_backoff_then_the_sweep_sends_it(app, db, smtp):
    inbox, port = smtp
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    order_id = build_paid_order(db).order_id
    order = db.session.get(Order, order_id)
    order.email_status, order.email_attempts = "failed", 2
    order.email_due_at = utcnow() + timedelta(minutes=5)
    db.session.commit()

    assert jobs.sweep()["emails"] == 0  # not due yet
    assert inbox.messages == []
    order.email_due_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert jobs.sweep()["emails"] == 1
    assert len(inbox.messages) == 1
    assert inbox.messages[0][1]["Message-ID"].startswith(f"<tickets-{order_id}.3@")
    assert jobs.sweep()["emails"] == 0


def test_the_backoff_doubles_up_to_its_cap(app, db):
    app.config.update(EMAIL_RETRY_SECONDS=60, EMAIL_RETRY_MAX_SECONDS=300)
    with app.app_context():
        assert [jobs._backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 300]


def test_reminder_the_day_before_once_for_orders_bought_earlier(app, db, smtp):
    inbox, port = smtp
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    starts = utcnow() + timedelta(hours=12)
    early = build_paid_order(db, starts_at=starts).order_id
    late = build_paid_order(db, starts_at=starts).order_id
    far = build_paid_order(db, starts_at=utcnow() + timedelta(days=5)).order_id
    for order_id, paid_at in ((early, 3), (late, 0), (far, 3)):
        order = db.session.get(Order, order_id)
        order.paid_at = utcnow() - timedelta(days=paid_at, hours=1)
        order.email_status = "sent"
    db.session.commit()

    assert jobs.sweep()["reminders"] == 1
    assert jobs.sweep()["reminders"] == 0
    ((recipients, message),) = inbox.messages
    assert message["Subject"].startswith("Tomorrow: ")
    assert f"/orders/{early}/" in message.get_content()
    sent = db.session.execute(select(Order.reminder_sent_at).where(Order.id == early)).scalar()
    assert sent is not None


def test_the_reminder_is_written_in_the_buyers_language(app, db, smtp):
    inbox, port = smtp
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    order_id = build_paid_order(db, starts_at=utcnow() + timedelta(hours=12)).order_id
    order = db.session.get(Order, order_id)
    order.paid_at = utcnow() - timedelta(days=3)
    order.email_status, order.locale = "sent", "ru"
    order.event.translations = {"ru": {"name": "Песни для приюта"}}
    db.session.commit()

    assert jobs.sweep()["reminders"] == 1
    ((_, message),) = inbox.messages
    assert message["Subject"] == "Завтра: Песни для приюта"
    text = message.get_content()
    assert "До встречи завтра на «Песни для приюта»" in text
    assert "на странице заказа" in text and "Show the QR" not in text


def test_readyz_without_a_worker_is_503_and_with_a_heartbeat_200(app, client):
    stale = client.get("/readyz")
    assert stale.status_code == 503
    assert stale.json["worker"] == {"alive": False, "last_seen_seconds": None}
    with app.app_context():
        beat(app)
    fresh = client.get("/readyz")
    assert fresh.status_code == 200 and fresh.json["status"] == "ok"
    assert fresh.json["queue"] == {"pending": 0, "scheduled": 0}


def test_with_every_mail_lane_busy_an_email_is_handed_over_and_sent_next(app, db, smtp):
    """A hanging mail server may hold only the worker's mail lanes (mail_lanes)."""
    inbox, port = smtp
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5)
    order_id = build_paid_order(db).order_id
    order = db.session.get(Order, order_id)
    order.email_status, order.email_attempts, order.email_due_at = "pending", 0, None
    db.session.commit()
    lanes = mail_lanes.install(app, threads=2)  # production's worker: one lane
    seen = {}

    def another_send_in_the_lane() -> str:
        seen["outcome"] = jobs.send_ticket_email(order_id)  # while this lane is busy
        jobs.send_ticket_email(order_id)  # the sweep queues it again: handed over once
        jobs.send_ticket_email(order_id, manual=True)  # a person asks: kept apart
        seen["waiting"] = lanes.waiting()
        attempts = select(Order.email_attempts).where(Order.id == order_id)
        seen["attempts"] = db.session.execute(attempts).scalar()
        seen["messages"] = inbox.messages[:]
        db.session.rollback()
        return "sent"

    assert lanes.send(("tickets", 0), another_send_in_the_lane) == "sent"
    assert seen == {"outcome": "handed over", "waiting": 2, "attempts": 0, "messages": []}
    ((_, message),) = inbox.messages  # the lane sent it next, once (then found it sent)
    assert message["Message-ID"].startswith(f"<tickets-{order_id}.1@")
