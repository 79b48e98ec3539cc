"""Where a ticket email's CPU goes: `python -m bench.profile_email [N] [--top K] [--out F]
[--no-profile]`.

As bench.profile_scan, for the task worker: N paid orders of one ticket each
(a flash sale's), each one's ticket email built and serialized as the worker
does before SMTP (`build_order_email` on `outbox.tickets_owed`, then the
bytes), after 20 unprofiled warm-up emails, under cProfile with a CPU clock.
"""

import sys

from bench import seed
from bench.harness import Stack
from bench.profiling import app_client, dispose, measured, report

WARM_UP = 20


def _emails(app, order_ids: list[int]) -> None:
    from ticketing.delivery import outbox
    from ticketing.delivery.reservation_mail import build_order_email
    from ticketing.extensions import db

    with app.app_context():
        for order_id in order_ids:
            owed = outbox.tickets_owed(order_id)
            if owed is None:
                raise RuntimeError(f"order {order_id} owes no email")
            build_order_email(*owed, attempt=1).as_bytes()
            db.session.rollback()


def main(argv: list[str]) -> None:
    count = int(argv[0]) if argv and argv[0].isdigit() else 300
    with Stack("profile") as stack:
        world = seed.base(stack.engine, capacity=count + WARM_UP, door_tokens=1, floor_tokens=1)
        seed.paid_tickets(stack.engine, world, count + WARM_UP, per_order=1, label="paid orders")
        with stack.engine.connect() as conn:
            order_ids = list(conn.exec_driver_sql("SELECT id FROM orders ORDER BY id").scalars())
        app, _ = app_client(stack)
        _emails(app, order_ids[:WARM_UP])
        profiler, cpu, wall = measured(argv, lambda: _emails(app, order_ids[WARM_UP:]))
        dispose(app)
    report(argv, profiler, "emails", len(order_ids) - WARM_UP, cpu, wall)


if __name__ == "__main__":
    main(sys.argv[1:])
