"""A real SMTP server's inbox (aiosmtpd), and what a sent ticket email carries."""

import email
from email import policy


class Inbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"


def inline_images(message) -> dict[str, bytes]:
    """The message's inline PNGs by Content-ID (without angle brackets)."""
    images = {}
    for part in message.walk():
        if part.get_content_type() == "image/png":
            # A Content-ID folded onto its own line keeps the fold's leading space.
            images[part["Content-ID"].strip().strip("<>")] = part.get_content()
    return images
