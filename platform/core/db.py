"""SQL expressions every module may use."""

from __future__ import annotations

from django.db.models import Func, TextField


class Folded(Func):
    """`expression` lower-cased without Vietnamese accents, in SQL ("Đất đai" → "dat dai"), by
    `public.portal_fold` (core migration 0002): the same fold everywhere a column stored with its
    accents is compared with a folded query, and immutable, so an index may hold it."""

    function = "public.portal_fold"
    output_field = TextField()
