"""The production gunicorn settings and the balanced threaded worker
(ticketing/gunicorn_conf.py, ticketing/speedups/gunicorn_worker.py) under a real gunicorn.

A tiny WSGI app answers with its process id after an optional sleep, so a
test can see which worker served which connection.
"""

import os
import socket
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

import pytest

from tests.support.servers import free_port

pytestmark = pytest.mark.slow  # gunicorn serving the app

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pid_app(environ, start_response):
    """WSGI: sleep for ?sleep= seconds, then answer with this process's id."""
    time.sleep(float(parse_qs(environ.get("QUERY_STRING", "")).get("sleep", ["0"])[0]))
    body = str(os.getpid()).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


@pytest.fixture
def serve(tmp_path):
    """Start gunicorn with the balanced worker: serve(workers, threads) -> port."""
    started = []

    def start(workers: int, threads: int) -> int:
        port = free_port()
        log = open(tmp_path / f"gunicorn-{port}.log", "wb")  # noqa: SIM115
        # As production sets them: threads above 1 choose the balanced worker.
        env = {**os.environ, "WEB_WORKERS": str(workers), "WEB_THREADS": str(threads)}
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:ticketing.gunicorn_conf",
             "--bind", f"127.0.0.1:{port}", "tests.test_gunicorn_worker:pid_app"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started.append((process, log))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / f"gunicorn-{port}.log").read_text()
            try:
                # Every worker must be up before the test races them.
                if len({one_request(port) for _ in range(20)}) == workers:
                    return port
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError("gunicorn did not start all its workers")

    yield start
    for process, log in started:
        process.terminate()
        process.wait(timeout=20)
        log.close()


class Conn:
    """One kept-alive HTTP/1.1 connection."""

    def __init__(self, port: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""

    def close(self):
        self.sock.close()


def one_request(port: int, path: str = "/") -> str:
    """The pid that answers a request on a new connection, which the server then closes
    (so no worker still counts it when the next test's clients arrive)."""
    conn = Conn(port)
    try:
        return exchange(conn, path, close=True)[1]
    finally:
        conn.close()


def exchange(conn: Conn, path: str, close: bool = False) -> tuple[dict, str]:
    """Send one GET on the connection; (response headers, body)."""
    extra = "Connection: close\r\n" if close else ""
    conn.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: test\r\n{extra}\r\n".encode())
    while b"\r\n\r\n" not in conn.buffer:
        conn.buffer += conn.sock.recv(4096) or b"EOF"
        assert not conn.buffer.endswith(b"EOF"), "connection closed before an answer"
    head, conn.buffer = conn.buffer.split(b"\r\n\r\n", 1)
    headers = dict(
        line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:] if ": " in line
    )
    length = int(headers.get("Content-Length", "0"))
    while len(conn.buffer) < length:
        conn.buffer += conn.sock.recv(4096)
    body, conn.buffer = conn.buffer[:length], conn.buffer[length:]
    return {k.lower(): v for k, v in headers.items()}, body.decode()


def test_a_burst_of_clients_is_spread_over_the_workers(serve):
    """Six clients connecting at once to 3 workers of 2 threads: two each.

    Plain gthread lets whichever process wakes first take several."""
    port = serve(workers=3, threads=2)
    conns = [Conn(port) for _ in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        first = list(pool.map(lambda conn: exchange(conn, "/?sleep=0.5")[1], conns))
    assert sorted(Counter(first).values()) == [2, 2, 2]
    # Kept alive: each client stays with its worker.
    assert [exchange(conn, "/")[1] for conn in conns] == first
    for conn in conns:
        conn.close()


def test_a_worker_with_more_clients_than_threads_sends_the_extra_one_away(serve):
    port = serve(workers=1, threads=2)
    kept = [Conn(port), Conn(port)]
    for conn in kept:
        headers, _ = exchange(conn, "/")
        assert headers.get("connection", "").lower() != "close"
    extra = Conn(port)
    headers, _ = exchange(extra, "/")
    assert headers.get("connection", "").lower() == "close"
    extra.close()
    time.sleep(0.2)  # the worker notices the closed connection
    headers, _ = exchange(kept[0], "/")
    assert headers.get("connection", "").lower() != "close"
    for conn in kept:
        conn.close()


def test_the_default_is_one_request_per_process_and_threads_pick_the_balanced_worker(
    monkeypatch,
):
    import importlib

    import ticketing.gunicorn_conf as conf

    monkeypatch.delenv("WEB_WORKERS", raising=False)
    monkeypatch.delenv("WEB_THREADS", raising=False)
    default = importlib.reload(conf)
    assert (default.worker_class, default.workers, default.threads) == ("sync", 8, 1)
    monkeypatch.setenv("WEB_THREADS", "4")
    threaded = importlib.reload(conf)
    assert threaded.worker_class == "ticketing.speedups.gunicorn_worker.BalancedThreadWorker"
    monkeypatch.delenv("WEB_THREADS")
    importlib.reload(conf)


def test_the_default_serves_each_request_on_a_fresh_process_slot(serve):
    """sync workers: no keep-alive, so each request goes to whichever process is idle."""
    port = serve(workers=2, threads=1)
    conn = Conn(port)
    headers, _ = exchange(conn, "/")
    assert headers.get("connection", "").lower() == "close"
    conn.close()
    with ThreadPoolExecutor(max_workers=2) as pool:
        pids = list(pool.map(lambda _: one_request(port, "/?sleep=0.5"), range(2)))
    assert len(set(pids)) == 2  # two slow requests at once: one per process
