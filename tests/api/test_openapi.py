"""The OpenAPI schemas are committed (docs/api/) and reviewed in diffs: they must match the code.

To update after an API change:
    python manage.py spectacular --urlconf config.urls_tenant --file docs/api/openapi-province.yaml
    python manage.py spectacular --urlconf config.urls_public --file docs/api/openapi-platform.yaml
"""

from pathlib import Path

import pytest
from django.core.management import call_command

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api"


@pytest.mark.parametrize(
    ("urlconf", "committed"),
    [
        ("config.urls_tenant", "openapi-province.yaml"),
        ("config.urls_public", "openapi-platform.yaml"),
    ],
)
def test_committed_schema_matches_the_code(urlconf, committed, tmp_path):
    generated = tmp_path / committed
    call_command("spectacular", urlconf=urlconf, file=str(generated), validate=True)
    assert generated.read_text() == (DOCS / committed).read_text(), (
        f"docs/api/{committed} is stale: regenerate it (see this module's docstring)"
    )


def test_every_operation_is_tagged(tmp_path):
    import yaml

    for committed in ("openapi-province.yaml", "openapi-platform.yaml"):
        schema = yaml.safe_load((DOCS / committed).read_text())
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                assert operation.get("tags"), f"{method.upper()} {path} has no tag"
