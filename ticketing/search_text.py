"""One way to fold names and emails for search, the same in Python on both
databases; and the web addresses (slugs) made from names the same way.

SQLite's `lower()` leaves Cyrillic alone and neither database folds the
Turkish dotted and dotless i the way people type them, so the folding is
done here, when a name is written (into a stored `search_key` column) and
when a query comes in: transliterated to Latin with anyascii, lower case,
apostrophes (soft and hard signs: "Khmel'nits'kiy") dropped, spaces
collapsed. "Петрова", "ПЕТРОВА" and "Petrova" all fold to "petrova";
"İsmail", "ısmail" and "Ismail" to "ismail". The key is plain ASCII, so a
LIKE on it means the same on SQLite and PostgreSQL.
"""

import re
import unicodedata

from anyascii import anyascii

# Between the parts of a key (name, email): no folded query contains it, so
# a match never spans two parts.
SEPARATOR = "\n"
KEY_LENGTH = 600
_DROPPED = re.compile(r"['`\"]+")


def fold(text: str | None) -> str:
    """The search form of a name, email or query (ASCII, lower case)."""
    latin = anyascii(unicodedata.normalize("NFC", text or ""))
    return " ".join(_DROPPED.sub("", latin.lower()).split())


def search_key(*parts: str | None) -> str:
    """The stored key of a row: its folded parts, kept apart."""
    return SEPARATOR.join(fold(part) for part in parts)[:KEY_LENGTH]


def like_pattern(query: str) -> str | None:
    """A LIKE pattern (escape character "\\") finding the folded query
    anywhere in a key; None when nothing is left to search for."""
    folded = fold(query)
    if not folded:
        return None
    escaped = folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


SLUG_LENGTH = 80
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str | None) -> str:
    """A web address from a name, transliterated: "Umut Arkadaşlar" ->
    "umut-arkadaslar", "Песни" -> "pesni"; "" when nothing is left."""
    latin = _DROPPED.sub("", anyascii(unicodedata.normalize("NFC", text or "")).lower())
    return _NOT_SLUG.sub("-", latin).strip("-")[:SLUG_LENGTH].strip("-")
