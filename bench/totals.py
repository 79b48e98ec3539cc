"""Totals at scale: the totals API and the dashboard page at 10k, 100k and 1M tickets.

The same event grows from one size to the next (bulk inserts between the
measurements); each size is measured one request at a time, after a warm-up.
"""

from bench import seed
from bench.harness import Stack, drive, floor_requests

SIZES = (10_000, 100_000, 1_000_000)
API_REQUESTS = 200
PAGE_REQUESTS = 40


def _latency(run: dict) -> dict:
    figures = {k: run["all"][k] for k in ("mean_ms", "p50_ms", "p95_ms", "p99_ms")}
    figures["answers"] = {s: v["count"] for s, v in run["statuses"].items()}
    return figures


def run(sizes=SIZES) -> dict:
    rows = []
    with Stack("totals") as stack:
        world = seed.base(stack.engine, capacity=2 * max(sizes))
        auth = [{"Authorization": f"Bearer {world.organizer_token}"}]
        api = f"/api/v1/events/{world.event_id}/totals"
        page = f"/manage/events/{world.event_id}/dashboard"
        floor, floor_headers = floor_requests(API_REQUESTS, world.floor_tokens[:1])
        seeded = 0
        for size in sizes:
            seed.paid_tickets(stack.engine, world, size - seeded, label=f"tickets up to {size:,}")
            seeded = size
            drive(stack, [("GET", api, 0, "")] * 20 + [("GET", page, 0, "")] * 8,
                  concurrency=1, max_seconds=120, header_sets=auth)  # fmt: skip
            api_run = drive(stack, [("GET", api, 0, "")] * API_REQUESTS, concurrency=1,
                            max_seconds=120, header_sets=auth, keep_bodies=1)  # fmt: skip
            page_run = drive(stack, [("GET", page, 0, "")] * PAGE_REQUESTS, concurrency=1,
                             max_seconds=120, header_sets=auth)  # fmt: skip
            floor_run = drive(stack, floor, concurrency=1, max_seconds=60,
                              header_sets=floor_headers)  # fmt: skip
            rows.append(
                {
                    "tickets": size,
                    "totals_api": _latency(api_run),
                    "dashboard": _latency(page_run),
                    "floor": _latency(floor_run),
                    "sample": api_run["bodies"][0][1] if api_run["bodies"] else "",
                }
            )
    first, last = rows[0], rows[-1]
    return {
        "name": "totals",
        "sizes": rows,
        "totals_api_growth": round(
            last["totals_api"]["mean_ms"] / first["totals_api"]["mean_ms"], 2
        ),
        "dashboard_growth": round(last["dashboard"]["mean_ms"] / first["dashboard"]["mean_ms"], 2),
    }
