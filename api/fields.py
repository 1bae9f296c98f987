"""Input fields every API view uses where the client sends a date: bounded to the years the
platform can count deadlines on (editorial.content.MIN_YEAR..MAX_YEAR). A date in year 1 or
9999 overflows the time-zone and calendar arithmetic further on (a 500); here it is a 400 on
the field that carries it."""

from __future__ import annotations

from rest_framework import serializers

from editorial.content import MAX_YEAR, MIN_YEAR

OUT_OF_RANGE = f"Năm phải trong khoảng {MIN_YEAR}–{MAX_YEAR}."


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
