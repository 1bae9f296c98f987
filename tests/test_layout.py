"""platform/ is a source root, never a package: a `platform` package would shadow the
standard library module that pytest, celery, sentry-sdk and psycopg import."""

import platform
from pathlib import Path

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
