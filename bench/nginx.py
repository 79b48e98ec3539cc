"""nginx in front of the benchmark's app, configured by README's own sketch.

README's "Running in production" routes the door (scans, door search and
stats, scanner pages) to its own gunicorn on 127.0.0.1:8001, Stripe's
webhooks to theirs on 127.0.0.1:8002, and everything else to 127.0.0.1:8000.
The benchmark runs that server block, with its ports, plain http, and the
floor route on the door's pool (the floor is what a scan could cost at best
on the same processes).
"""

import os
import re
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLOOR_LOCATION = (
    "    location = /_bench/floor {\n        proxy_pass http://127.0.0.1:8001;\n    }\n"
)


def server_block() -> str:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        match = re.search(r"```nginx\n(.*?)```", handle.read(), re.DOTALL)
    if not match:
        raise RuntimeError("README.md has no nginx sketch")
    return match.group(1)


def command(tmp: str, port: int, main_port: int, door_port: int, hook_port: int) -> list[str]:
    server = server_block().replace("listen 443 ssl;", f"listen 127.0.0.1:{port} backlog=2048;")
    server = server.replace("    location / {", FLOOR_LOCATION + "    location / {", 1)
    server = server.replace("127.0.0.1:8000", f"127.0.0.1:{main_port}")
    server = server.replace("127.0.0.1:8001", f"127.0.0.1:{door_port}")
    server = server.replace("127.0.0.1:8002", f"127.0.0.1:{hook_port}")
    path = os.path.join(tmp, "nginx.conf")
    with open(path, "w") as handle:
        handle.write(
            f"daemon off; master_process off; pid {tmp}/nginx.pid;\n"
            f"error_log {tmp}/nginx-error.log;\n"
            "events { worker_connections 4096; }\n"
            f"http {{ access_log off; client_body_temp_path {tmp}/body;\n"
            f"proxy_temp_path {tmp}/proxy;\n"
            # keep-alive to the clients, as a phone's browser would have it
            "keepalive_requests 100000;\n"
            f"{server}\n}}\n"
        )
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    return [binary, "-c", path, "-p", tmp]
