"""Input fields every API view uses where the client sends a date: bounded to the years the
platform can count deadlines on (editorial.content.MIN_YEAR..MAX_YEAR). A date in year 1 or
9999 overflows the time-zone and calendar arithmetic further on (a 500); here it is a 400 on
the field that carries it."""

from __future__ import annotations

from django.utils.functional import lazy
from django.utils.translation import gettext
from rest_framework import serializers

from editorial.content import MAX_YEAR, MIN_YEAR

# Translated when a request reads it, not when the module is imported.
OUT_OF_RANGE = lazy(
    lambda: (
        gettext("Năm phải trong khoảng %(first)s–%(last)s.") % {"first": MIN_YEAR, "last": MAX_YEAR}
    ),
    str,
)()


class BoundedDateTimeField(serializers.DateTimeField):
    default_error_messages = {"year_out_of_range": OUT_OF_RANGE}

    def to_internal_value(self, value):
        try:
            parsed = super().to_internal_value(value)
        except serializers.ValidationError as error:
            if "overflow" in error.get_codes():
                self.fail("year_out_of_range")
            raise
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            self.fail("year_out_of_range")
        return parsed


class BoundedDateField(serializers.DateField):
    default_error_messages = {"year_out_of_range": OUT_OF_RANGE}

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        if not MIN_YEAR <= parsed.year <= MAX_YEAR:
            self.fail("year_out_of_range")
        return parsed
