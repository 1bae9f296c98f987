"""The archive format on its own (no database): written and read back with every file's
sha256, and tampered archives refused before a byte lands outside their target. Also which
PostgreSQL client programs are chosen for a server, and that the connection's password never
reaches a command line or an error message."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

import pytest
from django.db import connections

from backups import binaries
from backups.archive import DUMP, MANIFEST, extract, files_state, write_archive
from backups.binaries import BackupError, choose


def _media(root: Path) -> Path:
    (root / "editorial" / "2026" / "03").mkdir(parents=True)
    (root / "editorial" / "2026" / "03" / "tờ khai.pdf").write_bytes(b"%PDF-1.4 mau 01")
    (root / "uploads").mkdir()
    (root / "uploads" / "bien-ban.txt").write_bytes("Biên bản họp".encode())
    (root / "uploads" / "lien-ket").symlink_to("/etc/passwd")
    return root


@pytest.mark.without_services
def test_an_archive_holds_the_dump_every_file_and_a_manifest_last(tmp_path):
    # given a dump and a province's folder of files (a link among them)
    dump = tmp_path / "in.dump"
    dump.write_bytes(b"PGDMP" + bytes(range(256)) * 10)
    media = _media(tmp_path / "media")
    # when the archive is written
    written = write_archive(
        target=tmp_path / "a.tar", dump_path=dump, media=media, manifest={"format": 1}
    )
    # then its sha256 and size are those of the file written
    data = (tmp_path / "a.tar").read_bytes()
    assert (written.size, written.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    # and it holds the dump, every regular file (never the link), then the manifest
    with tarfile.open(tmp_path / "a.tar") as tar:
        names = tar.getnames()
    assert names == [
        DUMP,
        "files/editorial/2026/03/tờ khai.pdf",
        "files/uploads/bien-ban.txt",
        MANIFEST,
    ]
    # and the manifest lists every file with its size and sha256
    assert written.manifest["files"] == files_state(media)
    assert "uploads/lien-ket" not in written.manifest["files"]
    # and reading it back gives the same bytes
    extracted = extract(tmp_path / "a.tar", tmp_path / "out")
    assert extracted.manifest == written.manifest
    assert extracted.dump_path.read_bytes() == dump.read_bytes()
    assert extracted.files == written.manifest["files"]


def _tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    with tarfile.open(path, "w") as tar:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                name, body = member
                info = tarfile.TarInfo(name)
                info.size = len(body)
                tar.addfile(info, io.BytesIO(body))
    return path


def _link(name: str, target: str, kind: bytes) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


MANIFEST_BODY = (MANIFEST, json.dumps({"format": 1}).encode())


@pytest.mark.without_services
@pytest.mark.parametrize(
    "member",
    [
        ("../evil.txt", b"x"),
        ("files/../../evil.txt", b"x"),
        ("/portal-evil.txt", b"x"),
        ("files/a/../../../evil.txt", b"x"),
        ("ghi-chu.txt", b"x"),  # not a member of the format
        ("files", b"x"),
        _link("files/lien-ket", "/etc/passwd", tarfile.SYMTYPE),
        _link("files/cung", "/etc/passwd", tarfile.LNKTYPE),
        _link("files/thiet-bi", "", tarfile.CHRTYPE),
        ("files/" + "a" * 1100, b"x"),
    ],
)
def test_a_tampered_archive_is_refused_and_writes_nothing_outside(tmp_path, member):
    # given an archive with one unsafe member among good ones
    archive = _tar(tmp_path / "t.tar", [(DUMP, b"PGDMP"), member, MANIFEST_BODY])
    target = tmp_path / "deep" / "out"
    # when it is read, it is refused
    with pytest.raises(BackupError) as caught:
        extract(archive, target)
    assert caught.value.code == "archive_unsafe"
    # and nothing was written beside the target
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "t.tar"]
    assert [p.name for p in (tmp_path / "deep").iterdir()] == ["out"]
    assert not Path("/portal-evil.txt").exists()


@pytest.mark.without_services
def test_a_file_that_is_no_archive_is_refused(tmp_path):
    (tmp_path / "x.tar").write_bytes(b"khong phai tar" * 100)
    with pytest.raises(BackupError) as caught:
        extract(tmp_path / "x.tar", tmp_path / "out")
    assert caught.value.code == "archive_unreadable"


@pytest.mark.without_services
def test_an_archive_without_a_manifest_is_refused(tmp_path):
    archive = _tar(tmp_path / "t.tar", [(DUMP, b"PGDMP")])
    with pytest.raises(BackupError) as caught:
        extract(archive, tmp_path / "out")
    assert caught.value.code == "archive_unreadable"


@pytest.mark.without_services
@pytest.mark.parametrize(
    ("found", "server", "chosen"),
    [
        ([("a", 14), ("b", 15), ("c", 18)], 15, "b"),  # the same major
        ([("a", 14), ("c", 18), ("b", 16)], 15, "b"),  # else the smallest newer
        ([("a", 18), ("b", 18)], 18, "a"),  # the first found of the best
        ([("a", 14)], 15, None),  # never an older one
        ([], 15, None),
    ],
)
def test_the_client_programs_match_the_server_or_are_the_nearest_newer(found, server, chosen):
    picked = choose([(Path(p), m) for p, m in found], server)
    assert (picked[0].name if picked else None) == chosen


@pytest.mark.django_db
def test_the_password_goes_in_the_environment_never_in_an_error(monkeypatch):
    # given a database password (trust authentication here ignores it)
    monkeypatch.setitem(connections["default"].settings_dict, "PASSWORD", "mat-khau-bi-mat")
    # then the client programs find it in their environment
    assert binaries.pg_environment()["PGPASSWORD"] == "mat-khau-bi-mat"
    # and a failing program's error does not repeat it
    tools = binaries.find_tools()
    with pytest.raises(BackupError) as caught:
        binaries.run([tools.path("psql"), "--no-psqlrc", "-c", "SELECT khong_co_cot"])
    assert caught.value.code == "tool_failed"
    assert "khong_co_cot" in str(caught.value)
    assert "mat-khau-bi-mat" not in str(caught.value)


@pytest.mark.parametrize("niceness", [10, 0])
def test_the_client_programs_run_below_the_web_workers(settings, niceness):
    # given the backups' niceness (10 by default: pages keep the CPU first on a shared host)
    settings.BACKUP_NICENESS = niceness
    ours = os.nice(0)
    # when a client program runs, then it runs that much nicer than this process
    assert int(binaries.run(["/usr/bin/nice"])) == min(ours + niceness, 19)
