"""Bounds every input shares, whichever layer reads it (the API parser, the staff forms, the
modules' own checks): no NUL byte PostgreSQL could never store, no nesting deep enough to turn a
decoder or a serializer into a RecursionError. Pure functions, no Django: ADR 0012."""

from __future__ import annotations

NUL = "\x00"


def nul_byte_path(value: object, prefix: str = "") -> str | None:
    """The dotted path of the first string (or key) holding a NUL byte in a JSON-like value,
    `prefix` itself for a bare string, or None. Iterative: any depth, no recursion."""
    pending: list[tuple[str, object]] = [(prefix, value)]
    while pending:
        path, current = pending.pop()
        if isinstance(current, str):
            if NUL in current:
                return path
        elif isinstance(current, dict):
            for key, child in current.items():
                name = str(key)
                if NUL in name:
                    return ".".join(filter(None, [path, name.replace(NUL, "\\u0000")]))
                pending.append((".".join(filter(None, [path, name])), child))
        elif isinstance(current, list | tuple):
            pending.extend(
                (".".join(filter(None, [path, str(index)])), child)
                for index, child in enumerate(current)
            )
    return None


# Arrays and objects inside one another: the deepest API input (an item's fields, a list of
# entries with their parts) is 4 levels; 32 leaves room and stays far from the recursion limit.
MAX_JSON_DEPTH = 32


def json_depth(value: object) -> int:
    """How many arrays/objects are nested at the deepest point (iterative)."""
    deepest = 0
    pending: list[tuple[int, object]] = [(0, value)]
    while pending:
        depth, current = pending.pop()
        if isinstance(current, dict):
            children = list(current.values())
        elif isinstance(current, list):
            children = current
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        pending.extend((depth + 1, child) for child in children)
    return deepest
