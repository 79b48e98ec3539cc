"""Orders as the selling tests see them: counted in a fresh transaction, or still held."""

import threading
from datetime import timedelta

import requests
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


def order_all_at_once(shop, event_id: int, bodies: list[dict]) -> list[requests.Response]:
    """POST every order body at once, each thread with its own HTTP connection
    (a barrier releases them together): the database alone decides who wins."""
    shop.release()
    barrier = threading.Barrier(len(bodies))
    answers: list[requests.Response] = []
    lock = threading.Lock()

    def buyer(body: dict):
        with requests.Session() as http:
            barrier.wait()
            answer = http.post(
                f"{shop.url}/api/v1/events/{event_id}/orders", json=body, timeout=120
            )
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=buyer, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers
