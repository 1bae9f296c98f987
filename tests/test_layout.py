"""platform/ is a source root, never a package: a `platform` package would shadow the
standard library module that pytest, celery, sentry-sdk and psycopg import."""

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_platform_folder_is_not_a_package():
    assert (ROOT / "platform").is_dir()
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_standard_library_platform_module_still_works():
    assert platform.__file__ is not None
    assert not platform.__file__.startswith(str(ROOT))
    assert platform.python_version().startswith("3.11")


def test_apps_import_by_their_own_names():
    import accounts
    import config
    import organization

    for module in (accounts, config, organization):
        assert Path(module.__file__).resolve().parent.parent == ROOT / "platform"


def _first_import(module: str) -> subprocess.CompletedProcess:
    code = (
        "import sys; sys.path[:0] = ['platform', '.']\n"
        "import django; django.setup()\n"
        f"import {module}\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=120,
    )


API_MODULES = sorted(
    f"api.{path.stem}" for path in (ROOT / "api").glob("*.py") if path.name != "__init__.py"
)


@pytest.mark.parametrize("module", API_MODULES)
def test_api_modules_import_first_in_a_fresh_process(module):
    # Celery beat and management commands may load one of them before the rest of the API
    # (the REST_FRAMEWORK classes are read when rest_framework.views loads): an import cycle
    # there stops the process. It once stopped `./ops/run`.
    done = _first_import(module)
    assert done.returncode == 0, done.stderr[-2000:]
