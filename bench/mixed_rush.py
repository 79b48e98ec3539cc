"""Mixed rush (issue 15): the door rush while a flash sale runs, Stripe slow, SMTP hanging.

On one stack: 16 scanners check in paid tickets while 100 buyers at once
try for 300 seats; every order that gets a Checkout Session is paid at the
stand-in by the benchmark's payers (its control endpoint, as the hosted page
does), so the stand-in sends the webhooks to the app as Stripe would. The
stand-in answers every API call 300 ms later than usual
(STANDIN_API_DELAY_SECONDS) and the mail server accepts connections and
never answers (`bench.smtp hang`). When the sale is over the mail server
"comes back": the hanging one is killed and a real aiosmtpd takes its port,
counting the messages each buyer gets.

When the app has a task worker (`flask --app app worker` exists, issue 15),
it runs next to the web processes on the bench's Redis database
(BENCH_MIXED_REDIS_URL, default db 14, emptied first) and its own sweep must
send what SMTP refused. Without one (today's code: the email is sent inside
the webhook request, 15 s SMTP timeout), `flask reconcile-stripe` and
`flask send-pending-emails` are run once after SMTP is back, as cron would.
BENCH_MIXED_WORKER=0 forces the second path even when a worker exists.

Measured: the door during the sale (answers finished while orders were
still being answered) and over the whole window; the sale; how fast the app
answered the stand-in's webhooks (the stand-in's own delivery log, every
attempt); the emails per paid order once SMTP is back; oversold seats.
"""

import json
import os
import random
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import redis
from sqlalchemy import text

from bench import seed
from bench.client import summarize
from bench.door_rush import scan_requests
from bench.flash_sale import order_body, seats_taken
from bench.harness import (
    PYTHON,
    ROOT,
    SECRET_KEY,
    WEBHOOK_SECRET,
    Stack,
    drive,
    floor_requests,
    free_port,
)
from ticketing.payments.gateway import standin_api_key

SCANNERS = 16
DOOR_TICKETS = 12_000  # 20 s at 600 scans/s
WARM_UP_SCANS = 200
CAPACITY = 300
ATTEMPTS = 400  # 300 get a seat, 100 must hear "sold out"
BUYERS = 100
WINDOW_S = 20  # the door and the sale send nothing new after this
# After SMTP is back: the most the emails may take (the drain ends as soon as every
# paid order is emailed and no webhook is still retrying).
DRAIN_S = float(os.environ.get("BENCH_MIXED_DRAIN_S", "60"))
STRIPE_DELAY_S = 0.3
PAYERS = 8
GIVE_UP_S = 5  # a phone at the door (or a buyer) gives up after this, counted as status 0
FLOOR_REQUESTS = 1_500
REDIS_URL = os.environ.get("BENCH_MIXED_REDIS_URL", "redis://127.0.0.1:6379/14")
SOLD = ("paid", "partially_refunded")


def has_worker_command(stack: Stack) -> bool:
    """Does this app have `flask --app app worker` (issue 15's task queue)?"""
    if os.environ.get("BENCH_MIXED_WORKER", "auto") == "0":
        return False
    done = subprocess.run(
        [PYTHON, "-m", "flask", "--app", "app", "worker", "--help"],
        cwd=ROOT, env=stack.env(), capture_output=True, timeout=120,
    )  # fmt: skip
    return done.returncode == 0


class Payers:
    """Pay every order of the sale's tier as soon as its Checkout Session exists."""

    def __init__(self, engine, standin_url: str, tier_id: int):
        self.engine, self.tier_id = engine, tier_id
        self.url = standin_url
        self.key = standin_api_key(SECRET_KEY)
        self.paid_sessions: list[str] = []
        self.outcomes: dict[str, int] = {}
        self.pay_ms: list[float] = []
        self.done_selling = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, name="payers", daemon=True)

    def start(self) -> "Payers":
        self.thread.start()
        return self

    def finish(self, timeout: float) -> None:
        self.done_selling.set()
        self.thread.join(timeout)

    def _new_sessions(self, after: int) -> list[tuple[int, str]]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    text(
                        "SELECT o.id, o.stripe_checkout_session_id FROM orders o"
                        " JOIN order_lines l ON l.order_id = o.id"
                        " WHERE l.ticket_type_id = :t AND o.id > :after"
                        " AND o.stripe_checkout_session_id IS NOT NULL ORDER BY o.id"
                    ),
                    {"t": self.tier_id, "after": after},
                )
            )

    def _run(self) -> None:
        seen = 0
        with ThreadPoolExecutor(PAYERS) as pool:
            while True:
                last_round = self.done_selling.is_set()
                rows = self._new_sessions(seen)
                for order_id, session_id in rows:
                    # An order whose session is not stored yet comes back next round.
                    seen = max(seen, order_id)
                    pool.submit(self._pay, session_id)
                if last_round:
                    break
                time.sleep(0.2)

    def _pay(self, session_id: str) -> None:
        request = urllib.request.Request(  # noqa: S310 (loopback stand-in)
            f"{self.url}/_standin/sessions/{session_id}/pay",
            data=json.dumps({"card_number": "4242424242424242", "name": "Bench"}).encode(),
            method="POST",
            headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"},
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                outcome = json.loads(response.read())["outcome"]
        except OSError as exc:
            outcome = f"error {type(exc).__name__}"
        with self.lock:
            self.pay_ms.append((time.perf_counter() - started) * 1000)
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
            if outcome == "paid":
                self.paid_sessions.append(session_id)


def _wait_smtp(port: int, seconds: float = 15) -> None:
    """Until the server on `port` greets (220)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                if sock.recv(3) == b"220":
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the counting SMTP server did not greet on port {port}")


def _wait_port(port: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port}")


def _messages(path: str) -> list[dict]:
    try:
        with open(path) as handle:
            return [json.loads(line) for line in handle if line.strip()]
    except FileNotFoundError:
        return []


def _webhook_log(db_path: str) -> tuple[list[tuple], dict]:
    """Every delivery attempt (type, duration ms, HTTP status, started at) and the
    events by delivery status."""
    conn = sqlite3.connect(db_path, timeout=30)
    try:
        attempts = conn.execute(
            "SELECT e.type, a.duration_ms, a.http_status, a.started FROM delivery_attempts a"
            " JOIN events e ON e.id = a.event_id ORDER BY a.started"
        ).fetchall()
        statuses = dict(
            conn.execute("SELECT delivery_status, count(*) FROM events GROUP BY 1").fetchall()
        )
    finally:
        conn.close()
    return attempts, statuses


def _emails_per_order(engine, tier_id: int, paid_sessions: list[str], path: str) -> dict:
    """For each session paid at the stand-in: its order and how many messages its buyer got."""
    with engine.connect() as conn:
        orders = conn.execute(
            text(
                "SELECT o.id, lower(o.buyer_email), o.status, o.email_status,"
                " o.stripe_checkout_session_id FROM orders o"
                " JOIN order_lines l ON l.order_id = o.id WHERE l.ticket_type_id = :t"
            ),
            {"t": tier_id},
        ).all()
    received: dict[str, int] = {}
    for message in _messages(path):
        for rcpt in message["rcpt"]:
            received[rcpt.lower()] = received.get(rcpt.lower(), 0) + 1
    by_session = {row[4]: row for row in orders if row[4]}
    paid = set(paid_sessions)
    counts = [received.get(by_session[s][1], 0) for s in paid if s in by_session]
    sold_in_app = [row for row in orders if row[2] in SOLD]
    unpaid_emails = sum(received.get(row[1], 0) for row in orders if row[4] not in paid)
    email_statuses: dict[str, int] = {}
    for row in sold_in_app:
        email_statuses[row[3]] = email_statuses.get(row[3], 0) + 1
    return {
        "paid_at_stripe": len(paid),
        "paid_in_app": len(sold_in_app),
        "emailed_once": sum(1 for c in counts if c == 1),
        "emailed_more_than_once": sum(1 for c in counts if c > 1),
        "not_emailed": sum(1 for c in counts if c == 0) + (len(paid) - len(counts)),
        "emails_to_unpaid_orders": unpaid_emails,
        "messages_received": sum(received.values()),
        "email_status_in_app": email_statuses,
    }


def _applied_lag(engine, since: float, until: float) -> dict:
    """How long the sale's payments waited for the worker: each checkout event kept
    by a webhook between `since` and `until` (epoch seconds), from the webhook's
    keeping it to the worker's applying it (not applied: counted apart)."""
    with engine.connect() as conn:
        rows = (
            conn.execute(
                text(
                    "SELECT extract(epoch FROM applied_at - received_at) * 1000 FROM stripe_events"
                    " WHERE type = 'checkout.session.completed'"
                    " AND received_at >= to_timestamp(:since)"
                    " AND received_at < to_timestamp(:until)"
                ),
                {"since": since, "until": until},
            )
            .scalars()
            .all()
        )
    applied = [float(ms) for ms in rows if ms is not None]
    return {**summarize(applied), "not_applied": len(rows) - len(applied)}


def _during(run: dict, until: float) -> dict:
    """The door's answers that finished before `until` (an absolute time)."""
    cutoff = until - run["started_at"]
    kept = [(lat, st) for fin, lat, st in run["timeline"] if fin <= cutoff]
    answered = [lat for lat, st in kept if st != 0]
    seconds = max(cutoff, 1e-6)
    return {
        "seconds": round(cutoff, 2),
        "answered": len(answered),
        "checked_in": sum(1 for _, st in kept if st == 200),
        "gave_up": len(kept) - len(answered),
        "scans_per_s": round(len(answered) / seconds, 1),
        # The time a scanner waited, given-up requests included (as the wait until then).
        "latency_ms": {k: v for k, v in summarize([lat for lat, _ in kept]).items()
                       if k != "count"},
    }  # fmt: skip


class StripeRetries:
    """Stripe delivers a failed event again later (for three days); here at once,
    in the background, each failed event once, so a jammed app cannot stall the bench."""

    def __init__(self, db_path: str, standin_url: str):
        self.db_path, self.url = db_path, standin_url
        self.key = standin_api_key(SECRET_KEY)
        self.sent: set[str] = set()
        self.outcomes: dict[str, int] = {}
        self.pool = ThreadPoolExecutor(PAYERS)

    def poll(self) -> None:
        conn = sqlite3.connect(self.db_path, timeout=30)
        try:
            failed = [row[0] for row in conn.execute(
                "SELECT id FROM events WHERE delivery_status = 'failed'")]  # fmt: skip
        finally:
            conn.close()
        for event_id in failed:
            if event_id not in self.sent:
                self.sent.add(event_id)
                self.pool.submit(self._resend, event_id)

    def _resend(self, event_id: str) -> None:
        request = urllib.request.Request(  # noqa: S310 (loopback stand-in)
            f"{self.url}/_standin/events/{event_id}/resend", data=b"{}", method="POST",
            headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
                outcome = json.loads(response.read())["delivery"]["status"]
        except OSError as exc:
            outcome = f"error {type(exc).__name__}"
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def close(self) -> dict:
        self.pool.shutdown(wait=False, cancel_futures=True)
        return {"resent": len(self.sent), **self.outcomes}


def _flask(stack: Stack, *command: str) -> str:
    done = subprocess.run(
        [PYTHON, "-m", "flask", "--app", "app", *command],
        cwd=ROOT, env=stack.env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    lines = (done.stdout or done.stderr).strip().splitlines()
    return f"{' '.join(command)}: {lines[-1] if lines else done.returncode}"


def _drain(stack: Stack, engine, payers: Payers, paths: dict, with_worker: bool) -> dict:
    """SMTP is back: Stripe retries the webhooks that failed, and the emails go out
    (the worker's sweep, or one cron run of today's command)."""
    started = time.monotonic()
    deadline = started + DRAIN_S
    retries = StripeRetries(paths["standin_db"], paths["standin_url"])
    cron = None
    while time.monotonic() < deadline:
        retries.poll()
        figures = _emails_per_order(engine, paths["tier"], payers.paid_sessions, paths["mail"])
        _, statuses = _webhook_log(paths["standin_db"])
        webhooks_settled = not (statuses.get("pending") or statuses.get("retrying"))
        if with_worker and figures["not_emailed"] == 0 and webhooks_settled:
            break
        if not with_worker and (webhooks_settled or time.monotonic() > deadline - 8):
            # Today's code: what the README has cron run, once SMTP is back.
            cron = _flask(stack, "send-pending-emails")
            break
        time.sleep(0.5)
    time.sleep(3)  # room for a duplicate to arrive
    return {"seconds": round(time.monotonic() - started, 1), "webhooks_retried": retries.close(),
            "cron": cron}  # fmt: skip


def _warm_fulfilment(stack: Stack, warm_tier: int, seconds: float = 30) -> None:
    """Pay the warm-up's orders and wait until their ticket emails are sent."""
    payers = Payers(stack.engine, f"http://127.0.0.1:{stack.standin_port}", warm_tier).start()
    payers.finish(timeout=seconds)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with stack.engine.connect() as conn:
            unsent = conn.execute(
                text(
                    "SELECT count(*) FROM orders o JOIN order_lines l ON l.order_id = o.id"
                    " WHERE l.ticket_type_id = :t AND o.status = 'paid'"
                    " AND o.email_status <> 'sent'"
                ),
                {"t": warm_tier},
            ).scalar_one()
        if unsent == 0 and payers.paid_sessions:
            return
        time.sleep(0.2)
    print(f"  (warm-up: {unsent} ticket emails still unsent after {seconds}s)")  # noqa: T201


def _world(stack: Stack):
    world = seed.base(stack.engine, capacity=DOOR_TICKETS + WARM_UP_SCANS,
                      door_tokens=SCANNERS, floor_tokens=SCANNERS)  # fmt: skip
    seed.paid_tickets(stack.engine, world, DOOR_TICKETS + WARM_UP_SCANS, label="door tickets")
    tiers = {}
    with stack.engine.begin() as conn:
        for name, capacity, position in (("Flash", CAPACITY, 1), ("Warm-up", 100_000, 2)):
            tiers[name] = conn.execute(
                text(
                    "INSERT INTO ticket_types (event_id, name, description, price_minor,"
                    " capacity, pay_what_you_want, max_per_order, position, created_at)"
                    " VALUES (:e, :n, '', 2500, :c, false, 10, :p, now()) RETURNING id"
                ),
                {"e": world.event_id, "n": name, "c": capacity, "p": position},
            ).scalar_one()
    return world, tiers["Flash"], tiers["Warm-up"]


def _phase(name: str, since: float) -> None:
    print(f"   {time.monotonic() - since:5.1f}s {name}", flush=True)  # noqa: T201


def run() -> dict:
    began = time.monotonic()
    redis.Redis.from_url(REDIS_URL).flushdb()  # the bench's own database: no stale tasks
    smtp_port = free_port()
    env = {"REDIS_URL": REDIS_URL, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port)}
    # The worker retries a failed email within the drain window (production:
    # every 30 s, backoff from 60 s); exactly-once does not depend on it.
    env.update(SWEEP_SECONDS="2", EMAIL_RETRY_SECONDS="10", EMAIL_RETRY_MAX_SECONDS="10")
    stack = Stack("mixed", env=env, standin_threads=16)
    stack.extra_standin = {
        "STANDIN_WEBHOOK_MODE": "async",
        "STANDIN_WEBHOOK_URL": f"{stack.url}/webhooks/stripe",
        "STANDIN_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STANDIN_API_DELAY_SECONDS": str(STRIPE_DELAY_S),
    }
    mail_log = os.path.join(stack.tmp, "mail.jsonl")
    with stack:
        with_worker = has_worker_command(stack)
        # Mail works during the warm-up; it hangs from just before the sale.
        warm_log = os.path.join(stack.tmp, "warm-up-mail.jsonl")
        stack.spawn("smtp-warm", [PYTHON, "-m", "bench.smtp", "count", str(smtp_port), warm_log])
        _wait_smtp(smtp_port)
        if with_worker:
            threads = os.environ.get("BENCH_WORKER_THREADS", "16")  # they wait on Stripe, not CPU
            worker = [PYTHON, "-m", "flask", "--app", "app", "worker", "--threads", threads]
            stack.spawn("worker", worker, stack.worker_nice)
        world, tier_id, warm_tier = _world(stack)
        codes = seed.ticket_codes(stack.engine, world)
        stack.settle()
        random.Random(7).shuffle(codes)
        scanners = [
            {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            for token in world.door_tokens
        ]
        json_headers = [{"Content-Type": "application/json"}]
        orders_path = f"/api/v1/events/{world.event_id}/orders"
        _phase("seeded", began)
        # Warm-up: every worker imports, connects and builds its Stripe client.
        drive(stack, scan_requests(codes[:WARM_UP_SCANS], world.event_id),
              concurrency=SCANNERS, max_seconds=30, header_sets=scanners)  # fmt: skip
        drive(stack, [("POST", orders_path, 0, order_body(warm_tier, n)) for n in range(32)],
              concurrency=16, max_seconds=30, header_sets=json_headers)  # fmt: skip
        # ... and the webhooks' pool and the task worker: as in production, where they
        # have served for days, their first webhook and ticket email are not the sale's.
        _warm_fulfilment(stack, warm_tier)
        stack.stop_one("smtp-warm")
        stack.spawn("smtp-hang", [PYTHON, "-m", "bench.smtp", "hang", str(smtp_port)])
        _wait_port(smtp_port)
        # The floor, on the idle stack (a jammed app after the sale would say nothing).
        floor, floor_headers = floor_requests(FLOOR_REQUESTS, world.floor_tokens)
        floor_run = drive(stack, floor, concurrency=SCANNERS, max_seconds=15,
                          header_sets=floor_headers)  # fmt: skip
        _phase(f"warmed up, floor {floor_run['requests_per_s']} req/s; the sale starts", began)

        sale_began = time.time()  # the stand-in's clock: the warm-up's webhooks came before
        payers = Payers(stack.engine, f"http://127.0.0.1:{stack.standin_port}", tier_id).start()
        sale_orders = [("POST", orders_path, 0, order_body(tier_id, 10_000 + n))
                       for n in range(ATTEMPTS)]  # fmt: skip
        with ThreadPoolExecutor(2) as pool:
            door_job = pool.submit(
                drive, stack, scan_requests(codes[WARM_UP_SCANS:], world.event_id),
                concurrency=SCANNERS, max_seconds=WINDOW_S, header_sets=scanners,
                keep_bodies=1, timeline=True, request_timeout_s=GIVE_UP_S,
            )  # fmt: skip
            sale_job = pool.submit(
                drive, stack, sale_orders, concurrency=BUYERS, max_seconds=WINDOW_S,
                header_sets=json_headers, keep_bodies=2, request_timeout_s=GIVE_UP_S,
            )  # fmt: skip
            sale, door = sale_job.result(), door_job.result()
        if os.environ.get("BENCH_MIXED_TIMELINE"):  # for a closer look: when the slow scans came
            with open(os.environ["BENCH_MIXED_TIMELINE"], "w") as handle:
                json.dump({"door": door["timeline"], "door_started_at": door["started_at"],
                           "sale_started_at": sale["started_at"]}, handle)  # fmt: skip
        payers.finish(timeout=60)
        _phase(f"sale over ({len(payers.paid_sessions)} paid); SMTP comes back", began)

        # SMTP comes back: the hanging server goes, a counting one takes its port.
        smtp_back = time.time()
        stack.stop_one("smtp-hang")
        stack.spawn("smtp", [PYTHON, "-m", "bench.smtp", "count", str(smtp_port), mail_log])
        _wait_smtp(smtp_port)
        paths = {"tier": tier_id, "mail": mail_log,
                 "standin_db": os.path.join(stack.tmp, "stripe.db"),
                 "standin_url": f"http://127.0.0.1:{stack.standin_port}"}  # fmt: skip
        drained = _drain(stack, stack.engine, payers, paths, with_worker)
        _phase("emails drained", began)
        emails = _emails_per_order(stack.engine, tier_id, payers.paid_sessions, mail_log)
        attempts, webhook_statuses = _webhook_log(paths["standin_db"])
        applied_lag = _applied_lag(stack.engine, sale_began, smtp_back)
        taken = seats_taken(stack.engine, tier_id)
        worker_alive = None
        if with_worker:
            worker = next(p for name, p in stack.processes if name == "worker")
            worker_alive = worker.poll() is None
        app_errors = stack.log_tail("app", 20) if sale["statuses"].get("500") else ""
    _phase("stack stopped", began)

    created = sale["statuses"].get("201", {})
    sale_end = sale["started_at"] + max(
        (entry.get("last_s") or 0 for entry in sale["statuses"].values()), default=0
    )
    during = _during(door, sale_end)
    door_all = {
        "seconds": door["elapsed_s"],
        "answered": door["answered"],
        "checked_in": (door["statuses"].get("200") or {}).get("count", 0),
        "scans_per_s": round(
            sum(v["count"] for st, v in door["statuses"].items() if st != "0") / door["elapsed_s"],
            1,
        ),
        "latency_ms": {k: door["all"][k] for k in ("mean_ms", "p50_ms", "p95_ms", "p99_ms")},
        "other_answers": {s: v["count"] for s, v in door["statuses"].items() if s != "200"},
        "transport_errors": door["error_count"],
    }
    # Webhooks during the sale: attempts started after it began and before SMTP came
    # back (later ones are Stripe's retries of what failed, reported apart).
    in_sale = [(kind, d, st) for kind, d, st, at in attempts if sale_began <= at < smtp_back]
    later = [(kind, d, st) for kind, d, st, at in attempts if at >= smtp_back]
    completed = [d for kind, d, _ in in_sale if kind == "checkout.session.completed"]
    webhook_all = summarize([d for _, d, _ in in_sale])
    floor_per_s = floor_run["requests_per_s"]
    return {
        "name": "mixed_rush",
        "code_path": "task worker" if with_worker else "email inside the webhook (no worker)",
        "worker_alive_at_end": worker_alive,
        "settings": {
            "scanners": SCANNERS,
            "buyers": BUYERS,
            "capacity": CAPACITY,
            "attempts": ATTEMPTS,
            "window_s": WINDOW_S,
            "drain_s": DRAIN_S,
            "stripe_delay_s": STRIPE_DELAY_S,
            "redis_url": REDIS_URL,
        },  # fmt: skip
        "door_during_sale": during,
        "door_whole_window": door_all,
        "sale": {
            "seconds": round(sale_end - sale["started_at"], 2),
            "orders_created": created.get("count") or 0,
            "sold_out_answers": (sale["statuses"].get("409") or {}).get("count", 0),
            "other_answers": {
                s: v["count"] for s, v in sale["statuses"].items() if s not in ("201", "409")
            },
            "transport_errors": sale["error_count"],
            "unsent_attempts": ATTEMPTS - sale["sent"],
            "orders_per_s": round((created.get("count") or 0) / created["last_s"], 1)
            if created.get("last_s")
            else 0,
            "order_latency_ms": {k: created.get(k) for k in ("p50_ms", "p95_ms", "p99_ms")},
        },
        "payments": {"outcomes": payers.outcomes, "pay_ms": summarize(payers.pay_ms)},
        "webhooks": {
            "attempts": webhook_all,
            "checkout_completed_attempts": summarize(completed),
            "answers": _count(str(status) for _, _, status in in_sale),
            "after_smtp_back": {
                **summarize([d for _, d, _ in later]),
                "answers": _count(str(status) for _, _, status in later),
            },
            "events_by_delivery_status": webhook_statuses,
            # From the webhook's answer to the worker's applying its event (the
            # order paid, its tickets issued), for the payments of the sale.
            "applied_after_ms": applied_lag,
        },
        "emails": {**emails, "drain": drained},
        "seats_taken": taken,
        "oversold": max(0, taken - CAPACITY),
        "floor_per_s": floor_per_s,
        "ratio_to_floor": round(during["scans_per_s"] / floor_per_s, 3) if floor_per_s else None,
        "sample_bodies": sale["bodies"] + door["bodies"],
        "app_log_tail": app_errors,
    }


def _count(values) -> dict:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return counts
