"""Door check-in: the scanner page, the check-in API and the scan log."""
