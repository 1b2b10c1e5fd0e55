"""The day-of-week special forms of an Elasticsearch cron (SLM schedules), one case per day name and
form, with near misses.

Elasticsearch's Cron (x-pack core org.elasticsearch.xpack.core.scheduler.Cron, "Cron expressions" in
its docs, the Quartz grammar): in the day-of-week field `L` alone is the last day of the week, `<d>L`
the last <d> of the month, `<d>#<n>` the n-th <d> (n from 1 to 5), where <d> is 1-7 or SUN-SAT.
"""
from __future__ import annotations

import pytest

from config import cron

DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]


@pytest.mark.parametrize("day", DAY_NAMES)
@pytest.mark.parametrize("form", ["{d}L", "{d}#1", "{d}#5", "{d}"])
def test_each_day_name_takes_last_and_nth(day, form):
    assert cron.problems(f"0 30 1 ? * {form.format(d=day)}") == []


@pytest.mark.parametrize("value", ["L", "1L", "7L", "1#1", "7#5", "2#3"])
def test_numbered_days_take_last_and_nth(value):
    assert cron.problems(f"0 30 1 ? * {value}") == []


@pytest.mark.parametrize("value", ["SUN#6", "SUN#0", "MONL#1", "XYZL", "8L", "0L", "1#0", "FRI#", "#3", "LL",
                                   "SUNDAYL"])
def test_near_misses_are_refused_naming_the_day_of_week(value):
    problems = cron.problems(f"0 30 1 ? * {value}")
    assert any("day_of_week" in p for p in problems), (value, problems)
