"""Ticket codes: 128 random bits, base32, upper case, 26 characters.

Upper-case base32 keeps a QR code in alphanumeric mode (version 2, level M)
and can be read out over a phone; people typing it may add spaces, dashes
or lower case, which `normalize_code` forgives.
"""

import base64
import re
import secrets

CODE_LENGTH = 26
_NOT_BASE32 = re.compile(r"[^A-Z2-7]")


def new_code() -> str:
    return base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")


def normalize_code(text: str) -> str:
    """What a scanner or a person sent, as the code it most likely means."""
    cleaned = re.sub(r"[\s\-_.]", "", text or "").upper()
    return cleaned


def looks_like_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and not _NOT_BASE32.search(code)


def grouped_code(code: str, size: int = 4) -> str:
    """The code in groups of four, for reading out over a phone or at a door."""
    return " ".join(code[i : i + size] for i in range(0, len(code), size))
