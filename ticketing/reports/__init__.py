"""Totals from the ledger, the organizer dashboard and CSV exports."""
