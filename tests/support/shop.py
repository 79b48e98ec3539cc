"""The shop over HTTP: the app served on loopback, wired to its own Stripe stand-in."""

import requests

from standin import create_standin_app
from tests.support.servers import LiveServer, StandinServer
from ticketing.payments.gateway import standin_api_key

# The stand-in of the payments tests: its key, its webhook secret, and the
# shop the test sessions come from (tests/support/standin_params.py).
TEST_KEY = "sk_test_standin_tests"
WEBHOOK_SECRET = "whsec_standin_tests_secret"
SHOP_ORIGIN = "http://shop.test"


def start_standin(db_path: str, **config) -> StandinServer:
    """A stand-in of the payments tests (sync webhooks by default, for determinism)."""
    settings = {
        "STANDIN_API_KEY": TEST_KEY,
        "STANDIN_ALLOWED_ORIGIN": SHOP_ORIGIN,
        "STANDIN_DB": db_path,
        "STANDIN_WEBHOOK_MODE": "sync",
        "STANDIN_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "STANDIN_WEBHOOK_BACKOFF_SECONDS": 0.01,
        **config,
    }
    return StandinServer(create_standin_app(settings))


class Shop:
    """The app over HTTP, wired to its own offline Stripe stand-in over HTTP.

    The stand-in delivers signed webhooks to the app's /webhooks/stripe, just
    as Stripe would; `webhook_mode` "sync" delivers before the payment call
    returns (deterministic), "off" records events for the test to deliver.
    """

    def __init__(self, app, server, standin, db):
        self.app, self.server, self.standin, self.db = app, server, standin, db
        self.url = server.url

    def release(self) -> None:
        """End the test's own transaction: on SQLite it would block the server's writes."""
        self.db.session.commit()

    def api(self, method: str, path: str, **kwargs):
        self.release()
        return requests.request(method, self.url + path, timeout=30, **kwargs)

    def buy(self, event_id: int, items: list[dict], donation_minor: int = 0, **buyer):
        body = {
            "buyer_name": buyer.get("name", "Ada Buyer"),
            "buyer_email": buyer.get("email", "ada@example.test"),
            "items": items,
            "donation_minor": donation_minor,
        }
        return self.api("POST", f"/api/v1/events/{event_id}/orders", json=body)

    def session_id(self, created: dict) -> str:
        return created["checkout_url"].rstrip("/").rsplit("/", 1)[-1]

    def pay(self, created: dict, card: str = "4242424242424242"):
        self.release()
        return self.standin.pay(self.session_id(created), card)

    def order(self, created: dict) -> dict:
        response = self.api(
            "GET",
            f"/api/v1/orders/{created['id']}",
            headers={"X-Order-Token": created["access_token"]},
        )
        assert response.status_code == 200, response.text
        return response.json()


def open_shop(app, db, standin_db: str, webhook_mode: str = "sync") -> Shop:
    """Serve the app and its own stand-in; the caller stops both (`close_shop`)."""
    server = LiveServer(app).__enter__()
    standin = StandinServer(
        create_standin_app(
            {
                # The key the app derives from its SECRET_KEY, and the app's
                # own address as the only place checkout may lead back to.
                "STANDIN_API_KEY": standin_api_key(app.config["SECRET_KEY"]),
                "STANDIN_ALLOWED_ORIGIN": server.url,
                "STANDIN_DB": standin_db,
                "STANDIN_WEBHOOK_URL": server.url + "/webhooks/stripe",
                "STANDIN_WEBHOOK_SECRET": app.config["STRIPE_WEBHOOK_SECRET"],
                "STANDIN_WEBHOOK_MODE": webhook_mode,
                "STANDIN_WEBHOOK_BACKOFF_SECONDS": 0.05,
            }
        )
    )
    app.config.update(STRIPE_API_BASE=standin.url, BASE_URL=server.url)
    return Shop(app, server, standin, db)


def close_shop(shop: Shop) -> None:
    shop.standin.stop()
    shop.server.__exit__(None, None, None)
