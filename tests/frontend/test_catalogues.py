"""The translation catalogue is complete (ADR 0015, Translations).

Vietnamese is the source language: every string marked with gettext in the modules, the API,
the web layer and the templates is a msgid of `frontend/locale/en/LC_MESSAGES/django.po`. A
string marked but not extracted, or an entry left without English, fails here: makemessages
into a temporary copy of the catalogue produces no new entry, and no entry is empty or fuzzy.
"""

from __future__ import annotations

import ast
import gettext
import json
import re
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from tests.conftest import host_client

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "frontend" / "locale" / "en" / "LC_MESSAGES" / "django.po"
# What makemessages reads: the project's sources, not its tests, tools or virtualenv.
IGNORED = ["tests", "docs", "ops", "var", "requirements", "node_modules", "*.egg-info", "*.mo"]


def _entries(path: Path) -> dict[tuple[str, str], tuple[str, bool]]:
    """(msgctxt, msgid) → (msgstr, fuzzy) of a .po file's live entries (not the header, not
    obsolete `#~` ones); plural forms count as their singular msgid and first msgstr."""
    entries: dict[tuple[str, str], tuple[str, bool]] = {}
    current: dict[str, str] = {}
    fuzzy = False
    key = ""

    def flush():
        nonlocal current, fuzzy
        if current.get("msgid"):
            text = current.get("msgstr", current.get("msgstr[0]", ""))
            entries[(current.get("msgctxt", ""), current["msgid"])] = (text, fuzzy)
        current, fuzzy = {}, False

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            flush()
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line)
            assert match, f"unreadable line in {path.name}: {line!r}"
            key = match.group(1)
            if key == "msgid" and "msgid" in current:
                flush()
            current[key] = ast.literal_eval(match.group(2))
    flush()
    return entries


def test_makemessages_finds_no_string_missing_from_the_catalogue(tmp_path, monkeypatch):
    # makemessages writes into the `locale` folder it finds beside the sources, so it runs on a
    # copy of the sources and of the catalogue, never on the committed one.
    tree = tmp_path / "tree"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(".*", "__pycache__", *IGNORED))
    copy = tree / CATALOGUE.relative_to(ROOT)
    assert copy.exists()
    monkeypatch.chdir(tree)
    with override_settings(LOCALE_PATHS=[copy.parent.parent.parent]):
        call_command(
            "makemessages",
            locale=["en"],
            ignore_patterns=IGNORED,
            no_location=True,
            no_obsolete=True,
            verbosity=0,
        )
    extracted, committed = _entries(copy), _entries(CATALOGUE)
    missing = sorted(set(extracted) - set(committed))
    stale = sorted(set(committed) - set(extracted))
    assert not missing, f"marked but not in the catalogue (run makemessages): {missing[:20]}"
    assert not stale, f"in the catalogue but marked nowhere (run makemessages): {stale[:20]}"


def test_the_english_catalogue_has_no_empty_or_fuzzy_entry():
    untranslated = [
        msgid for (_ctx, msgid), (text, fuzzy) in _entries(CATALOGUE).items() if fuzzy or not text
    ]
    assert not untranslated, f"{len(untranslated)} entries without English: {untranslated[:20]}"


def test_the_compiled_catalogue_matches_the_po_file():
    # The .mo is committed (the pages read it); msgfmt after every change to the .po.
    with CATALOGUE.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for (ctx, msgid), (text, _fuzzy) in _entries(CATALOGUE).items()
        if text and (compiled.pgettext(ctx, msgid) if ctx else compiled.gettext(msgid)) != text
    ]
    assert not stale, f"compile the catalogue (msgfmt): {stale[:20]}"


def _refused_submission(client) -> dict:
    body = {"topic": "khong-co", "title": "Hỏi", "text": "Xin hỏi?", "consent": False}
    body |= {"name": "Nguyễn Văn An", "email": "an@example.vn"}
    response = client.post("/api/v1/qa/questions/", json.dumps(body), "application/json")
    assert response.status_code == 400, response.content
    return response.json()["error"]


def test_the_api_answers_in_vietnamese_unless_english_was_chosen(tenant_db):
    # Hà Giang has an English version (Art. 4(1)); the browser's preference chooses nothing.
    vietnamese = "Cần đồng ý cho phép xử lý dữ liệu cá nhân để gửi."
    assert _refused_submission(host_client("hagiang.localhost"))["message"] == vietnamese
    browser = host_client("hagiang.localhost", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert _refused_submission(browser)["message"] == vietnamese
    # The language switch's choice (Django's language cookie) is the one way to English.
    chosen = host_client("hagiang.localhost")
    chosen.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _refused_submission(chosen)
    assert english["code"] == "consent_required"
    assert english["message"] == "To send, you must agree to the processing of your personal data."
