"""The current province, its profile in force (today, on a day, at an instant) and its
calendar, from the core (ADR 0015); the composition with the national baseline is ADR 0009's."""

from __future__ import annotations

import importlib.util
from datetime import UTC, date, datetime

import pytest
from django.db import connection

from core.profiles import (
    current_calendar,
    current_profile,
    current_province_slug,
    profile_at,
)
from provinces.calendar import calendar_for
from provinces.loader import profile_in_force, today_in_vietnam

DECREE_43 = date(2011, 6, 13)
DECREE_42 = date(2022, 8, 15)


@pytest.mark.parametrize("slug", ["hagiang", "thuathienhue"])
def test_the_current_province_is_the_one_whose_schema_is_active(in_province, slug):
    # inside schema_context (tasks, commands) the tenant carries no slug: the schema names it
    with in_province(slug):
        assert current_province_slug() == slug
        assert current_profile().province.slug == slug


def test_the_host_routing_tenant_names_the_province(tenant_db):
    connection.set_tenant(tenant_db["dongnai"])
    assert current_province_slug() == "dongnai"
    assert current_profile().province.slug == "dongnai"


def test_a_schema_that_is_no_province_has_no_profile(tenant_db):
    connection.set_schema("no_such_province")
    with pytest.raises(RuntimeError, match="no province"):
        current_profile()


def test_the_profile_of_today_is_the_composed_one_in_force(in_province):
    with in_province("hagiang"):
        assert current_profile() is profile_in_force("hagiang", today_in_vietnam())


def test_the_profile_on_a_day_takes_the_national_baseline_of_that_day(in_province):
    # Hà Giang QĐ 19/2015 defers to the national texts: Decree 43/2011, then 42/2022
    with in_province("hagiang"):
        assert current_profile(date(2022, 8, 14)).baseline.effective_from == DECREE_43
        assert current_profile(DECREE_42).baseline.effective_from == DECREE_42


def test_the_profile_at_an_instant_is_the_one_of_its_day_in_vietnam(in_province):
    with in_province("hagiang"):
        # 16:59 UTC on 14 August is 23:59 in Vietnam, still under Decree 43/2011 ...
        before = profile_at(datetime(2022, 8, 14, 16, 59, tzinfo=UTC))
        # ... 17:30 UTC is 00:30 on 15 August in Vietnam: Decree 42/2022 is in force
        after = profile_at(datetime(2022, 8, 14, 17, 30, tzinfo=UTC))
    assert before.baseline.effective_from == DECREE_43
    assert after.baseline.effective_from == DECREE_42


def test_the_calendar_is_the_one_of_the_profile_in_force(in_province):
    national_day = date(2026, 9, 2)
    with in_province("thainguyen"):
        calendar = current_calendar(national_day)
        assert calendar is calendar_for(current_profile(national_day))
        assert current_calendar() is calendar_for(current_profile())
    assert not calendar.is_working_day(national_day)
    assert calendar.is_working_day(date(2026, 9, 3))


def test_the_editorial_module_no_longer_owns_the_profile():
    assert importlib.util.find_spec("editorial.profile") is None
