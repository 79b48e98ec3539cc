"""Issue 13, finding 1: the offline Stripe stand-in was an open door.

Any sk_test_ key listed every session (buyers' emails, their order links)
and refunded any order; /_standin/* needed no key; success and cancel URLs
were stored unchecked (a javascript: link on the hosted page, an open
redirect after paying); resend posted to any URL (SSRF); and a production
app mounted it on its own origin.
"""

import os
import subprocess
import sys

import pytest
import requests
import stripe

from standin.objects import load
from tests.support.servers import free_port, stop_process, wait_until_standin_up
from tests.support.shop import SHOP_ORIGIN, TEST_KEY
from tests.support.standin_params import session_params
from ticketing import create_app
from ticketing.config import ConfigError
from ticketing.extensions import db as _db
from ticketing.payments.gateway import standin_api_key

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GUESSED_KEYS = ("sk_test_anything", "sk_test_offline_standin", "rk_test_123")


def _order_for(shop, concert):
    tier = concert.ticket_types[0]
    created = shop.buy(concert.id, [{"ticket_type_id": tier.id, "quantity": 1}])
    assert created.status_code == 201, created.text
    return created.json()


@pytest.mark.parametrize("key", GUESSED_KEYS)
def test_a_guessed_test_key_reads_and_refunds_nothing(shop, concert, key):
    created = _order_for(shop, concert)
    assert shop.pay(created).json()["outcome"] == "paid"
    intruder = shop.standin.client(key=key)
    with pytest.raises(stripe.AuthenticationError) as refused:
        intruder.v1.checkout.sessions.list()
    assert refused.value.http_status == 401
    with pytest.raises(stripe.AuthenticationError):
        intruder.v1.checkout.sessions.retrieve(shop.session_id(created))
    session = shop.standin.client().v1.checkout.sessions.retrieve(shop.session_id(created))
    with pytest.raises(stripe.AuthenticationError):
        intruder.v1.refunds.create({"payment_intent": session.payment_intent})
    raw = requests.get(
        f"{shop.standin.url}/v1/checkout/sessions",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )
    assert raw.status_code == 401 and "ada@example.test" not in raw.text
    assert shop.order(created)["status"] == "paid"  # nothing was refunded
    # The app's own derived key still works (it is what the app uses).
    listed = shop.standin.client().v1.checkout.sessions.list()
    assert [s.customer_email for s in listed.data] == ["ada@example.test"]


def test_admin_pages_need_the_key(shop, concert):
    created = _order_for(shop, concert)
    session_id = shop.session_id(created)
    base = f"{shop.standin.url}/_standin"
    attempts = [
        ("GET", "/events", {}),
        ("POST", f"/sessions/{session_id}/pay", {"json": {"card_number": "4242424242424242"}}),
        ("POST", f"/sessions/{session_id}/lapse", {}),
        ("POST", "/events/evt_x/resend", {}),
    ]
    for headers in ({}, {"Authorization": "Bearer sk_test_anything"}):
        for method, path, extra in attempts:
            response = requests.request(method, base + path, headers=headers, timeout=10, **extra)
            assert response.status_code == 401, (method, path, response.text)
            assert response.json()["error"]["type"] == "invalid_request_error"
            assert "ada@example.test" not in response.text
    assert shop.order(created)["status"] == "pending"  # nobody paid without the key
    assert shop.standin.admin("GET", "/events").status_code == 200


@pytest.mark.parametrize(
    ("param", "url"),
    [
        ("cancel_url", "javascript:fetch('/tokens',{method:'POST'})"),
        ("cancel_url", "JavaScript:alert(1)//http://shop.test/"),
        ("cancel_url", "data:text/html,<script>alert(1)</script>"),
        ("success_url", "https://evil.example/phish?session={CHECKOUT_SESSION_ID}"),
        ("success_url", "http://shop.test@evil.example/"),
        ("success_url", "http://shop.test.evil.example/"),
        ("success_url", "//evil.example/"),
        ("success_url", "http://shop.test:8080/"),
        ("success_url", "https://shop.test/"),
        ("cancel_url", "http://shop.test\\@evil.example/"),
        ("cancel_url", "ftp://shop.test/x"),
    ],
)
def test_redirect_urls_must_lead_back_under_the_shop(standin_server, param, url):
    client = standin_server.client()
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.checkout.sessions.create(session_params(**{param: url}))
    assert refused.value.http_status == 400
    assert (refused.value.code, refused.value.param) == ("url_invalid", param)
    with standin_server.store.read() as tx:
        assert tx.all_of("checkout.session") == []


def test_a_prefixed_base_url_allows_only_its_own_path(make_standin_server):
    server = make_standin_server(STANDIN_ALLOWED_ORIGIN="https://example.org/tickets")
    client = server.client()
    good = "https://example.org/tickets/orders/1/success?session_id={CHECKOUT_SESSION_ID}"
    session = client.v1.checkout.sessions.create(
        session_params(success_url=good, cancel_url="https://example.org/tickets/orders/1")
    )
    assert session.success_url == good
    with pytest.raises(stripe.InvalidRequestError, match="Not a valid URL"):
        client.v1.checkout.sessions.create(
            session_params(
                success_url="https://example.org/ticketsX/1", cancel_url=session.cancel_url
            )
        )


def test_the_hosted_page_links_and_redirects_only_under_the_shop(standin_server):
    """Also for a session stored before the URLs were checked (an old stand-in file)."""
    client = standin_server.client()
    session = client.v1.checkout.sessions.create(session_params())
    with standin_server.standin.unit_of_work() as tx:
        stored = load(tx, session.id, "checkout.session", "checkout.session")
        stored["cancel_url"] = "javascript:alert(document.cookie)"
        stored["success_url"] = "https://evil.example/?s={CHECKOUT_SESSION_ID}"
        tx.update(stored)
    page = requests.get(session.url, timeout=10)
    assert page.status_code == 200 and "Simulated payment" in page.text
    assert "javascript:" not in page.text.lower() and "evil.example" not in page.text
    paid = requests.post(
        session.url,
        data={"card_number": "4242424242424242"},
        allow_redirects=False,
        timeout=10,
    )
    assert paid.status_code != 303 and "evil.example" not in paid.headers.get("Location", "")
    assert "evil.example" not in paid.text


def test_paying_redirects_to_the_stored_success_url(standin_server):
    session = standin_server.client().v1.checkout.sessions.create(session_params())
    paid = requests.post(
        session.url,
        data={"card_number": "4242424242424242", "success_url": "https://evil.example/"},
        allow_redirects=False,
        timeout=10,
    )
    assert paid.status_code == 303
    assert paid.headers["Location"] == (f"{SHOP_ORIGIN}/orders/42/success?session_id={session.id}")


def test_resend_posts_only_to_the_configured_endpoint(
    make_standin_server, webhook_receiver, tmp_path
):
    server = make_standin_server(STANDIN_WEBHOOK_URL=webhook_receiver.url)
    session = server.client().v1.checkout.sessions.create(session_params())
    assert server.pay(session.id).status_code == 200
    (summary,) = server.events("checkout.session.completed")
    before = len(webhook_receiver.deliveries)
    # An address inside the network the stand-in can reach, not the endpoint.
    target = webhook_receiver.url.replace("/webhooks/stripe", "/internal/admin")
    response = server.admin("POST", f"/events/{summary['id']}/resend", json={"url": target})
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "url"
    assert [d.path for d in webhook_receiver.deliveries[before:]] == []
    again = server.admin("POST", f"/events/{summary['id']}/resend")
    assert again.json()["delivery"]["status"] == "delivered"
    assert [d.path for d in webhook_receiver.deliveries[before:]] == ["/webhooks/stripe"]


def test_the_standin_refuses_to_run_without_its_key_and_shop(tmp_path):
    from standin import create_standin_app

    base = {"STANDIN_DB": str(tmp_path / "s.db"), "STANDIN_ALLOWED_ORIGIN": SHOP_ORIGIN}
    for bad_key in (None, "", "pk_test_x", "sk_live_x"):
        with pytest.raises(ValueError, match="STANDIN_API_KEY"):
            create_standin_app({**base, "STANDIN_API_KEY": bad_key})
    with pytest.raises(ValueError, match="STANDIN_ALLOWED_ORIGIN"):
        create_standin_app({"STANDIN_DB": base["STANDIN_DB"], "STANDIN_API_KEY": TEST_KEY})


def test_development_mounts_the_standin_behind_the_derived_key(make_app, db, tmp_path):
    app = make_app(STRIPE_API_BASE="", STANDIN_DB=str(tmp_path / "dev-standin.db"))
    client = app.test_client()
    assert client.get("/_stripe/_standin/events").status_code == 401
    for key in GUESSED_KEYS:
        listed = client.get(
            "/_stripe/v1/checkout/sessions", headers={"Authorization": f"Bearer {key}"}
        )
        assert listed.status_code == 401, key
    own = {"Authorization": f"Bearer {standin_api_key(app.config['SECRET_KEY'])}"}
    assert client.get("/_stripe/v1/checkout/sessions", headers=own).json["data"] == []
    assert client.get("/_stripe/_standin/events", headers=own).status_code == 200


def _production_env(monkeypatch, database_url, **extra):
    settings = {
        "APP_ENV": "production",
        "SECRET_KEY": "x" * 48,
        "DATABASE_URL": database_url,
        "REDIS_URL": "redis://127.0.0.1:6379/11",
        "BASE_URL": "https://tickets.example.test",
        "ALLOW_SIMULATED_PAYMENTS": "1",
        **extra,
    }
    for name in ("STRIPE_SECRET_KEY", "STRIPE_API_BASE", "STRIPE_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.items():
        monkeypatch.setenv(name, value)


def test_production_never_serves_the_standin_on_its_own_origin(monkeypatch, database_url, db):
    _production_env(monkeypatch, database_url)
    with pytest.raises(ConfigError, match="own origin"):
        create_app()
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:12111")
    app = create_app()
    client = app.test_client()
    for path in ("/_stripe/_standin/events", "/_stripe/v1/checkout/sessions", "/_stripe/pay/x"):
        assert client.get(path).status_code == 404, path
    with app.app_context():  # its error pages opened a connection: close it now, not at GC
        _db.engine.dispose()


def test_a_session_naming_a_600_dollar_order_with_50_cents_does_not_pay_it(shop, concert):
    """Needs the Stripe helper's fulfilment fix (a session the app did not make
    for the order never pays it); with only the key check it still fails."""
    patron = concert.ticket_types[1]
    created = shop.buy(concert.id, [{"ticket_type_id": patron.id, "quantity": 1}]).json()
    assert created["total_minor"] == 60000
    cheap = shop.standin.client().v1.checkout.sessions.create(
        session_params(
            unit_amount=50,
            quantity=1,
            order_id=str(created["id"]),
            success_url=f"{shop.url}/thanks?session_id={{CHECKOUT_SESSION_ID}}",
            cancel_url=f"{shop.url}/",
        )
    )
    assert shop.standin.pay(cheap.id).json()["outcome"] == "paid"
    order = shop.order(created)
    assert order["status"] == "pending"
    assert order["tickets"] == []


def _standalone(tmp_path, env: dict, *args: str):
    port = free_port()
    log = tmp_path / f"standin-{port}.log"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("STANDIN_", "STRIPE_"))}
    for name in ("SECRET_KEY", "BASE_URL"):
        clean.pop(name, None)
    argv = [sys.executable, "-m", "standin", "--port", str(port), *args]
    with open(log, "wb") as out:
        process = subprocess.Popen(
            argv, cwd=REPO, env={**clean, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    return process, f"http://127.0.0.1:{port}", log


@pytest.mark.slow
def test_the_standalone_standin_refuses_to_start_without_a_key(tmp_path):
    process, _, log = _standalone(tmp_path, {}, "--db", str(tmp_path / "s.db"))
    assert process.wait(timeout=30) == 2
    assert "--api-key" in log.read_text()


@pytest.mark.slow
def test_the_standalone_standin_takes_the_apps_key_from_its_environment(tmp_path):
    secret_key = "a-production-secret-key-0123456789abcdef"
    env = {"SECRET_KEY": secret_key, "BASE_URL": "https://tickets.example.test"}
    process, url, log = _standalone(
        tmp_path, env, "--db", str(tmp_path / "s.db"), "--webhook-mode", "off"
    )
    try:
        wait_until_standin_up(url, process, log)
        own = stripe.StripeClient(standin_api_key(secret_key), base_addresses={"api": url})
        shop = "https://tickets.example.test"
        session = own.v1.checkout.sessions.create(
            session_params(success_url=f"{shop}/ok", cancel_url=f"{shop}/back")
        )
        assert session.url == f"{url}/pay/{session.id}"
        with pytest.raises(stripe.InvalidRequestError, match="Not a valid URL"):
            own.v1.checkout.sessions.create(session_params())  # http://shop.test: not ours
        other = stripe.StripeClient(TEST_KEY, base_addresses={"api": url})
        with pytest.raises(stripe.AuthenticationError):
            other.v1.checkout.sessions.retrieve(session.id)
    finally:
        stop_process(process)
