"""Flash sale: 200 buyers at once on a 1,000-seat tier, through the orders API.

Every order holds one seat and opens a Stripe Checkout Session at the stand-in
(its own process), as a real checkout does. Afterwards the database is asked
how many seats are paid or held: anything beyond capacity is oversold.
"""

import json
import secrets

from sqlalchemy import text

from bench import seed
from bench.harness import Stack, drive, floor_requests

CAPACITY = 1_000
BUYERS = 200
ATTEMPTS = 1_200  # 1,000 get a seat, the rest must hear "sold out"
FLOOR_REQUESTS = 3_000


# Buyers' emails differ from run to run: the per-email hold limit (5 an hour,
# kept in Redis) would otherwise refuse the third run within an hour.
RUN = secrets.token_hex(4)


def order_body(tier_id: int, n: int) -> str:
    return json.dumps(
        {
            "buyer_name": f"Buyer {n}",
            "buyer_email": f"buyer{n}.{RUN}@example.test",
            "items": [{"ticket_type_id": tier_id, "quantity": 1}],
        }
    )


def seats_taken(engine, tier_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT coalesce(sum(l.quantity), 0) FROM order_lines l"
                " JOIN orders o ON o.id = l.order_id WHERE l.ticket_type_id = :t"
                " AND (o.status IN ('paid', 'partially_refunded')"
                "      OR (o.status = 'pending' AND o.expires_at > now()))"
            ),
            {"t": tier_id},
        ).scalar_one()


def run() -> dict:
    with Stack("flash") as stack:
        world = seed.base(stack.engine, capacity=CAPACITY, floor_tokens=BUYERS)
        with stack.engine.begin() as conn:
            warm_tier = conn.execute(
                text(
                    "INSERT INTO ticket_types (event_id, name, description, price_minor,"
                    " capacity, pay_what_you_want, max_per_order, position, created_at)"
                    " VALUES (:e, 'Warm-up', '', 1000, 100000, false, 10, 1, now()) RETURNING id"
                ),
                {"e": world.event_id},
            ).scalar_one()
        path = f"/api/v1/events/{world.event_id}/orders"
        stack.settle()
        headers = [{"Content-Type": "application/json"}]
        floor, floor_headers = floor_requests(FLOOR_REQUESTS, world.floor_tokens)
        # Warm-up: every worker imports, connects and builds its Stripe client.
        drive(stack, [("POST", path, 0, order_body(warm_tier, n)) for n in range(200)],
              concurrency=16, max_seconds=60, header_sets=headers)  # fmt: skip
        drive(stack, floor[:400], concurrency=16, max_seconds=60, header_sets=floor_headers)

        sale = drive(
            stack,
            [("POST", path, 0, order_body(world.tier_id, n)) for n in range(ATTEMPTS)],
            concurrency=BUYERS, max_seconds=120, header_sets=headers, keep_bodies=2,
        )  # fmt: skip
        floor_run = drive(
            stack, floor, concurrency=BUYERS, max_seconds=60, header_sets=floor_headers
        )
        taken = seats_taken(stack.engine, world.tier_id)
        app_errors = stack.log_tail("app", 20) if sale["statuses"].get("500") else ""

    created = sale["statuses"].get("201", {})
    created_count = created.get("count") or 0
    window = created.get("last_s") or sale["elapsed_s"]
    orders_per_s = round(created_count / window, 1) if window else 0
    floor_per_s = floor_run["requests_per_s"]
    return {
        "name": "flash_sale",
        "capacity": CAPACITY,
        "buyers": BUYERS,
        "attempts": ATTEMPTS,
        "orders_created": created_count,
        "sold_out_answers": (sale["statuses"].get("409") or {}).get("count", 0),
        "other_answers": {
            s: v["count"] for s, v in sale["statuses"].items() if s not in ("201", "409")
        },
        "transport_errors": sale["error_count"],
        "orders_per_s": orders_per_s,
        "order_latency_ms": {k: created.get(k) for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms")},
        "seats_taken": taken,
        "oversold": max(0, taken - CAPACITY),
        "floor_per_s": floor_per_s,
        "floor_latency_ms": {k: floor_run["all"][k] for k in ("p50_ms", "p95_ms", "p99_ms")},
        "ratio_to_floor": round(orders_per_s / floor_per_s, 3) if floor_per_s else None,
        "sample_bodies": sale["bodies"],
        "app_log_tail": app_errors,
    }
