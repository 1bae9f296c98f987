"""Colours of a portal's look, checked for legibility (WCAG 2.1 SC 1.4.3). Pure Python.

A profile names the portal's colour (`portal.colour`); white text sits on it in the header and
the navigation, so the profile is refused unless that text reads at 4.5:1 or better."""

from __future__ import annotations

import re

HEX_COLOUR = re.compile(r"^#[0-9a-f]{6}$")
WHITE = "#ffffff"
# WCAG 2.1 SC 1.4.3 (AA): normal text needs a contrast ratio of at least 4.5:1.
MIN_CONTRAST = 4.5


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance of `#rrggbb` (WCAG 2.1)."""
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast(first: str, second: str = WHITE) -> float:
    """The WCAG contrast ratio of two `#rrggbb` colours, from 1 to 21."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
