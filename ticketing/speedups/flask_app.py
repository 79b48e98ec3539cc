"""Flask's per-request costs that never change their answer.

Measured on a door scan in-process (docs/benchmarks.md, "Door: CPU per scan
1.18 -> 1.03 ms"): Flask asks `inspect` whether each hook and view is a
coroutine function 13 times per scan (3% of its CPU), and builds the
session's signer before it looks for the cookie (4%). Relies on
`Flask.ensure_sync` being the one place that asks, and on
`SecureCookieSessionInterface.open_session`/`get_cookie_name`/`session_class`.
"""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface


class TicketingFlask(Flask):
    """Flask, remembering which hooks and views are plain functions.

    Flask asks inspect whether each before/after-request hook, teardown and
    view is a coroutine function on every request (13 times per door scan,
    3% of its CPU); the answer never changes for a given function.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync_functions = {}

    def ensure_sync(self, func):
        try:
            return self._sync_functions[func]
        except KeyError:
            pass
        except TypeError:  # an unhashable callable: ask every time
            return super().ensure_sync(func)
        result = super().ensure_sync(func)
        if len(self._sync_functions) < 10_000:  # hooks and views are a fixed set
            self._sync_functions[func] = result
        return result


class CookielessSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with no signing work for a request that
    carries no session cookie (every API call with a bearer token): Flask
    builds the signer before it looks for the cookie, 4% of a door scan."""

    def open_session(self, app, request):
        if not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
