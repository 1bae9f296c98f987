"""Editorial tests use the shared factories of tests/conftest.py (province_schema, Staff)."""
