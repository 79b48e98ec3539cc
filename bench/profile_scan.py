"""Where a door scan's CPU goes: `python -m bench.profile_scan [N] [--top K] [--out F]
[--no-profile]`.

As bench.profile_checkout, for the door: N paid tickets (default 2,000)
scanned one at a time through the WSGI test client with a door token, after
200 unprofiled warm-up scans, under cProfile with a CPU clock.
"""

import json
import sys

from bench import seed
from bench.harness import Stack
from bench.profiling import app_client, dispose, measured, report

WARM_UP = 200


def _scans(client, headers, event_id: int, codes: list[str]) -> None:
    for n, code in enumerate(codes):
        body = {"code": code, "event_id": event_id, "nonce": f"p-{code}", "gate": "Main"}
        response = client.post("/api/v1/checkins", data=json.dumps(body), headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"scan {n}: {response.status_code} {response.get_data()[:300]}")


def main(argv: list[str]) -> None:
    count = int(argv[0]) if argv and argv[0].isdigit() else 2_000
    with Stack("profile") as stack:
        world = seed.base(stack.engine, capacity=count + WARM_UP, door_tokens=1, floor_tokens=1)
        seed.paid_tickets(stack.engine, world, count + WARM_UP, label="door tickets")
        codes = seed.ticket_codes(stack.engine, world)
        app, client = app_client(stack)
        headers = {"Authorization": f"Bearer {world.door_tokens[0]}",
                   "Content-Type": "application/json"}  # fmt: skip
        _scans(client, headers, world.event_id, codes[:WARM_UP])
        profiler, cpu, wall = measured(
            argv, lambda: _scans(client, headers, world.event_id, codes[WARM_UP:])
        )
        dispose(app)
    report(argv, profiler, "scans", count, cpu, wall)


if __name__ == "__main__":
    main(sys.argv[1:])
