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
from pydantic import BaseModel

from editorial.content import (
    COLUMN_LABELS,
    FIELD_LABELS,
    FIELDS_OF_KIND,
    LEGAL_STATUS_LABELS,
    TIMING_FIELDS,
)
from provinces.calendar import TZ

LONG_TEXT = 1000  # a str field longer than this gets a text area

# Fields whose values are codes: the choices the form offers and the page shows, by name.
FIELD_CHOICES = {"status": LEGAL_STATUS_LABELS}


@dataclass(frozen=True)
class KindField:
    name: str
    type: str  # datetime, date, bool, text, textarea, choice, list
    required: bool
    max_length: int | None = None
    columns: tuple[KindField, ...] = ()  # the fields of one element of a list

    @property
    def label(self) -> str:
        labels = FIELD_LABELS if self.name in FIELD_LABELS else COLUMN_LABELS
        return str(labels.get(self.name, self.name))

    @property
    def choices(self) -> dict:
        return FIELD_CHOICES.get(self.name, {})


def _unwrap_optional(annotation):
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _describe(model: type[BaseModel]) -> tuple[KindField, ...]:
    described = []
    for name, info in model.model_fields.items():
        annotation = _unwrap_optional(info.annotation)
        max_length = next((m.max_length for m in info.metadata if isinstance(m, MaxLen)), None)
        columns: tuple[KindField, ...] = ()
        if typing.get_origin(annotation) is list:
            kind = "list"
            (element,) = typing.get_args(annotation)
            columns = _describe(element)
        elif annotation is datetime:
            kind = "datetime"
        elif annotation is date:
            kind = "date"
        elif annotation is bool:
            kind = "bool"
        elif name in FIELD_CHOICES:
            kind = "choice"
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
            )
        )
    return tuple(described)


def kind_fields(kind: str) -> tuple[KindField, ...]:
    model = FIELDS_OF_KIND.get(kind)
    return _describe(model) if model is not None else ()


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
                    {"type": column.type, "value": parse_value(column, row.get(column.name))}
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
        value = parse_value(field, raw)
        if value is None or (field.type == "bool" and not value):
            continue
        if field.type == "choice":
            value = str(field.choices.get(value, value))
        shown.append({"name": field.name, "label": field.label, "type": field.type, "value": value})
    return shown
