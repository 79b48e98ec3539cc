"""The scanner as an installable web app: its manifest and its service worker.

The worker is served from /door/sw.js with `Service-Worker-Allowed: /door`,
so its scope covers both scanner pages (/door and /door/device/<token>). Its
first line lists the files the scanner needs (page shell assets, scripts,
styles, the vendored QR library, icons), and a version made from their
contents: a new deploy changes the worker, which re-caches them. The worker
code itself is the static file js/door-sw.js.
"""

import hashlib
import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, url_for
from flask_babel import gettext

bp = Blueprint("door_app", __name__)

SCOPE = "/door"
# The files the scanner page loads, relative to the static folder.
SHELL_FILES = (
    "css/app.css",
    "css/scanner.css",
    "css/door-offline.css",
    "js/forms.js",
    "js/door-fold.js",
    "js/door-store.js",
    "js/door-device.js",
    "js/door-offline.js",
    "js/scanner.js",
    "vendor/qr-scanner-1.4.2/qr-scanner.umd.min.js",
    "vendor/qr-scanner-1.4.2/qr-scanner-worker.min.js",
    "icons/door-192.png",
    "icons/door-512.png",
)
WORKER_FILE = "js/door-sw.js"


@cache
def _version(static_folder: str) -> str:
    digest = hashlib.sha256()
    for name in (*SHELL_FILES, WORKER_FILE):
        digest.update(name.encode())
        digest.update((Path(static_folder) / name).read_bytes())
    return digest.hexdigest()[:16]


@bp.get("/door/sw.js")
def service_worker():
    """The scanner's service worker (public: it holds no data, only file names)."""
    static = current_app.static_folder
    config = {
        "version": _version(static),
        "assets": [url_for("static", filename=name) for name in SHELL_FILES],
        "manifest": url_for("door_app.manifest"),
        "scope": SCOPE,
    }
    code = (Path(static) / WORKER_FILE).read_text(encoding="utf-8")
    body = f"self.DOOR_CONFIG = {json.dumps(config)};\n{code}"
    response = Response(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = SCOPE
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/door/manifest.webmanifest")
def manifest():
    """The web app manifest: no start_url, so the app opens the page it was installed
    from (a device link keeps its own link)."""
    body = {
        "name": gettext("Door scanner"),
        "short_name": gettext("Door"),
        "scope": SCOPE,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#111111",
        "theme_color": "#1f6f43",
        "icons": [
            {
                "src": url_for("static", filename=f"icons/door-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any",
            }
            for size in (192, 512)
        ],
    }
    response = Response(json.dumps(body), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response
