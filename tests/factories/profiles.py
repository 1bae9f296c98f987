"""Builders for profile versions (public schema), through tenants.profile_versions only:
operators, a shipped profile's text with a few values changed, versions uploaded and approved."""

from __future__ import annotations

import re
from datetime import date
from itertools import count

from provinces.loader import PROFILES_DIR

_numbers = count(1)


def operator(username: str | None = None):
    """A ministry operator (an account of the public schema) through `operator_create`."""
    from django_tenants.utils import get_public_schema_name, schema_context

    from accounts.services import operator_create

    with schema_context(get_public_schema_name()):
        name = username or f"vanhanh{next(_numbers)}"
        return operator_create(username=name, full_name=f"Cán bộ {name}").user


def _set_in_table(text: str, table: str, key: str, value: str) -> str:
    """`key = value` inside the TOML table `[table]` (the line replaced, or added after the
    header); `table` "" is the top level."""
    lines = text.split("\n")
    start = 0
    if table:
        header = f"[{table}]"
        start = next(i for i, line in enumerate(lines) if line.strip() == header) + 1
    end = next(
        (i for i in range(start, len(lines)) if lines[i].lstrip().startswith("[")), len(lines)
    )
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
    for index in range(start, end):
        if pattern.match(lines[index]):
            lines[index] = f"{key} = {value}"
            return "\n".join(lines)
    lines.insert(start, f"{key} = {value}")
    return "\n".join(lines)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, date)):
        return value.isoformat() if isinstance(value, date) else str(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise TypeError(f"no TOML for {value!r}")


def profile_text(slug: str, /, *, effective_from: date | None = None, **changes) -> str:
    """The shipped TOML of `slug`'s latest version with `province.effective_from` set to
    `effective_from` (when given) and each change applied: a keyword names a table's key with
    "__" for the dots, e.g. `qa__kinds__competence__working_days=7` (tables only, not arrays
    of tables)."""
    # The shipped file itself (the store may hold later approved versions of the province).
    latest = sorted((PROFILES_DIR / slug).glob("*.toml"))[-1]
    text = latest.read_text(encoding="utf-8")
    if effective_from is not None:
        text = _set_in_table(text, "province", "effective_from", effective_from.isoformat())
    for name, value in changes.items():
        *tables, key = name.split("__")
        text = _set_in_table(text, ".".join(tables), key, _toml_value(value))
    return text


def uploaded(text: str, /, *, operator, past_reason: str = "", now=None):
    """A version submitted by `operator` through `version_submit`."""
    from tenants.profile_versions import version_submit

    return version_submit(text=text, operator=operator, past_reason=past_reason, now=now)


def approved(text: str, /, *, author, reviewer, past_reason: str = ""):
    """A version submitted by `author` and approved by `reviewer` (another operator)."""
    from tenants.profile_versions import version_approve

    return version_approve(
        version=uploaded(text, operator=author, past_reason=past_reason), operator=reviewer
    )
