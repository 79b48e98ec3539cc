"""QR images (SVG and PNG, each code rendered for the first time) and the buyer's
order page with 10 tickets."""

import base64
import hashlib
import hmac

from sqlalchemy import text

from bench import seed
from bench.harness import SECRET_KEY, Stack, drive

ORDERS = 200
PER_ORDER = 10
PAGE_REQUESTS = 200


def access_token(order_id: int, created_at) -> str:
    """The order's link token, derived as ticketing.orders.access does."""
    message = f"order-access:{order_id}:{created_at.isoformat()}".encode()
    digest = hmac.new(SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return "ord_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _latency(run: dict) -> dict:
    figures = {k: run["all"][k] for k in ("mean_ms", "p50_ms", "p95_ms", "p99_ms")}
    figures["answers"] = {s: v["count"] for s, v in run["statuses"].items()}
    return figures


def run() -> dict:
    with Stack("qr") as stack:
        world = seed.base(stack.engine, capacity=ORDERS * PER_ORDER)
        seed.paid_tickets(stack.engine, world, ORDERS * PER_ORDER, per_order=PER_ORDER,
                          label="orders of 10 tickets")  # fmt: skip
        pages = []
        with stack.engine.begin() as conn:
            for order_id, created_at in conn.execute(
                text("SELECT id, created_at FROM orders ORDER BY id LIMIT 50")
            ).all():
                token = access_token(order_id, created_at)
                conn.execute(
                    text("UPDATE orders SET access_token_hash = :h WHERE id = :i"),
                    {"h": seed.token_hash(token), "i": order_id},
                )
                pages.append(f"/orders/{order_id}/{token}")
        codes = seed.ticket_codes(stack.engine, world)
        drive(stack, [("GET", p, 0, "") for p in pages[:10]], concurrency=1, max_seconds=60)
        drive(stack, [("GET", f"/tickets/{c}/qr.svg", 0, "") for c in codes[-20:]],
              concurrency=1, max_seconds=60)  # fmt: skip
        svg = drive(stack, [("GET", f"/tickets/{c}/qr.svg", 0, "") for c in codes[:1000]],
                    concurrency=1, max_seconds=120)  # fmt: skip
        png = drive(stack, [("GET", f"/tickets/{c}/qr.png", 0, "") for c in codes[1000:1500]],
                    concurrency=1, max_seconds=120)  # fmt: skip
        page = drive(stack, [("GET", pages[n % len(pages)], 0, "") for n in range(PAGE_REQUESTS)],
                     concurrency=1, max_seconds=120)  # fmt: skip
    return {
        "name": "qr",
        "svg": _latency(svg),
        "png": _latency(png),
        "order_page_10_tickets": _latency(page),
    }
