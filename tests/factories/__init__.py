"""Builders for tests, one module per module of the platform (see tests/README.md)."""
