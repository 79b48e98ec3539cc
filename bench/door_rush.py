"""Door rush: 20,000 paid tickets, 16 scanners at once, every ticket scanned once,
then a second pass of repeats (which must all be refused as already checked in).
"""

import json
import random

from sqlalchemy import text

from bench import seed
from bench.harness import Stack, drive, floor_requests

TICKETS = 20_000
WARM_UP = 400  # scanned before the measured pass, so it scans 20,000 fresh tickets
SCANNERS = 16
REPEATS = 10_000
FLOOR_REQUESTS = 10_000


def scan_requests(codes, event_id: int) -> list:
    return [
        ("POST", "/api/v1/checkins", n % SCANNERS,
         json.dumps({"code": code, "event_id": event_id, "gate": f"Gate {n % 4 + 1}"}))
        for n, code in enumerate(codes)
    ]  # fmt: skip


def _figures(run: dict, status: str) -> dict:
    answered = run["statuses"].get(status, {})
    return {
        "requests": run["answered"],
        "expected_answers": answered.get("count", 0),
        "other_answers": {s: v["count"] for s, v in run["statuses"].items() if s != status},
        "transport_errors": run["error_count"],
        "scans_per_s": run["requests_per_s"],
        "latency_ms": {k: run["all"][k] for k in ("mean_ms", "p50_ms", "p95_ms", "p99_ms")},
    }


def run() -> dict:
    with Stack("door") as stack:
        world = seed.base(stack.engine, capacity=TICKETS + WARM_UP, door_tokens=SCANNERS,
                          floor_tokens=SCANNERS)  # fmt: skip
        seed.paid_tickets(stack.engine, world, TICKETS + WARM_UP, label="paid tickets")
        codes = seed.ticket_codes(stack.engine, world)
        stack.settle()
        random.Random(7).shuffle(codes)
        warm, fresh = codes[:WARM_UP], codes[WARM_UP:]
        headers = [
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            for token in world.door_tokens
        ]
        floor, floor_headers = floor_requests(FLOOR_REQUESTS, world.floor_tokens)
        drive(stack, scan_requests(warm, world.event_id), concurrency=SCANNERS,
              max_seconds=60, header_sets=headers)  # fmt: skip
        drive(stack, floor[:500], concurrency=SCANNERS, max_seconds=60, header_sets=floor_headers)

        first = drive(stack, scan_requests(fresh, world.event_id), concurrency=SCANNERS,
                      max_seconds=180, header_sets=headers, keep_bodies=1)  # fmt: skip
        repeats = random.Random(8).sample(fresh, REPEATS)
        second = drive(stack, scan_requests(repeats, world.event_id), concurrency=SCANNERS,
                       max_seconds=120, header_sets=headers, keep_bodies=1)  # fmt: skip
        floor_run = drive(stack, floor, concurrency=SCANNERS, max_seconds=60,
                          header_sets=floor_headers)  # fmt: skip
        with stack.engine.connect() as conn:
            standing = conn.execute(
                text("SELECT count(*), count(DISTINCT ticket_id) FROM checkins"
                     " WHERE undone_at IS NULL AND event_id = :e"), {"e": world.event_id},
            ).one()  # fmt: skip

    first_pass = _figures(first, "200")
    floor_per_s = floor_run["requests_per_s"]
    return {
        "name": "door_rush",
        "tickets": TICKETS,
        "scanners": SCANNERS,
        "first_pass": first_pass,
        "second_pass": _figures(second, "409"),
        "standing_checkins": standing[0],
        "tickets_checked_in": standing[1],
        "floor_per_s": floor_per_s,
        "floor_latency_ms": {k: floor_run["all"][k] for k in ("p50_ms", "p95_ms", "p99_ms")},
        "ratio_to_floor": round(first_pass["scans_per_s"] / floor_per_s, 3),
        "sample_bodies": first["bodies"] + second["bodies"],
    }
