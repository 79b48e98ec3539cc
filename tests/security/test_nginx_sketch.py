"""The README's nginx sketch, run for real in front of the app.

nginx, not gunicorn, refuses an oversized request, and under /api it answers
in the API's JSON error shape; the app's own answers pass unchanged. Outside
CI a machine without nginx skips this with a reason; in CI (CI=true) its
absence is a failure, since .ci/run installs it.
"""

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.servers import free_port

pytestmark = pytest.mark.slow  # nginx and a server on loopback

README = Path(__file__).resolve().parents[2] / "README.md"


def nginx_binary() -> str:
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("nginx is required in CI: apt-get install -y nginx")
    pytest.skip("nginx is not installed (apt-get install -y nginx)")


def readme_server_block() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"```nginx\n(.*?)```", text, re.DOTALL)
    assert match, "README.md has no nginx sketch"
    return match.group(1)


def start_nginx(
    tmp_path: Path, upstream: str, door_upstream: str | None = None
) -> tuple[subprocess.Popen, int]:
    """The sketch with `upstream` for the site's gunicorn and `door_upstream`
    (default: the same) for the door's and the webhooks' ones."""
    port = free_port()
    server = readme_server_block()
    assert "listen 443 ssl;" in server and "127.0.0.1:8000" in server
    assert "127.0.0.1:8001" in server and "127.0.0.1:8002" in server
    server = server.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};")
    server = server.replace("127.0.0.1:8000", upstream)
    for own_pool in ("127.0.0.1:8001", "127.0.0.1:8002"):
        server = server.replace(own_pool, door_upstream or upstream)
    config = tmp_path / f"nginx-{port}.conf"
    config.write_text(
        f"daemon off; master_process off; pid {tmp_path}/nginx-{port}.pid;\n"
        f"error_log {tmp_path}/nginx-error.log;\n"
        "events {}\n"
        f"http {{ access_log off; client_body_temp_path {tmp_path}/body;\n"
        f"proxy_temp_path {tmp_path}/proxy;\n{server}\n}}\n"
    )
    process = subprocess.Popen(
        [nginx_binary(), "-c", str(config), "-p", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            assert process.poll() is None, (tmp_path / "nginx-error.log").read_text()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)


def raw(port: int, request: bytes) -> tuple[int, dict, bytes]:
    """Send bytes, read the whole answer (every request says Connection: close)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def get(port: int, path: bytes, extra: bytes = b"") -> tuple[int, dict, bytes]:
    return raw(
        port, b"GET " + path + b" HTTP/1.1\r\nHost: t\r\nConnection: close\r\n" + extra + b"\r\n"
    )


@pytest.fixture
def nginx_nearby():
    nginx_binary()  # skip or fail before any server starts


def assert_json_error(answer, status: int, code: str) -> None:
    import json

    got_status, headers, body = answer
    assert got_status == status, body[:200]
    assert headers["content-type"].startswith("application/json")
    error = json.loads(body)
    assert error["code"] == code and error["message"]


def test_oversized_requests_get_json_from_nginx(nginx_nearby, live_server, db, tmp_path):
    upstream = live_server.url.removeprefix("http://")
    process, port = start_nginx(tmp_path, upstream)
    try:
        body_too_large = raw(
            port,
            b"POST /api/v1/events/1/orders HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nContent-Length: 2000000\r\n\r\n",
        )
        assert_json_error(body_too_large, 413, "too_large")
        assert_json_error(get(port, b"/api/v1/events?" + b"x" * 5000), 414, "bad_request")
        assert_json_error(
            get(port, b"/api/v1/events", b"X-Big: " + b"x" * 5000 + b"\r\n"), 400, "bad_request"
        )
        # The app's own answers pass through unchanged, headers included.
        assert_json_error(get(port, b"/api/v1/events/2147483647"), 404, "not_found")
        status, headers, body = get(port, b"/")
        assert status == 200 and b"<html" in body
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_an_api_call_with_gunicorn_down_gets_json(nginx_nearby, tmp_path):
    process, port = start_nginx(tmp_path, f"127.0.0.1:{free_port()}")  # nothing listens
    try:
        assert_json_error(get(port, b"/api/v1/events/1"), 502, "unavailable")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_door_and_webhooks_have_their_own_gunicorn(nginx_nearby, live_server, db, tmp_path):
    """Scans, the door's search and stats, the scanner pages and Stripe's webhooks
    reach their own pools (here the app); the rest goes to the site's pool (here
    down: 502)."""
    door = live_server.url.removeprefix("http://")
    process, port = start_nginx(tmp_path, f"127.0.0.1:{free_port()}", door)
    try:
        scan = raw(
            port,
            b"POST /api/v1/checkins HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        )
        assert_json_error(scan, 401, "unauthorized")  # the app's own answer
        for path in (b"/api/v1/events/1/attendees?q=a", b"/api/v1/events/1/checkins/stats"):
            assert_json_error(get(port, path), 401, "unauthorized")
        webhook = raw(
            port,
            b"POST /webhooks/stripe HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
            b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        )
        assert_json_error(webhook, 400, "bad_signature")
        status, _, body = get(port, b"/door")
        assert status in (200, 302) and b"unavailable" not in body
        assert_json_error(get(port, b"/api/v1/events/1"), 502, "unavailable")
        assert_json_error(get(port, b"/api/v1/events/1/orders"), 502, "unavailable")
        assert get(port, b"/")[0] == 502  # the site's pool is down
    finally:
        process.terminate()
        process.wait(timeout=10)
