"""Flask-Limiter's before-request hook, dropped when it can find nothing to do.

Measured (docs/benchmarks.md, "Door scans: 341 -> 680-730 scans/s"): 0.2 ms
of CPU on every request, a fifth of a door scan's budget, the floor
included. Relies on the private `Limiter._check_request_limit` (the hook
`init_app` registers) and `LimitManager._blueprint_limits`.
"""

from flask import Flask

from ticketing.extensions import limiter


def skip_limiter_middleware(app: Flask) -> None:
    """Only decorated views have rate limits (login), and their decorator checks them.

    Flask-Limiter's before-request hook looks for default, application and
    blueprint limits on every request; with none configured it finds nothing,
    at about 0.2 ms of CPU per request (a fifth of a door scan's budget).
    When any such limit exists the hook stays.
    """
    manager = limiter.limit_manager
    if manager.default_limits or manager.application_limits or manager._blueprint_limits:
        return
    if any(app.config.get(name) for name in ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION")):
        return
    check = limiter._check_request_limit
    hooks = app.before_request_funcs.get(None, [])
    app.before_request_funcs[None] = [hook for hook in hooks if hook != check]
