"""The Stripe SDK's HTTP client, with the proxy settings looked up once; and
its request path with a quicker form encoding and lazy log lines.

Measured (docs/benchmarks.md, "Checkout: app CPU per order 9.3 -> 4.3 ms"):
requests looked up the proxy variables in the environment on every call,
0.4 ms of CPU, 8% of a checkout. Relies on the private
`stripe.RequestsClient._request_internal` and its per-thread
`_thread_local.session`. The form encoding and the log lines (2026-12-07,
"Checkout profile"): 7.5% of a checkout's CPU, by the names
`stripe._api_requestor` imports (`urlencode`, `log_info`, `log_debug`) and
`stripe._util`'s `log_info`, `log_debug`, `logger`, `_console_log_level`.
"""

import logging
import urllib.request
from urllib.parse import quote_plus, urlencode, urlsplit

import requests
import stripe
import stripe._api_requestor as stripe_requestor
import stripe._util as stripe_util


class HTTPClient(stripe.RequestsClient):
    """Stripe's requests-based client, with the proxy settings read once.

    requests looks up proxy variables in the environment on every call
    (0.4 ms of CPU, 8% of a checkout); here they are resolved once per client
    for its one host, and each thread's session stops looking.
    """

    def __init__(self, base: str | None, timeout: float):
        super().__init__(timeout=timeout, proxy=fixed_proxy(base or "https://api.stripe.com"))

    def _request_internal(self, *args, **kwargs):
        # The SDK keeps one requests.Session per thread in _thread_local.
        if getattr(self._thread_local, "session", None) is None:
            session = requests.Session()
            session.trust_env = False
            self._thread_local.session = session
        return super()._request_internal(*args, **kwargs)


def fixed_proxy(base: str) -> dict | None:
    """The environment's proxies for `base`, as requests would pick them."""
    if urllib.request.proxy_bypass(urlsplit(base).hostname or ""):
        return None
    proxies = urllib.request.getproxies()
    chosen = {scheme: proxies[scheme] for scheme in ("http", "https") if scheme in proxies}
    return chosen or None


# The SDK's request path, on every call (stripe._api_requestor): the form body
# through urllib's urlencode, and three log lines formatted whether or not
# anything logs them. Measured in a checkout (cProfile, 400 orders): urlencode
# 5.5% of the app's CPU (every bracketed key quoted character by character),
# the log lines 2%.
_QUOTED: dict[str, str] = {}
_QUOTED_MAX = 4096


def _quote(value) -> str:
    """quote_plus as urlencode applies it, remembered for the strings that recur
    (the parameter names, small values); a full cache is emptied, never grown."""
    if type(value) is not str:
        return quote_plus(value if isinstance(value, bytes) else str(value))
    quoted = _QUOTED.get(value)
    if quoted is None:
        quoted = quote_plus(value)
        if len(value) <= 200:
            if len(_QUOTED) >= _QUOTED_MAX:
                _QUOTED.clear()
            _QUOTED[value] = quoted
    return quoted


def form_urlencode(query, doseq=False, safe="", encoding=None, errors=None, quote_via=quote_plus):
    """urllib.parse.urlencode, the same bytes out; quicker for a list of pairs."""
    if (
        doseq
        or safe
        or encoding
        or errors
        or quote_via is not quote_plus
        or not isinstance(query, list)
    ):
        return urlencode(query, doseq, safe, encoding, errors, quote_via)
    return "&".join(f"{_quote(key)}={_quote(value)}" for key, value in query)


def _console_level() -> str | None:
    return stripe_util._console_log_level()


def log_info(message, **params):
    """stripe._util.log_info, formatting the line only when something will log it."""
    if _console_level() in ("debug", "info") or stripe_util.logger.isEnabledFor(logging.INFO):
        stripe_util.log_info(message, **params)


def log_debug(message, **params):
    """stripe._util.log_debug, formatting the line only when something will log it."""
    if _console_level() == "debug" or stripe_util.logger.isEnabledFor(logging.DEBUG):
        stripe_util.log_debug(message, **params)


def patch_sdk() -> None:
    """Point the SDK's request path at the functions above (idempotent)."""
    stripe_requestor.urlencode = form_urlencode
    stripe_requestor.log_info = log_info
    stripe_requestor.log_debug = log_debug


patch_sdk()
