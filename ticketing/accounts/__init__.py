"""Accounts: users, organizations, roles, logins and API tokens."""
