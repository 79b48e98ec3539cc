"""gunicorn refuses oversized request lines and headers itself (ticketing/gunicorn_conf.py).

The proxy in front (README's nginx snippet) keeps tighter limits and answers
under /api with JSON, so gunicorn's own page is only what a request that
bypasses the proxy sees.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gunicorn.config import Config

from tests.support.servers import free_port
from ticketing import gunicorn_conf

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(REPO, "README.md")


def test_the_config_sets_every_request_limit():
    config = Config()
    for name in ("limit_request_line", "limit_request_fields", "limit_request_field_size"):
        value = getattr(gunicorn_conf, name)
        config.set(name, value)  # gunicorn's own validation
        assert 0 < getattr(config, name) == value  # 0 would mean "unlimited"
    assert config.limit_request_line <= 4094
    assert config.limit_request_fields <= 100


def test_the_readme_proxy_limits_are_tighter_than_gunicorn():
    text = Path(README).read_text(encoding="utf-8")
    assert "client_max_body_size 1m;" in text  # = MAX_CONTENT_LENGTH's default
    assert "large_client_header_buffers 4 4k;" in text  # < limit_request_line
    assert "error_page 400 414 494 /_errors/bad_request.json;" in text
    assert "error_page 413 /_errors/too_large.json;" in text


def hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


def raw_request(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.slow
def test_gunicorn_refuses_a_request_line_past_the_limit(tmp_path):
    port = free_port()
    env = {**os.environ, "WEB_WORKERS": "1", "WEB_THREADS": "1"}
    with open(tmp_path / "gunicorn.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:ticketing.gunicorn_conf",
             "--bind", f"127.0.0.1:{port}", "tests.security.test_gunicorn_limits:hello"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    answer = raw_request(port, b"GET / HTTP/1.0\r\n\r\n")
                    break
                except OSError:
                    assert time.monotonic() < deadline, (tmp_path / "gunicorn.log").read_text()
                    time.sleep(0.1)
            assert answer.endswith(b"ok")
            long_path = b"/api/v1/events?" + b"x" * 5000
            answer = raw_request(port, b"GET " + long_path + b" HTTP/1.0\r\n\r\n")
            assert answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 414")), answer[:200]
            headers = b"".join(b"X-H%d: v\r\n" % i for i in range(60))
            answer = raw_request(port, b"GET / HTTP/1.0\r\n" + headers + b"\r\n")
            assert answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 431")), answer[:200]
        finally:
            process.terminate()
            process.wait(timeout=20)
