"""Every field of the profile schema, with the module it waits for if no code reads it yet.

ADR 0014: a field of `provinces.schema.Profile` either changes the platform's behaviour or is
marked in the schema with `awaiting(<module>)`. This walks the model tree (nested models,
lists and dicts of models) so the rule can be tested and `manage.py profiles awaiting` can
list what waits for which module.

Pure Python: no Django here.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel

from provinces.schema import AWAITED_MODULES, Profile


@dataclass(frozen=True)
class ProfileField:
    path: str  # "qa.kinds.*.working_days", "agencies[].name"
    name: str  # the attribute code reads
    leaf: bool  # holds a value, not a nested table
    awaiting: str | None  # the module it waits for (own marker or a section's), else None
    marked: bool  # the marker is on this field itself (a whole table, or one field)

    @property
    def awaiting_name(self) -> str | None:
        return AWAITED_MODULES[self.awaiting] if self.awaiting else None


def _nested_models(annotation: Any) -> list[tuple[type[BaseModel], str]]:
    """The models inside an annotation, each with the path suffix that reaches it:
    "" for a model, "[]" for a list of them, ".*" for the values of a dict."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(annotation, "")]
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        return _nested_models(args[0])
    if origin in (Union, types.UnionType):
        return [found for arg in args for found in _nested_models(arg)]
    if origin in (list, tuple, set, frozenset):
        return [(model, "[]" + suffix) for arg in args for model, suffix in _nested_models(arg)]
    if origin is dict and len(args) == 2:
        return [(model, ".*" + suffix) for model, suffix in _nested_models(args[1])]
    return []


def _marker(info: Any) -> str | None:
    extra = info.json_schema_extra
    return extra.get("awaiting") if isinstance(extra, dict) else None  # type: ignore[return-value]


def profile_fields(
    model: type[BaseModel] = Profile, *, prefix: str = "", awaiting: str | None = None
) -> Iterator[ProfileField]:
    """Every field below `model`, depth first, in declaration order."""
    for name, info in model.model_fields.items():
        path = f"{prefix}.{name}" if prefix else name
        own = _marker(info)
        module = own or awaiting
        nested = _nested_models(info.annotation)
        yield ProfileField(
            path=path, name=name, leaf=not nested, awaiting=module, marked=own is not None
        )
        for child, suffix in nested:
            yield from profile_fields(child, prefix=path + suffix, awaiting=module)


def awaiting_by_module() -> dict[str, list[str]]:
    """{module key: [paths]}: the fields and whole tables marked as waiting for a module
    (a marked table once, not each of its fields), in declaration order."""
    listed: dict[str, list[str]] = {}
    for field in profile_fields():
        if field.marked and field.awaiting is not None:
            listed.setdefault(field.awaiting, []).append(field.path)
    return listed
