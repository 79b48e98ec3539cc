"""The stand-in under gunicorn with several worker processes sharing one SQLite file,
and started on its own with `python -m standin`."""

import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import stripe

from tests.support.servers import free_port, stop_process, wait_until_standin_up
from tests.support.shop import SHOP_ORIGIN, TEST_KEY
from tests.support.standin_params import session_params

pytestmark = pytest.mark.slow  # the stand-in as processes (gunicorn, python -m)

AUTH = {"Authorization": f"Bearer {TEST_KEY}"}
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _start(args: list[str], log_path) -> subprocess.Popen:
    """Output goes to a file: a pipe nobody reads could fill up and stall the server."""
    with open(log_path, "wb") as log:
        return subprocess.Popen(args, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)


@pytest.fixture
def gunicorn_standin(tmp_path):
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    if not os.path.exists(gunicorn):
        gunicorn = shutil.which("gunicorn")
    assert gunicorn, "gunicorn is in requirements.txt"
    port = free_port()
    db = str(tmp_path / "standin.db")
    config = {
        "STANDIN_API_KEY": TEST_KEY,
        "STANDIN_ALLOWED_ORIGIN": SHOP_ORIGIN,
        "STANDIN_DB": db,
        "STANDIN_WEBHOOK_MODE": "off",
    }
    app = f"standin:create_standin_app({config!r})"
    log = tmp_path / "gunicorn.log"
    process = _start(
        [gunicorn, "--workers", "3", "--threads", "4", "--bind", f"127.0.0.1:{port}", app], log
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_standin_up(url, process, log)
        yield url
    finally:
        stop_process(process)


def test_worker_processes_share_state_and_one_payment_wins(gunicorn_standin):
    client = stripe.StripeClient(
        TEST_KEY, base_addresses={"api": gunicorn_standin}, max_network_retries=2
    )
    params = {key: session_params(order_id=str(key)) for key in range(6)}
    with ThreadPoolExecutor(max_workers=12) as pool:
        created = list(
            pool.map(
                lambda i: client.v1.checkout.sessions.create(
                    params[i % 6], options={"idempotency_key": f"order-{i % 6}"}
                ),
                range(24),
            )
        )
    by_key = {}
    for i, session in enumerate(created):
        by_key.setdefault(i % 6, set()).add(session.id)
    assert all(len(ids) == 1 for ids in by_key.values())  # one session per key, across workers
    session_id = next(iter(by_key[0]))

    def pay(_):
        return requests.post(
            f"{gunicorn_standin}/_standin/sessions/{session_id}/pay",
            json={"card_number": "4242424242424242"},
            headers=AUTH,
            timeout=30,
        ).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(pay, range(24)))
    assert sorted(statuses) == [200] + [400] * 23
    events = requests.get(
        f"{gunicorn_standin}/_standin/events",
        params={"type": "checkout.session.completed"},
        headers=AUTH,
        timeout=5,
    ).json()
    assert len(events) == 1
    assert client.v1.checkout.sessions.retrieve(session_id).payment_status == "paid"


def test_module_runs_standalone(tmp_path):
    port = free_port()
    log = tmp_path / "standalone.log"
    process = _start(
        [
            sys.executable,
            "-m",
            "standin",
            "--port",
            str(port),
            "--db",
            str(tmp_path / "alone.db"),
            "--webhook-mode",
            "off",
            "--api-key",
            TEST_KEY,
            "--allowed-origin",
            SHOP_ORIGIN,
        ],
        log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_standin_up(url, process, log)
        client = stripe.StripeClient(TEST_KEY, base_addresses={"api": url})
        session = client.v1.checkout.sessions.create(session_params())
        assert session.url == f"{url}/pay/{session.id}"
        assert "Simulated payment" in requests.get(session.url, timeout=5).text
    finally:
        stop_process(process)
