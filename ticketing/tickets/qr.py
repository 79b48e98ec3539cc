"""QR images of ticket codes: SVG for pages, PNG for email and attachments.

The symbol holds the code and nothing else (no personal data), at error
correction level M in alphanumeric mode, which puts a 26-character base32 code
in a version 2 symbol (25 x 25 modules): big modules, easy to scan from a
cracked phone screen at a dark door. Images depend only on the code, so they
are cached forever by browsers and rendered once per process here.
"""

import base64
import io
from functools import lru_cache

import qrcode
from qrcode import util
from qrcode.constants import ERROR_CORRECT_M

# The quiet zone the QR standard asks for, in modules.
QUIET_ZONE = 4
# PNG pixels per module: 33 modules x 8 = 264 px, crisp in email clients.
PNG_BOX_SIZE = 8
# Bump when the drawing changes, so cached images (ETags) are refreshed.
RENDER_VERSION = "1"

_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def _symbol(code: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE, box_size=PNG_BOX_SIZE)
    if code and set(code) <= _ALPHANUMERIC:
        # Explicit, so that the library's segment optimiser never picks byte mode.
        qr.add_data(util.QRData(code.encode(), mode=util.MODE_ALPHA_NUM))
    else:
        qr.add_data(code)
    qr.make(fit=True)
    return qr


@lru_cache(maxsize=2048)
def qr_matrix(code: str) -> tuple[tuple[bool, ...], ...]:
    """Dark (True) and light modules, quiet zone included."""
    return tuple(tuple(row) for row in _symbol(code).get_matrix())


def qr_version(code: str) -> int:
    """The QR version chosen for the code (2 for a ticket code)."""
    return _symbol(code).version


@lru_cache(maxsize=2048)
def qr_svg(code: str) -> bytes:
    """A scalable SVG: one path of dark runs on a white square (readable in dark mode)."""
    return _svg(qr_matrix(code))


def secret_qr_data_uri(text: str) -> str:
    """The same drawing of a secret (a device link) as a data: address for an
    <img>: never kept in a cache, never behind a URL of its own."""
    svg = _svg(_symbol(text).get_matrix())
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def _svg(matrix) -> bytes:
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {size} {size}" shape-rendering="crispEdges" '
        f'role="img" aria-label="QR code">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )
    return svg.encode()


@lru_cache(maxsize=512)
def qr_png(code: str, box_size: int = PNG_BOX_SIZE) -> bytes:
    """A black-on-white PNG, `box_size` pixels per module."""
    qr = _symbol(code)
    qr.box_size = box_size
    image = qr.make_image(fill_color="black", back_color="white").get_image()
    buffer = io.BytesIO()
    image.convert("1").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
