"""Door sync: the offline scanner's door list of 20,000 tickets, a delta after
500 check-ins, and a batch of 1,000 offline scans, through the real stack
(nginx, the door's gunicorn, PostgreSQL) over HTTP.

Holders get varied names (a third Cyrillic, some Turkish) so the gzipped
size is what a real event would send, not the seed's "Buyer 123".
"""

import gzip
import json
import random
import statistics
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bench import seed
from bench.harness import Stack, drive, floor_requests

TICKETS = 20_000
LIST_RUNS = 9
CHECKINS = 500
BATCH = 1_000
BATCH_RUNS = 3
FLOOR_REQUESTS = 300

FIRST = ["Anna", "Mehmet", "Olga", "Ayşe", "Ivan", "Zeynep", "John", "Elif", "Maria", "Can",
         "Анна", "Иван", "Ольга", "Дмитрий", "Наталья", "Сергій", "Олена", "Тарас"]  # fmt: skip
LAST = ["Smith", "Yılmaz", "Kaya", "Demir", "Petrova", "Şahin", "Garcia", "Öztürk", "Brown",
        "Петрова", "Иванов", "Смирнова", "Кузнецов", "Шевченко", "Коваленко", "Бондар"]  # fmt: skip


def _name_holders(engine, event_id: int) -> None:
    """Realistic names (seeded 'Buyer n' compresses to nothing)."""
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(
            text(
                "UPDATE tickets SET holder_name = (CAST(:first AS text[]))[1 + id % :nf] || ' '"
                " || (CAST(:last AS text[]))[1 + (id / 7) % :nl] WHERE event_id = :e"
            ),
            {"first": FIRST, "last": LAST, "nf": len(FIRST), "nl": len(LAST), "e": event_id},
        )


def _get(url: str, token: str) -> tuple[int, bytes, float]:
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback http)
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
        data = response.read()
        assert response.headers.get("Content-Encoding") == "gzip"
    return response.status, data, (time.perf_counter() - started) * 1000


def _post(url: str, token: str, body: dict) -> tuple[int, dict, float]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")  # noqa: S310
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
        data = json.loads(response.read())
    return response.status, data, (time.perf_counter() - started) * 1000


def _scans(codes: list[str]) -> list[dict]:
    base = datetime.now(UTC) - timedelta(minutes=30)
    return [
        {"code": code, "nonce": uuid.uuid4().hex, "gate": "Offline",
         "scanned_at": (base + timedelta(milliseconds=n * 100)).isoformat()}
        for n, code in enumerate(codes)
    ]  # fmt: skip


def run() -> dict:
    with Stack("door_sync") as stack:
        world = seed.base(stack.engine, capacity=TICKETS, door_tokens=2, floor_tokens=2)
        seed.paid_tickets(stack.engine, world, TICKETS, label="paid tickets")
        _name_holders(stack.engine, world.event_id)
        codes = seed.ticket_codes(stack.engine, world)
        stack.settle()
        random.Random(11).shuffle(codes)
        token = world.door_tokens[0]
        list_path = f"/api/v1/events/{world.event_id}/door-list"
        url = stack.url + list_path

        _get(url, token)  # the first list makes the salt
        headers = [{"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"}]
        drive(stack, [("GET", list_path, 0, "")] * 2, concurrency=1, max_seconds=60,
              header_sets=headers)  # fmt: skip
        timed = drive(stack, [("GET", list_path, 0, "")] * LIST_RUNS, concurrency=1,
                      max_seconds=120, header_sets=headers)  # fmt: skip
        status, full_gz, _ = _get(url, token)
        full = json.loads(gzip.decompress(full_gz))
        leaked = sum(1 for code in codes[:200] if code.encode() in gzip.decompress(full_gz))

        scan_headers = [{"Authorization": f"Bearer {token}", "Content-Type": "application/json"}]
        scans = [("POST", "/api/v1/checkins", 0,
                  json.dumps({"code": code, "event_id": world.event_id, "gate": "East"}))
                 for code in codes[:CHECKINS]]  # fmt: skip
        scanned = drive(stack, scans, concurrency=4, max_seconds=120, header_sets=scan_headers)
        _, delta_gz, delta_ms = _get(f"{url}?since={full['cursor']}", token)
        delta = json.loads(gzip.decompress(delta_gz))

        batch_ms, batch_ok = [], 0
        offline_token = world.door_tokens[1]
        for n in range(BATCH_RUNS):
            chunk = codes[CHECKINS + n * BATCH : CHECKINS + (n + 1) * BATCH]
            body = {"event_id": world.event_id, "scans": _scans(chunk)}
            _, answer, ms = _post(stack.url + "/api/v1/checkins/batch", offline_token, body)
            batch_ms.append(ms)
            batch_ok += sum(1 for r in answer["results"] if r["status"] == "ok")
        floor, floor_headers = floor_requests(FLOOR_REQUESTS, world.floor_tokens[:1])
        floor_run = drive(stack, floor, concurrency=1, max_seconds=60, header_sets=floor_headers)
        with stack.engine.connect() as conn:
            standing = conn.execute(
                text("SELECT count(*) FROM checkins WHERE undone_at IS NULL AND event_id = :e"),
                {"e": world.event_id},
            ).scalar_one()

    floor_ms = floor_run["all"]["p50_ms"]
    list_p50 = timed["all"]["p50_ms"]
    return {
        "name": "door_sync",
        "tickets": TICKETS,
        "full_list": {
            "status": status,
            "entries": len(full["tickets"]),
            "gzip_bytes": len(full_gz),
            "json_bytes": len(gzip.decompress(full_gz)),
            "latency_ms": {k: timed["all"][k] for k in ("mean_ms", "p50_ms", "p95_ms", "max_ms")},
            "runs": timed["all"]["count"],
            "codes_found_in_body": leaked,
        },
        "delta_after_checkins": {
            "checkins": CHECKINS,
            "scan_answers": {s: v["count"] for s, v in scanned["statuses"].items()},
            "entries": len(delta["tickets"]),
            "gzip_bytes": len(delta_gz),
            "latency_ms": round(delta_ms, 1),
        },
        "batch": {
            "scans_per_batch": BATCH,
            "runs_ms": [round(ms, 1) for ms in batch_ms],
            "p50_ms": round(statistics.median(batch_ms), 1),
            "ok": batch_ok,
        },
        "standing_checkins": standing,
        "floor_per_s": floor_run["requests_per_s"],
        "floor_p50_ms": floor_ms,
        # How many floor requests (token check + 1-row update) one full list costs.
        "ratio_to_floor": round(list_p50 / floor_ms, 1) if floor_ms else None,
    }
