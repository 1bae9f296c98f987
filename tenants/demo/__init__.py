"""The demonstration data `manage.py seed_demo` puts in each province: demo staff (staff.py)
and content published through the modules' services and the province's own workflow
(content.py, texts in content.toml). Idempotent: running it again creates nothing new."""
