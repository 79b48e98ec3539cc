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

import cProfile
import os
import pstats
import sys
import time

from bench import seed
from bench.flash_sale import order_body
from bench.harness import Stack


def _orders(client, path: str, tier_id: int, first: int, count: int) -> None:
    for n in range(first, first + count):
        response = client.post(
            path, data=order_body(tier_id, n), headers={"Content-Type": "application/json"}
        )
        if response.status_code != 201:
            raise RuntimeError(f"order {n}: {response.status_code} {response.get_data()[:300]}")


def main(argv: list[str]) -> None:
    count = int(argv[0]) if argv and argv[0].isdigit() else 600
    top = int(argv[argv.index("--top") + 1]) if "--top" in argv else 35
    with Stack("profile") as stack:
        world = seed.base(stack.engine, capacity=count + 1_000, floor_tokens=1)
        os.environ.update(stack.env())
        from bench.floor import create_app

        app = create_app()
        client = app.test_client()
        path = f"/api/v1/events/{world.event_id}/orders"
        _orders(client, path, world.tier_id, 0, 100)  # warm-up: connections, caches
        profiler = cProfile.Profile(time.process_time)
        profiling = "--no-profile" not in argv  # CPU per order only, without the overhead
        cpu, wall = time.process_time(), time.perf_counter()
        if profiling:
            profiler.enable()
        _orders(client, path, world.tier_id, 100, count)
        profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        with app.app_context():
            from ticketing.extensions import db

            db.engine.dispose()
    print(f"{count} orders: {cpu / count * 1000:.2f} ms CPU per order in this process, "
          f"{wall / count * 1000:.2f} ms wall")  # fmt: skip  # noqa: T201
    if not profiling:
        return
    if "--out" in argv:  # for pstats (or snakeviz) afterwards
        profiler.dump_stats(argv[argv.index("--out") + 1])
    stats = pstats.Stats(profiler).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


if __name__ == "__main__":
    main(sys.argv[1:])
