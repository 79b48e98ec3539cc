"""Every response carries the security headers (ticketing/security_headers.py).

Every route of the access table (tests/integration/access_table.py), called
as the organizer, plus static files, errors of each kind and the Stripe
stand-in. Rendered pages carry no inline code either.
"""

import pytest

from tests.integration.access_table import ROWS
from tests.integration.test_authorization_matrix import caller, send
from tests.security.inline_code import inline_code
from tests.support.world import build_world
from ticketing.security_headers import CAMERA_ENDPOINTS, content_security_policy

SCANNER_ENDPOINTS = {"checkin.scanner", "checkin.device_link"}


@pytest.fixture
def world(db):
    return build_world(db)


def directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    parts = [part.strip().split(" ", 1) for part in policy.split(";")]
    return {name: rest for name, rest in parts}


def assert_secured(response, *, camera: bool = False) -> None:
    where = f"{response.request.method} {response.request.path} -> {response.status_code}"
    policy = directives(response)
    assert policy["default-src"] == "'self'", where
    assert policy["script-src"] == "'self'", where  # no 'unsafe-inline', no 'unsafe-eval'
    assert policy["style-src"] == "'self'", where
    assert policy["object-src"] == "'none'", where
    assert policy["base-uri"] == "'none'", where
    assert policy["frame-ancestors"] == "'none'", where
    assert policy["form-action"].startswith("'self'"), where
    assert "unsafe" not in response.headers["Content-Security-Policy"], where
    assert response.headers["Referrer-Policy"] == "no-referrer", where
    assert response.headers["X-Content-Type-Options"] == "nosniff", where
    assert response.headers["X-Frame-Options"] == "DENY", where
    permissions = response.headers["Permissions-Policy"]
    assert ("camera=(self)" if camera else "camera=()") in permissions, where
    assert ("blob:" in policy["worker-src"]) is camera, where
    assert "Strict-Transport-Security" not in response.headers, where  # not production


def test_the_camera_pages_are_the_scanner_pages():
    assert CAMERA_ENDPOINTS == SCANNER_ENDPOINTS


def test_every_route_of_the_access_table(app, world):
    seen = set()
    for label, row in ROWS.items():
        client, headers = caller(app, world, "organizer", row.page)
        response = send(client, headers, row.build(world, "organizer"), row.csrf_field)
        assert_secured(
            response, camera=row.endpoint in SCANNER_ENDPOINTS and response.status_code == 200
        )
        if response.mimetype == "text/html":
            assert inline_code(response.get_data(as_text=True)) == [], label
        response.close()  # a streamed CSV holds its request context until closed
        seen.add(row.endpoint)
    assert seen >= SCANNER_ENDPOINTS


def test_the_device_link_scanner_allows_the_camera(app, world):
    response = app.test_client().get(f"/door/device/{world.device_token}")
    assert response.status_code == 200
    assert_secured(response, camera=True)


def test_static_files_and_errors(make_app, world):
    app = make_app(MAX_CONTENT_LENGTH=1000)

    @app.get("/boom")
    def boom():
        raise RuntimeError("a bug")

    client = app.test_client()
    answers = [
        client.get("/static/css/app.css"),
        client.get("/static/js/forms.js"),
        client.get("/no-such-page"),
        client.get("/api/v1/no-such-thing"),
        client.delete("/login"),
        client.post(
            f"/api/v1/events/{world.event.id}/orders",
            data="x" * 2000,
            content_type="application/json",
        ),
        client.get("/boom"),
        client.get("/healthz"),
        client.get("/api/v1/openapi.json"),
    ]
    statuses = [r.status_code for r in answers]
    assert statuses == [200, 200, 404, 404, 405, 413, 500, 200, 200]
    for response in answers:
        assert_secured(response)
        response.close()


def test_hsts_only_in_production(app, world):
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/").headers
    app.config["APP_ENV"] = "production"  # the headers follow the setting
    for path in ("/", "/api/v1/openapi.json", f"/door/device/{world.device_token}"):
        assert client.get(path).headers["Strict-Transport-Security"] == "max-age=31536000"


@pytest.mark.parametrize(
    ("settings", "target"),
    [
        ({"STRIPE_API_BASE": "http://127.0.0.1:12111/"}, "http://127.0.0.1:12111"),
        ({"STRIPE_API_BASE": "", "STRIPE_SECRET_KEY": "sk_test_x"}, "https://checkout.stripe.com"),
    ],
)
def test_the_buy_form_may_lead_to_the_checkout_page(app, world, settings, target):
    """Chromium checks the buy form's redirect against form-action (tests: test_csp_browser.py)."""
    app.config.update(settings)
    response = app.test_client().get(f"/events/{world.event.slug}")
    assert directives(response)["form-action"] == f"'self' {target}"


def test_with_the_mounted_stand_in_forms_stay_on_this_origin(make_app, world, tmp_path):
    """No key and no STRIPE_API_BASE: the stand-in is served at /_stripe, this origin."""
    app = make_app(APP_ENV="development", STRIPE_API_BASE="", STANDIN_DB=str(tmp_path / "s.db"))
    client = app.test_client()
    page = client.get(f"/events/{world.event.slug}")
    assert directives(page)["form-action"] == "'self'"
    assert content_security_policy(()).count("form-action 'self';") == 1
    standin_page = client.get("/_stripe/pay/cs_test_nothing")
    assert standin_page.status_code == 404
    assert "No such checkout" in standin_page.get_data(as_text=True)
    assert_secured(standin_page)
    assert directives(standin_page)["form-action"] == "'self' http://localhost"


def test_the_stand_in_sends_them_too(tmp_path):
    from standin import create_standin_app

    standin = create_standin_app(
        {
            "STANDIN_DB": str(tmp_path / "standin.db"),
            "STANDIN_API_KEY": "sk_test_standin_headers",
            "STANDIN_ALLOWED_ORIGIN": "http://shop.test:5000",
            "STANDIN_WEBHOOK_URL": "http://shop.test:5000/webhooks/stripe",
            "STANDIN_WEBHOOK_MODE": "off",
        }
    )
    client = standin.test_client()
    for response in (
        client.get("/pay/cs_test_nothing"),
        client.get("/v1/checkout/sessions/cs_nothing"),
        client.get("/static/css/standin.css"),
    ):
        assert_secured(response)
        assert directives(response)["form-action"] == "'self' http://shop.test:5000"
        response.close()
