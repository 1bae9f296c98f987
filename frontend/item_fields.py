"""The fields of each content kind, read from its pydantic model (editorial.content), as the
pages need them: an input per field on the staff forms, a labelled value on the public page.

The models stay the one definition: a field added to a kind appears on both without a change
here (labelled by its name until editorial.content.FIELD_LABELS names it)."""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from datetime import date, datetime

from annotated_types import MaxLen
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel

from core.profiles import current_profile
from editorial.content import (
    COLUMN_LABELS,
    FIELD_LABELS,
    FIELDS_OF_KIND,
    LEGAL_STATUS_LABELS,
    PROCEDURE_LABELS,
    TIMING_FIELDS,
    procedure_missing,
)
from editorial.models import Kind
from provinces.calendar import TZ
from provinces.citations import for_citizens

LONG_TEXT = 1000  # a str field longer than this gets a text area

# Fields whose values are codes: the words the form offers and the page shows for each code, by
# kind and then by name (two kinds may give one name different codes). A Literal field with no
# entry here offers its codes as they are.
FIELD_CHOICES: dict[str, dict[str, dict]] = {
    Kind.LEGAL_DOCUMENT: {"status": LEGAL_STATUS_LABELS},
    Kind.PROCEDURE: PROCEDURE_LABELS,
}


def _profile_levels(words: dict) -> dict:
    """A procedure's online levels: "" (no online service) and the levels of the profile in
    force (public_services.levels), in the profile's order."""
    profile = current_profile()
    services = getattr(profile, "public_services", None) if profile is not None else None
    levels = [str(level) for level in services.levels] if services is not None else list(words)
    return {code: words.get(code, code) for code in dict.fromkeys(["", *levels])}


# Columns whose name another list uses for something else (a contact's "name" is a person's), by
# (list field, column).
OWN_COLUMN_LABELS = {("dossier", "name"): _("Tên thành phần hồ sơ")}


def column_label(list_name: str, name: str) -> str:
    """The label of a column of the list field `list_name`."""
    own = OWN_COLUMN_LABELS.get((list_name, name))
    return str(own if own is not None else COLUMN_LABELS.get(name, FIELD_LABELS.get(name, name)))


# Choices that depend on the profile in force, by kind and name.
PROFILE_CHOICES = {(Kind.PROCEDURE, "online_level"): _profile_levels}


@dataclass(frozen=True)
class KindField:
    name: str
    type: str  # datetime, date, bool, text, textarea, integer, number, choice, choices, list
    required: bool
    max_length: int | None = None
    columns: tuple[KindField, ...] = ()  # the fields of one element of a list
    kind: str = ""
    codes: tuple[str, ...] = ()  # the values a Literal field allows, in its order
    minimum: float | None = None
    maximum: float | None = None
    list_name: str = ""  # a column of a list field's rows: that field's name

    @property
    def label(self) -> str:
        if self.list_name:
            return column_label(self.list_name, self.name)
        labels = FIELD_LABELS if self.name in FIELD_LABELS else COLUMN_LABELS
        return str(labels.get(self.name, self.name))

    @property
    def choices(self) -> dict:
        """Code → words, for a choice (one code) or choices (a list of codes) field."""
        words = FIELD_CHOICES.get(self.kind, {}).get(self.name, {})
        dynamic = PROFILE_CHOICES.get((self.kind, self.name))
        if dynamic is not None:
            return dynamic(words)
        if self.codes:
            return {code: words.get(code, code) for code in self.codes}
        return dict(words)

    def words(self, code) -> str:
        """A code as people read it (never the code itself when there are words for it)."""
        words = FIELD_CHOICES.get(self.kind, {}).get(self.name, {})
        return str(words.get(code, code))


def _unwrap_optional(annotation):
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _literal_codes(annotation) -> tuple[str, ...]:
    if typing.get_origin(annotation) is typing.Literal:
        return tuple(str(code) for code in typing.get_args(annotation))
    return ()


def _bound(metadata, names: tuple[str, ...]) -> float | None:
    return next(
        (
            getattr(m, name)
            for m in metadata
            for name in names
            if getattr(m, name, None) is not None
        ),
        None,
    )


def _describe(
    model: type[BaseModel], kind_name: str = "", *, list_name: str = ""
) -> tuple[KindField, ...]:
    described = []
    for name, info in model.model_fields.items():
        annotation = _unwrap_optional(info.annotation)
        max_length = next((m.max_length for m in info.metadata if isinstance(m, MaxLen)), None)
        columns: tuple[KindField, ...] = ()
        codes = _literal_codes(annotation)
        named = name in FIELD_CHOICES.get(kind_name, {})
        if typing.get_origin(annotation) is list:
            (element,) = typing.get_args(annotation)
            if isinstance(element, type) and issubclass(element, BaseModel):
                kind = "list"
                columns = _describe(element, kind_name, list_name=name)
            else:  # a list of codes: one tick box per code
                kind = "choices"
                codes = _literal_codes(element)
        elif annotation is datetime:
            kind = "datetime"
        elif annotation is date:
            kind = "date"
        elif annotation is bool:
            kind = "bool"
        elif codes or named:
            kind = "choice"
        elif annotation is int:
            kind = "integer"
        elif annotation is float:
            kind = "number"
        elif max_length and max_length > LONG_TEXT:
            kind = "textarea"
        else:
            kind = "text"
        described.append(
            KindField(
                name=name,
                type=kind,
                required=info.is_required(),
                max_length=max_length if kind in ("text", "textarea") else None,
                columns=columns,
                kind=kind_name,
                codes=codes,
                minimum=_bound(info.metadata, ("ge", "gt")),
                maximum=_bound(info.metadata, ("le", "lt")),
                list_name=list_name,
            )
        )
    return tuple(described)


def kind_fields(kind: str) -> tuple[KindField, ...]:
    model = FIELDS_OF_KIND.get(kind)
    return _describe(model, str(kind)) if model is not None else ()


def parse_value(field: KindField, value):
    """A stored (JSON) value as a Python value to format: dates and instants parsed, instants
    in Vietnam's time zone when the author gave none."""
    if value in (None, ""):
        return None
    try:
        if field.type == "datetime":
            parsed = datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=TZ)
        if field.type == "date":
            return date.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    return value


def _readable(field: KindField, raw):
    """A stored value as the page shows it: codes in words, a list of codes joined."""
    if field.type == "choices":
        return ", ".join(field.words(code) for code in raw or []) or None
    value = parse_value(field, raw)
    if field.type == "choice" and value is not None:
        return field.words(value)
    if field.type == "number" and isinstance(value, float) and value.is_integer():
        return int(value)  # "15", not "15.0"
    return value


def public_fields(kind: str, values: dict) -> list[dict]:
    """The kind's fields of a published revision, in the model's order, for the public page:
    {name, label, type, value} and, for lists, {columns, rows}; empty values and the fields
    that only time the publication left out."""
    shown = []
    for field in kind_fields(kind):
        if field.name in TIMING_FIELDS:
            continue
        raw = values.get(field.name)
        if field.type == "list":
            if not raw:
                continue
            rows = [
                [
                    {"type": column.type, "value": _readable(column, row.get(column.name))}
                    for column in field.columns
                ]
                for row in raw
            ]
            shown.append(
                {
                    "name": field.name,
                    "label": field.label,
                    "type": "list",
                    "columns": [column.label for column in field.columns],
                    "rows": rows,
                }
            )
            continue
        if field.type == "choice" and raw == "" and "" in field.choices:
            # A code whose absence says something ("Không có dịch vụ công trực tuyến").
            shown.append(
                {"name": field.name, "label": field.label, "type": "text", "value": field.words("")}
            )
            continue
        value = _readable(field, raw)
        if value is None or (field.type == "bool" and not value):
            continue
        shown.append({"name": field.name, "label": field.label, "type": field.type, "value": value})
    return shown


def readable_paths(fields: dict) -> dict:
    """ "fields.steps.0.responsible" → "fields.steps.0" with the column's label in the message,
    so that staff read "Dòng 1 – Đơn vị, người chịu trách nhiệm: …", never a column's key."""
    rewritten: dict[str, list] = {}
    for path, messages in fields.items():
        parts = path.split(".")
        if len(parts) >= 4 and parts[0] == "fields" and parts[2].isdigit():
            column = column_label(parts[1], parts[3])
            line = _("Dòng %(n)d") % {"n": int(parts[2]) + 1}
            texts = [f"{line} – {column}: {text}" for text in messages]
            rewritten.setdefault(".".join(parts[:3]), []).extend(texts)
        else:
            rewritten.setdefault(path, []).extend(messages)
    return rewritten


def procedure_gaps(item) -> dict | None:
    """What keeps a procedure's working copy from being published under the profile in force
    (public_services.required_fields), as the publication would refuse it: {"basis": the
    regulation cited, "messages": [...]}; None when nothing is missing or for another kind."""
    profile = current_profile()
    services = getattr(profile, "public_services", None) if profile is not None else None
    if item.kind != Kind.PROCEDURE or item.current_revision is None or services is None:
        return None
    problems = procedure_missing(
        title=item.current_revision.title,
        fields=item.current_revision.fields,
        has_agency=item.agency_id is not None,
        attachment_names={attachment.original_name for attachment in item.attachments.all()},
        required=services.required_fields,
    )
    if not problems:
        return None
    messages = []
    for path, texts in readable_paths(problems).items():
        parts = path.split(".")
        # A row of a list: the list's name first ("Thành phần hồ sơ: Dòng 1 – …").
        prefix = f"{FIELD_LABELS.get(parts[1], parts[1])}: " if len(parts) == 3 else ""
        messages.extend(f"{prefix}{text}" for text in texts)
    return {"basis": for_citizens(services.source), "messages": messages}


def dossier_forms(item) -> list[dict]:
    """The dossier components of a procedure's working copy that name a form, each with
    whether its form file is one of the item's attachments (what publication will check)."""
    if item.kind != Kind.PROCEDURE or item.current_revision is None:
        return []
    attached = {attachment.original_name for attachment in item.attachments.all()}
    return [
        {
            "number": number,
            "name": component.get("name", ""),
            "form": component.get("form", ""),
            "form_file": component.get("form_file", ""),
            "attached": bool(component.get("form_file")) and component["form_file"] in attached,
        }
        for number, component in enumerate(item.current_revision.fields.get("dossier") or [], 1)
        if component.get("form") or component.get("form_file")
    ]
