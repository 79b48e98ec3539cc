"""Where a checkout's CPU goes: `python -m bench.profile_checkout [N] [--top K] [--out F]
[--no-profile]`.

Starts the flash sale's stack (fresh PostgreSQL database, the stand-in in its
own process), builds the product's app in this process with the same
production settings, and places N orders (default 600) one at a time through
the WSGI test client (after 100 unprofiled warm-up orders), under cProfile
with a CPU clock, so the figures are CPU time of this process only (not
waits on PostgreSQL or the stand-in) and hold still on a busy machine.
Prints CPU ms per order and the functions with the most cumulative and own
time.
"""

import sys

from bench import seed
from bench.flash_sale import order_body
from bench.harness import Stack
from bench.profiling import app_client, dispose, measured, report


def _orders(client, path: str, tier_id: int, first: int, count: int) -> None:
    for n in range(first, first + count):
        response = client.post(
            path, data=order_body(tier_id, n), headers={"Content-Type": "application/json"}
        )
        if response.status_code != 201:
            raise RuntimeError(f"order {n}: {response.status_code} {response.get_data()[:300]}")


def main(argv: list[str]) -> None:
    count = int(argv[0]) if argv and argv[0].isdigit() else 600
    with Stack("profile") as stack:
        world = seed.base(stack.engine, capacity=count + 1_000, floor_tokens=1)
        app, client = app_client(stack)
        path = f"/api/v1/events/{world.event_id}/orders"
        _orders(client, path, world.tier_id, 0, 100)  # warm-up: connections, caches
        profiler, cpu, wall = measured(
            argv, lambda: _orders(client, path, world.tier_id, 100, count)
        )
        dispose(app)
    report(argv, profiler, "orders", count, cpu, wall)


if __name__ == "__main__":
    main(sys.argv[1:])
