"""Royalty pages' words: amounts as people write them ("1.234.000 đ")."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def dong(amount) -> str:
    """1234000 → "1.234.000 đ"; a negative amount keeps its sign."""
    if amount is None or amount == "":
        amount = 0
    value = int(amount)
    digits = f"{abs(value):,}".replace(",", ".")
    return f"{'-' if value < 0 else ''}{digits} đ"


@register.filter
def decimal_vi(value) -> str:
    """2.50 → "2,5" (a coefficient or a percentage as Vietnamese writes it)."""
    if value is None or value == "":
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")
