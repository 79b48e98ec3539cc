"""Speed patches that lean on private internals of the libraries we run on.

Each was measured (docs/benchmarks.md) and each can break silently on a
minor upgrade of its library, so they live here together, each module
naming what it relies on, and tests/test_speedups.py fails the day one of
those private names disappears:

- `flask_app`: `TicketingFlask` remembers `ensure_sync` per function, and
  `CookielessSessionInterface` builds no signer without a session cookie
  (3% and 4% of a door scan);
- `limiter`: `skip_limiter_middleware` drops Flask-Limiter's before-request
  hook when no default, application or blueprint limit exists (0.2 ms off
  every request; relies on `Limiter._check_request_limit` and
  `LimitManager._blueprint_limits`);
- `stripe_http`: `HTTPClient`, the SDK's requests client with the proxy
  settings resolved once (8% of a checkout; relies on
  `RequestsClient._request_internal` and `_thread_local`);
- `gunicorn_worker`: `BalancedThreadWorker`, gthread spreading kept-alive
  clients across processes (per-connection p50 36 -> 13 ms for the worst
  served scanners; relies on ThreadWorker's `set_accept_enabled`,
  `enqueue_req`, `finish_request`, `nr_conns`, `max_keepalived`).
"""
