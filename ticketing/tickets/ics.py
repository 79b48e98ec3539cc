"""An "Add to calendar" file for an order's event (RFC 5545).

Times are written in UTC with the `Z` suffix, which every calendar converts
to its own zone; text is escaped and lines are folded at 75 octets with CRLF,
as the RFC requires (Outlook and Apple Calendar are strict about both).
"""

from datetime import UTC, datetime

from ticketing.database import utcnow

MAX_LINE_OCTETS = 75


def ics_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def escape_text(value: str) -> str:
    """TEXT value escaping: backslash, semicolon, comma and newlines."""
    return (
        (value or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into 75-octet pieces, never inside a UTF-8 character."""
    pieces, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        # Continuation lines start with a space, which counts towards their 75.
        if size + width > MAX_LINE_OCTETS:
            pieces.append(current)
            current, size = " ", 1
        current += char
        size += width
    pieces.append(current)
    return "\r\n".join(pieces)


def event_calendar(
    *,
    uid: str,
    name: str,
    starts_at: datetime,
    ends_at: datetime | None,
    location: str,
    description: str,
    url: str,
    now: datetime | None = None,
) -> bytes:
    """One VEVENT in a VCALENDAR, as UTF-8 bytes with CRLF line endings."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Benefit tickets//Charity concert ticketing//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{ics_time(now or utcnow())}",
        f"DTSTART:{ics_time(starts_at)}",
    ]
    if ends_at is not None and ends_at > starts_at:
        # Without DTEND the RFC says the event ends when it starts; no end is invented.
        lines.append(f"DTEND:{ics_time(ends_at)}")
    lines += [
        f"SUMMARY:{escape_text(name)}",
        f"LOCATION:{escape_text(location)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()
