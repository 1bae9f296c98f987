"""`manage.py media_copy --to-s3` (ADR 0025): a province's files on disk are copied into the
bucket under its own prefix with the same names (so every row's file name still resolves),
a second run copies nothing, a dry run writes nothing, and without MEDIA_S3_* it refuses."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_tenants.utils import schema_context

from config.storage import media_root_of, media_storage_for
from tests.storage.conftest import media_in_s3

FILES = {
    "editorial/2026/03/to-khai.pdf": b"%PDF-1.4 mau 01",
    "qa/2026/04/anh chup.png": b"\x89PNG\r\n\x1a\n anh",
}


def _copy(*args: str) -> str:
    out = StringIO()
    call_command("media_copy", *args, stdout=out)
    return out.getvalue()


def test_files_on_disk_are_copied_into_the_province_prefix_once(tenant_db, tmp_path):
    backan, hagiang = tenant_db["backan"].schema_name, tenant_db["hagiang"].schema_name
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        # given Bắc Kạn's files where the filesystem backend keeps them
        disk = FileSystemStorage(location=media_root_of(backan))
        for name, data in FILES.items():
            disk.save(name, ContentFile(data))
        FileSystemStorage(location=media_root_of(hagiang)).save("x/y.txt", ContentFile(b"hg"))
        with media_in_s3() as place:
            # a dry run counts and copies nothing
            assert "would copy 2 files" in _copy("--to-s3", "--province", "backan", "--dry-run")
            assert place.keys() == []
            # when the province is copied
            output = _copy("--to-s3", "--province", "backan")
            # then each file is an object under its schema's prefix, same name, same bytes
            assert "backan (p_backan): copied 2 files" in output
            assert place.keys() == sorted(place.key(backan, name) for name in FILES)
            for name, data in FILES.items():
                assert place.read(place.key(backan, name)) == data
            # and the province reads them through the storage by the names its rows hold
            with schema_context(backan):
                bucket = media_storage_for(backan)
                assert (
                    bucket.open("editorial/2026/03/to-khai.pdf").read()
                    == FILES["editorial/2026/03/to-khai.pdf"]
                )
            # and another province was not touched
            assert place.keys(f"{hagiang}/") == []
            # when it runs again, nothing is copied twice
            again = _copy("--to-s3", "--province", "backan")
            assert "copied 0 files" in again
            assert "2 already there" in again
            # an unknown province is refused by name
            with pytest.raises(CommandError, match="unknown province: khong-co"):
                _copy("--to-s3", "--province", "khong-co")
        # and without the bucket's settings, nothing is attempted
        with pytest.raises(CommandError, match="MEDIA_S3_BUCKET is not set"):
            _copy("--to-s3")
        with pytest.raises(CommandError, match="--to-s3"):
            _copy()
