"""Tickets: codes, QR images, the order page and the ticket email."""
