"""The load generator: a separate process that replays a list of requests.

`python -m bench.client SPEC.json` reads the spec (server address, concurrency,
limits, the requests) and prints one JSON object with what it measured.
With `request_timeout_s` a request not answered in time is given up (its
connection closed) and counted as status 0 with the time waited. It is
a deliberately small HTTP/1.1 client on asyncio streams with keep-alive: on a
2-core machine every cycle the load generator burns is taken from the app and
the database, and this costs far less per request than requests or httpx.

Bounded twice: it sends at most the requests listed, and stops sending when
`max_seconds` have passed.
"""

import asyncio
import json
import sys
import time


class ServerClosed(Exception):
    """The server closed a kept-alive connection before answering."""


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict, body: bytes):
        """One exchange: (status, body). Reconnects once if a kept-alive socket went stale."""
        for attempt in (1, 2):
            fresh = self.writer is None
            if fresh:
                await self.open()
            try:
                return await self._exchange(method, path, headers, body)
            except (ServerClosed, ConnectionResetError, BrokenPipeError):
                self.close()
                if fresh or attempt == 2:
                    raise
        raise ServerClosed

    async def _exchange(self, method, path, headers, body):
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            raise ServerClosed from exc
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        fields = {}
        for line in header_lines:
            if ":" in line:
                name, _, value = line.partition(":")
                fields[name.strip().lower()] = value.strip()
        if fields.get("transfer-encoding", "").lower() == "chunked":
            data = await self._chunked()
        else:
            data = await self.reader.readexactly(int(fields.get("content-length", "0")))
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, data

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)


def percentile(sorted_values: list[float], p: float) -> float | None:
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def summarize(latencies: list[float]) -> dict:
    values = sorted(latencies)
    return {
        "count": len(values),
        "mean_ms": round(sum(values) / len(values), 2) if values else None,
        "p50_ms": _round(percentile(values, 50)),
        "p95_ms": _round(percentile(values, 95)),
        "p99_ms": _round(percentile(values, 99)),
        "max_ms": _round(values[-1] if values else None),
    }


def _round(value):
    return None if value is None else round(value, 2)


async def run(spec: dict) -> dict:
    host, port = spec["host"], spec["port"]
    header_sets = spec.get("header_sets") or [{}]
    requests = spec["requests"]
    deadline = time.perf_counter() + spec.get("max_seconds", 60)
    next_index = iter(range(len(requests)))
    results = []  # (status, latency ms, finished at seconds since start)
    errors = []
    keep = spec.get("keep_bodies", 0)
    # Seconds a client waits for one answer before it gives up (None: for ever).
    give_up = spec.get("request_timeout_s")
    bodies = []
    started_at = time.time()
    start = time.perf_counter()

    async def worker():
        conn = Connection(host, port)
        for index in next_index:
            if time.perf_counter() > deadline:
                break
            method, path, header_set, body = requests[index]
            headers = header_sets[header_set]
            sent = time.perf_counter()
            try:
                status, data = await asyncio.wait_for(
                    conn.request(method, path, headers, body.encode()), give_up
                )
            except TimeoutError:  # the client gave up waiting: counted as status 0
                conn.close()
                results.append(
                    (0, (time.perf_counter() - sent) * 1000, time.perf_counter() - start)
                )
                continue
            except (OSError, ServerClosed, asyncio.IncompleteReadError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                conn.close()
                continue
            done = time.perf_counter()
            results.append((status, (done - sent) * 1000, done - start))
            if len(bodies) < keep or (status >= 500 and len(errors) < 5):
                bodies.append((status, data[:500].decode("utf-8", "replace")))
        conn.close()

    await asyncio.gather(*(worker() for _ in range(spec["concurrency"])))
    elapsed = time.perf_counter() - start
    by_status = {}
    for status, latency, finished in results:
        entry = by_status.setdefault(str(status), {"latencies": [], "last_s": 0.0})
        entry["latencies"].append(latency)
        entry["last_s"] = max(entry["last_s"], finished)
    figures = {
        "started_at": started_at,
        "sent": len(results) + len(errors),
        "answered": len(results),
        "elapsed_s": round(elapsed, 3),
        "requests_per_s": round(len(results) / elapsed, 1) if elapsed else None,
        "all": summarize([latency for _, latency, _ in results]),
        "statuses": {
            status: {**summarize(entry["latencies"]), "last_s": round(entry["last_s"], 3)}
            for status, entry in sorted(by_status.items())
        },
        "errors": errors[:5],
        "error_count": len(errors),
        "bodies": bodies,
    }
    if spec.get("timeline"):  # every answer: [seconds since start, latency ms, status]
        figures["timeline"] = [[round(f, 4), round(lat, 2), st] for st, lat, f in results]
    return figures


def main(argv: list[str]) -> None:
    with open(argv[1]) as handle:
        spec = json.load(handle)
    result = asyncio.run(run(spec))
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv)
