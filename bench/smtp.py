"""The mail server of the mixed rush, as its own process, in one of two states.

`python -m bench.smtp hang PORT`: SMTP is down in the worst way. It accepts
every connection and never says a word (no greeting), so a client waits for
its whole timeout. Killing the process closes those sockets.

`python -m bench.smtp count PORT FILE`: SMTP is back. A real aiosmtpd server
that accepts every message and appends one JSON line per message to FILE
(recipients, Message-ID, subject), so the benchmark can count the messages
each order got.
"""

import json
import signal
import socket
import sys
import threading
import time


def hang(port: int) -> None:
    listener = socket.create_server(("127.0.0.1", port), backlog=512)
    held = []  # accepted and never answered; closed when the process dies
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    listener.settimeout(0.2)
    print(f"hanging SMTP on 127.0.0.1:{port}", flush=True)  # noqa: T201
    while not stop.is_set():
        try:
            conn, _ = listener.accept()
        except TimeoutError:
            continue
        held.append(conn)
    for conn in held:
        conn.close()
    listener.close()


class Counter:
    """aiosmtpd handler: one JSON line per message received."""

    def __init__(self, path: str):
        self.handle = open(path, "a", buffering=1)  # noqa: SIM115 (open for the server's life)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        head = envelope.content.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        fields = {}
        for line in head.split("\r\n"):
            name, _, value = line.partition(":")
            fields.setdefault(name.strip().lower(), value.strip())
        record = {
            "rcpt": envelope.rcpt_tos,
            "message_id": fields.get("message-id", ""),
            "subject": fields.get("subject", ""),
            "at": time.time(),
        }
        self.handle.write(json.dumps(record) + "\n")
        return "250 Message accepted for delivery"


def count(port: int, path: str) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(Counter(path), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"counting SMTP on 127.0.0.1:{port} -> {path}", flush=True)  # noqa: T201
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    controller.stop()


def main(argv: list[str]) -> None:
    mode, port = argv[1], int(argv[2])
    if mode == "hang":
        hang(port)
    elif mode == "count":
        count(port, argv[3])
    else:
        raise SystemExit(f"unknown mode {mode!r}: hang PORT | count PORT FILE")


if __name__ == "__main__":
    main(sys.argv)
