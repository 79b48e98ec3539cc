"""The Stripe SDK's HTTP client, with the proxy settings looked up once.

Measured (docs/benchmarks.md, "Checkout: app CPU per order 9.3 -> 4.3 ms"):
requests looked up the proxy variables in the environment on every call,
0.4 ms of CPU, 8% of a checkout. Relies on the private
`stripe.RequestsClient._request_internal` and its per-thread
`_thread_local.session`.
"""

import urllib.request
from urllib.parse import urlsplit

import requests
import stripe


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
