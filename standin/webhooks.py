"""Events and their delivery, signed exactly as Stripe signs them.

Every event is stored first (inside the transaction that caused it) and
delivered only after that transaction commits, so a receiver that re-reads
the object from the API sees the new state. Modes: "async" (a background
thread posts and retries with backoff, bounded), "sync" (posted before the
API call or page POST returns; deterministic for tests), "off" (stored only).
"""

import hashlib
import hmac
import json
import logging
import threading
import time
import urllib.error
import urllib.request

from standin.objects import public
from standin.store import Store, Tx, new_id

log = logging.getLogger(__name__)
MODES = ("async", "sync", "off")
# Stripe retries a failed delivery for up to three days, further and further
# apart: seconds to wait before each retry (STANDIN_WEBHOOK_SCHEDULE="stripe").
STRIPE_SCHEDULE = (60, 300, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600, 24 * 3600)


def parse_schedule(value) -> tuple[float, ...] | None:
    """STANDIN_WEBHOOK_SCHEDULE: "stripe", or seconds between attempts ("0.1,0.5,2")."""
    if value in (None, ""):
        return None
    if value == "stripe":
        return STRIPE_SCHEDULE
    if isinstance(value, str):
        value = value.split(",")
    delays = tuple(float(part) for part in value)
    if any(delay < 0 for delay in delays):
        raise ValueError("STANDIN_WEBHOOK_SCHEDULE needs delays >= 0")
    return delays


# Never send loopback webhooks through a proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header: HMAC-SHA256 of "{t}.{payload}" with the secret."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


class Dispatcher:
    """Delivers stored events to one endpoint; every attempt is recorded."""

    def __init__(
        self,
        store: Store,
        *,
        url: str,
        secret: str,
        mode: str = "async",
        api_version: str,
        attempts: int = 4,
        backoff_seconds: float = 0.5,
        timeout_seconds: float = 10.0,
        schedule: tuple[float, ...] | None = None,
    ):
        if mode not in MODES:
            raise ValueError(f"STANDIN_WEBHOOK_MODE must be one of {MODES}, not {mode!r}")
        self.store = store
        self.url = url
        self.secret = secret
        self.mode = mode
        self.api_version = api_version
        # Either an explicit schedule of waits, or `attempts` with doubling backoff.
        self.delays = (
            tuple(schedule)
            if schedule is not None
            else tuple(backoff_seconds * 2**n for n in range(max(1, attempts) - 1))
        )
        self.attempts = len(self.delays) + 1
        self.backoff_seconds = backoff_seconds
        self.timeout_seconds = timeout_seconds

    @property
    def delivers(self) -> bool:
        return bool(self.url) and self.mode != "off"

    def record(self, tx: Tx, event_type: str, obj: dict, now: int) -> dict:
        """Store an event about `obj` (a snapshot of its public view)."""
        event = {
            "id": new_id("evt_"),
            "object": "event",
            "api_version": self.api_version,
            "created": now,
            "data": {"object": public(obj)},
            "livemode": False,
            "pending_webhooks": 1 if self.delivers else 0,
            "request": dict(tx.request_info),
            "type": event_type,
        }
        tx.add_event(event, "pending" if self.delivers else "not_sent")
        return event

    def dispatch(self, event_ids: list[str]) -> None:
        """Called after commit with the events a unit of work recorded."""
        if not event_ids or not self.delivers:
            return
        if self.mode == "sync":
            self._deliver_all(event_ids)
        else:
            threading.Thread(
                target=self._deliver_all,
                args=(list(event_ids),),
                daemon=True,
                name="standin-webhooks",
            ).start()

    def _deliver_all(self, event_ids: list[str]) -> None:
        for event_id in event_ids:
            try:
                self.deliver(event_id)
            except Exception:  # a background thread must not die silently
                log.exception("stand-in: delivering %s failed", event_id)

    def deliver(self, event_id: str, url: str | None = None) -> dict:
        """Post one event, retrying with backoff; returns the delivery record."""
        url = url or self.url
        with self.store.read() as tx:
            row = tx.event_row(event_id)
        if row is None:
            raise KeyError(event_id)
        body = row["body"]
        for attempt in range(1, self.attempts + 1):
            started, clock = time.time(), time.perf_counter()
            http_status, error = self._post(url, body)
            duration_ms = round((time.perf_counter() - clock) * 1000, 2)
            ok = http_status is not None and 200 <= http_status < 300
            final = ok or attempt == self.attempts
            status = "delivered" if ok else ("failed" if final else "retrying")
            with self.store.write() as tx:
                tx.record_delivery(
                    event_id, status, http_status, error, int(time.time()) if ok else None,
                    started=started, duration_ms=duration_ms,
                )  # fmt: skip
            if final:
                break
            time.sleep(self.delays[attempt - 1])
        with self.store.read() as tx:
            return delivery_of(tx.event_row(event_id), tx.delivery_log(event_id))

    def _post(self, url: str, body: str) -> tuple[int | None, str | None]:
        request = urllib.request.Request(  # noqa: S310  (the configured webhook URL)
            url,
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                "Stripe-Signature": sign(body, self.secret),
            },
        )
        try:
            with _opener.open(request, timeout=self.timeout_seconds) as response:
                response.read()
                return response.status, None
        except urllib.error.HTTPError as exc:
            return exc.code, f"HTTP {exc.code}"
        except (OSError, ValueError) as exc:
            return None, f"{type(exc).__name__}: {exc}"


def delivery_of(row, log: list[dict] | None = None) -> dict:
    """How an event's delivery went; `log`: each attempt (started, duration_ms, answer)."""
    delivery = {
        "status": row["delivery_status"],
        "attempts": row["attempts"],
        "last_http_status": row["last_http_status"],
        "last_error": row["last_error"],
        "delivered_at": row["delivered_at"],
    }
    if log is not None:
        delivery["log"] = log
    return delivery


def event_summary(row, log: list[dict] | None = None) -> dict:
    return {
        "id": row["id"],
        "type": row["type"],
        "created": row["created"],
        "delivery": delivery_of(row, log),
        "event": json.loads(row["body"]),
    }
