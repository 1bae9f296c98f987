"""Host names of component sites, generated from Vietnamese names by the profile's pattern.
Pure Python: no Django."""

from __future__ import annotations

import re

from core.text import fold

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
# Administrative words that name the kind of unit, not the unit ("UBND huyện Bắc Quang" →
# "bacquang"), as the examples of Hà Giang Art. 4.2 and Thái Nguyên Art. 7.2 show.
_UNIT_PREFIXES = (
    "uy ban nhan dan",
    "ubnd",
    "thanh pho",
    "thi xa",
    "thi tran",
    "huyen",
    "phuong",
    "xa",
    "tinh",
)


class HostNameError(ValueError):
    pass


def joined_label(name: str) -> str:
    words = fold(name)
    changed = True
    while changed:
        changed = False
        for prefix in _UNIT_PREFIXES:
            if words.startswith(prefix + " "):
                words = words[len(prefix) + 1 :]
                changed = True
    return words.replace(" ", "")


def agency_label(*, name: str, short_name: str | None, host_label: str | None, rule: str) -> str:
    if host_label:
        label = host_label
    elif rule == "short_name" and short_name:
        label = fold(short_name).replace(" ", "")
    else:
        label = joined_label(name)
    if not _LABEL.match(label):
        raise HostNameError(f"'{label}' (from '{name}') is not a valid DNS label")
    return label


def is_valid_hostname(host: str) -> bool:
    if not host or len(host) > 253 or host.endswith("."):
        return False
    labels = host.split(".")
    return len(labels) >= 2 and all(_LABEL.match(label) for label in labels)


def component_host(pattern: str, label: str) -> str:
    host = pattern.replace("{label}", label)
    if not is_valid_hostname(host):
        raise HostNameError(f"'{host}' is not a valid host name")
    return host
