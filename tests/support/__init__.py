"""Helpers shared by the tests: plain modules, imported by conftests and tests alike.

Fixtures live in conftest.py files; what they build, start or check lives
here, so that no conftest imports another and each helper exists once.
"""
