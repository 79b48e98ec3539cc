"""Handing a message to SMTP, or to instance/outbox/ without MAIL_SERVER.

Who is owed an email, and who sends it, is the outbox's business
(ticketing/delivery/outbox.py); the send itself runs in a task
(ticketing/tasks/jobs.py), after the payment's commit and outside any
transaction. With no MAIL_SERVER (development) the message is written to
instance/outbox/ instead, which counts as sent.
"""

import logging
import os
import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)

# Automatic attempts per order (the sweep stops after these; a person can still resend).
MAX_ATTEMPTS = 5
SMTP_TIMEOUT_SECONDS = 15
# What a failed send raises.
SEND_ERRORS = (smtplib.SMTPException, OSError)


def transmit(message: EmailMessage, order_id: int, kind: str = "") -> str:
    """Hand the message to SMTP, or to the outbox folder without MAIL_SERVER; says where."""
    config = current_app.config
    server = config.get("MAIL_SERVER")
    if not server:
        return write_to_outbox(message, order_id, kind)
    port = int(config.get("MAIL_PORT") or 25)
    timeout = config.get("MAIL_TIMEOUT", SMTP_TIMEOUT_SECONDS)
    with smtplib.SMTP(server, port, timeout=timeout) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)
    return f"{server}:{port}"


def outbox_dir() -> str:
    return current_app.config.get("MAIL_OUTBOX_DIR") or os.path.join(
        current_app.instance_path, "outbox"
    )


def write_to_outbox(message: EmailMessage, order_id: int, kind: str = "") -> str:
    """Development: the message as an .eml file anyone can open in a mail program."""
    folder = outbox_dir()
    os.makedirs(folder, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = os.path.join(folder, f"{order_id}-{kind}{stamp}.eml")
    with open(path, "wb") as handle:
        handle.write(message.as_bytes())
    log.info("No MAIL_SERVER: email for order %s written to %s", order_id, path)
    return path
