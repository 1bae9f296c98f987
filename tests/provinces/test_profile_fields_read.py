"""ADR 0014: every field of the rule profile changes behaviour, or says it does not.

A field is *read* when code outside the schema accesses it by name: `x.name`,
`x["name"]`, `getattr(x, "name")` or `hasattr(x, "name")`, found by parsing the Python of
platform/, frontend/, api/, tenants/ and provinces/ (not tests or migrations). Comments,
docstrings and strings elsewhere do not count. provinces/schema.py counts only through its
accessors that code calls (`profile.agency_label(...)` reads `domains.label_rule`); its
validators never do: validating a field is not using it. A field no code reads must be
marked in the schema with `awaiting(<module>)`, itself or through its table.
Pure Python: no Django."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from provinces.profile_fields import awaiting_by_module, profile_fields
from provinces.schema import AWAITED_MODULES

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("platform", "frontend", "api", "tenants", "provinces")
SCHEMA = ROOT / "provinces" / "schema.py"


def names_read(tree: ast.AST) -> set[str]:
    """The attribute names a module's code accesses."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Subscript):
            key = node.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                names.add(key.value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            names.add(node.args[1].value)
    return names


def scanned_files() -> list[Path]:
    files = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = set(path.relative_to(ROOT).parts)
            if path == SCHEMA or parts & {"migrations", "tests", ".venv"}:
                continue
            files.append(path)
    return files


def _is_validator(function: ast.FunctionDef) -> bool:
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in ("model_validator", "field_validator"):
            return True
    return False


def accessor_reads(schema: ast.AST, called: set[str]) -> set[str]:
    """What the schema's accessor methods read, for the accessors code calls (and those they
    call in turn); validators and dunder methods are left out."""
    accessors: dict[str, list[ast.FunctionDef]] = {}
    for node in ast.walk(schema):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if (
                    isinstance(item, ast.FunctionDef)
                    and not item.name.startswith("__")
                    and not _is_validator(item)
                ):
                    accessors.setdefault(item.name, []).append(item)
    names: set[str] = set()
    pending = [name for name in accessors if name in called]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for function in accessors[name]:
            read = names_read(function)
            names |= read
            pending.extend(other for other in read if other in accessors)
    return names


@pytest.fixture(scope="module")
def read_by_code() -> set[str]:
    names: set[str] = set()
    for path in scanned_files():
        names |= names_read(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    return names | accessor_reads(ast.parse(SCHEMA.read_text(encoding="utf-8")), names)


def test_the_scan_counts_code_not_comments_or_strings():
    # given a module that mentions fields in a comment, a docstring and a plain string
    source = '''
"""Reads profile.language.english somewhere."""
# submission_mailbox is shown on the portal
label = "required_on_repost"
a = profile.attribution.text
b = data["elements"]
c = getattr(profile, "page_metadata")
'''
    # when
    names = names_read(ast.parse(source))
    # then only the accesses count
    assert {"attribution", "text", "elements", "page_metadata"} <= names
    assert not {"english", "submission_mailbox", "required_on_repost"} & names


def test_schema_validators_do_not_count_but_called_accessors_do():
    schema = ast.parse(
        """
class Language(Frozen):
    @model_validator(mode="after")
    def _check(self):
        return self.submission_mailbox

class Profile(Frozen):
    def agency_label(self, agency):
        return self.host(agency.host_label)

    def host(self, label):
        return self.domains.label_rule

    def unused(self):
        return self.encoding
"""
    )
    names = accessor_reads(schema, called={"agency_label"})
    assert {"host_label", "label_rule"} <= names
    assert not {"submission_mailbox", "encoding"} & names


def test_the_walk_reaches_nested_models_lists_and_dicts():
    paths = {field.path for field in profile_fields()}
    assert "language.english" in paths
    assert "agencies[].host_label" in paths  # a list of models
    assert "qa.kinds.*.working_days" in paths  # a dict of models
    assert "governance.workflows.portal.steps[].role" in paths
    assert "page_metadata.elements" in paths  # an optional model


def test_every_profile_field_is_read_by_code_or_marked_awaiting(read_by_code):
    unread = [
        field.path
        for field in profile_fields()
        if field.awaiting is None and field.name not in read_by_code
    ]
    assert not unread, (
        "profile fields no code reads and not marked awaiting(<module>) in "
        "provinces/schema.py (ADR 0014):\n  " + "\n  ".join(unread)
    )


def test_the_sections_waiting_for_their_modules_are_marked():
    # Issue 7 item 12: these tables are validated, and their modules do not exist yet (the
    # catalogue's `public_services` is read since issue 11, `backups` since issue 12, and
    # `reporting`, `budget` and `royalties` by the reports and royalties modules since issue 14).
    marked = {path for paths in awaiting_by_module().values() for path in paths}
    assert "operations" in marked
    for section in ("reporting", "budget", "royalties"):
        assert section not in marked


def test_a_marked_field_is_not_also_read(read_by_code):
    """A marker that outlives its module misleads: once code reads a field, drop the mark."""
    stale = [
        field.path
        for field in profile_fields()
        if field.marked and field.leaf and field.name in read_by_code
    ]
    assert not stale, "marked awaiting but read by code:\n  " + "\n  ".join(stale)


def test_every_awaited_module_has_a_readable_name():
    for module in awaiting_by_module():
        assert AWAITED_MODULES[module].strip()
