"""Payments: the only package that talks to Stripe (or its offline stand-in)."""
