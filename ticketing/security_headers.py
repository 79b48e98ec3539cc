"""Security headers on every response: a strict CSP, no framing, no referrer, no sniffing.

Pages carry no inline script, style or event handler (tests/security checks
the templates), so the policy allows only this origin's own files. The
header values are built once per configuration; each response only gets
them appended (the door scan pays a few microseconds).

- `form-action` lists, beside this origin, the Stripe Checkout origin the
  buy form's answer redirects to: Chromium checks the redirect of a form
  submission against it too.
- The camera is allowed only on the scanner pages; their qr-scanner starts
  its decoder as a `blob:` worker, so only they allow `worker-src blob:`.
- Order links and device links carry keys: no page sends a referrer.
- HSTS only in production (APP_ENV=production), where TLS is guaranteed.
"""

from urllib.parse import urlsplit

from flask import Flask, request

STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"
CAMERA_ENDPOINTS = frozenset({"checkin.scanner", "checkin.device_link"})
HSTS = "max-age=31536000"

_BASE_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    # data: for the small SVG icons inside the vendored Swagger UI stylesheet.
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
)


def origin_of(url: str) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def content_security_policy(form_targets: tuple[str, ...] = (), *, camera: bool = False) -> str:
    """The policy: this origin only, plus where forms may lead and the scanner's worker."""
    directives = list(_BASE_POLICY)
    directives.append(" ".join(("form-action", "'self'", *form_targets)))
    directives.append("worker-src 'self' blob:" if camera else "worker-src 'self'")
    return "; ".join(directives)


def permissions_policy(*, camera: bool) -> str:
    return ", ".join(
        ("camera=(self)" if camera else "camera=()", "microphone=()", "geolocation=()")
    )


def header_pairs(
    form_targets: tuple[str, ...] = (), *, camera: bool = False, production: bool = False
) -> tuple[tuple[str, str], ...]:
    pairs = [
        ("Content-Security-Policy", content_security_policy(form_targets, camera=camera)),
        ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),  # frame-ancestors for browsers without CSP 2
        ("Permissions-Policy", permissions_policy(camera=camera)),
    ]
    if production:
        pairs.append(("Strict-Transport-Security", HSTS))
    return tuple(pairs)


def checkout_targets(config) -> tuple[str, ...]:
    """Where the buy form's redirect may go: Stripe, or a stand-in at another address.

    The stand-in mounted at /_stripe (no key, no STRIPE_API_BASE) is this origin.
    """
    base = config.get("STRIPE_API_BASE")
    if base:
        origin = origin_of(base)
        return (origin,) if origin else ()
    if config.get("STRIPE_SECRET_KEY"):
        return (STRIPE_CHECKOUT_ORIGIN,)
    return ()


def set_headers(response, pairs) -> None:
    """Append the prepared pairs, as they are.

    `Headers.set` would check each value and look for an earlier copy: 16 us
    a response, 1.5% of a door scan; appending takes 0.5 us. The values are
    ours and valid. Where a view sent one already (the door and order pages
    send Referrer-Policy), ours comes last, which browsers follow for
    Referrer-Policy and Permissions-Policy; two CSPs would both apply.
    """
    headers = response.headers
    store = getattr(headers, "_list", None)  # werkzeug's list of (name, value)
    if isinstance(store, list):
        store.extend(pairs)
    else:
        headers.extend(pairs)


def init_app(app: Flask) -> None:
    config = app.config
    built: dict[tuple, tuple[tuple[str, str], ...]] = {}

    def pairs_for(camera: bool):
        # Built once per combination of what they depend on: the tests point
        # STRIPE_API_BASE at a stand-in after the app is built.
        key = (camera, config.get("APP_ENV"), config.get("STRIPE_API_BASE"),
               bool(config.get("STRIPE_SECRET_KEY")))  # fmt: skip
        pairs = built.get(key)
        if pairs is None:
            production = config.get("APP_ENV") == "production"
            pairs = header_pairs(checkout_targets(config), camera=camera, production=production)
            built[key] = pairs
        return pairs

    @app.after_request
    def add_security_headers(response):
        """Every answer of this app: pages, API, static files and errors alike."""
        set_headers(response, pairs_for(request.endpoint in CAMERA_ENDPOINTS))
        return response
