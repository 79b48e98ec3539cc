"""Checkout: orders, seat holds, availability and expiry."""
