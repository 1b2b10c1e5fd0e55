"""Elasticsearch cron expressions, as SLM schedules take them.

The grammar is Elasticsearch's (x-pack core `org.elasticsearch.xpack.core.scheduler.Cron`, documented
under "Cron expressions"): `<seconds> <minutes> <hours> <day_of_month> <month> <day_of_week> [year]`,
with `*` `?` `-` `,` `/` `L` `W` `#`, month and weekday names, and `?` in exactly one of the two day
fields ("Support for specifying both a day-of-week and a day-of-month parameter is not implemented").
"""
from __future__ import annotations

import re

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# name, low, high, names (numbered from low), the field's own special forms
FIELDS = (
    ("seconds", 0, 59, (), None),
    ("minutes", 0, 59, (), None),
    ("hours", 0, 23, (), None),
    ("day_of_month", 1, 31, (), re.compile(r"L(-[0-9]{1,2})?|LW|[0-9]{1,2}W")),
    ("month", 1, 12, MONTHS, None),
    ("day_of_week", 1, 7, DAYS, re.compile(r"L|[1-7]L|[1-7]#[1-5]|(SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5])")),
    ("year", 1970, 2099, (), None),
)


# OpenSearch snapshot management takes a Unix cron (job-scheduler CronSchedule, cron-utils UNIX):
# minute hour day_of_month month day_of_week, without seconds, `?`, L, W or #.
UNIX_FIELDS = (("minute", 0, 59, ()), ("hour", 0, 23, ()), ("day_of_month", 1, 31, ()), ("month", 1, 12, MONTHS),
               ("day_of_week", 0, 7, DAYS))


def unix_problems(expression: str) -> list[str]:
    """What is wrong with a 5-field Unix cron expression; empty when it is valid."""
    parts = expression.upper().split() if isinstance(expression, str) else []
    if len(parts) != 5:
        return [f"{len(parts)} fields; expected 5 (minute hour day_of_month month day_of_week)"]
    return [f"{name} not allowed; allowed: {low}-{high}{', names' if names else ''}, * , - /"
            for text, (name, low, high, names) in zip(parts, UNIX_FIELDS)
            if not _field_ok(text, low, high, names, None, False)]


def _value(text: str, low: int, high: int, names: tuple[str, ...]) -> bool:
    if text in names:
        return True
    return text.isdigit() and low <= int(text) <= high


def _field_ok(text: str, low: int, high: int, names: tuple[str, ...], special: re.Pattern | None,
              day_field: bool) -> bool:
    for part in text.split(","):
        base, slash, step = part.partition("/")
        if slash and not (step.isdigit() and 0 < int(step) <= high):
            return False
        if base == "*" or (base == "?" and day_field and not slash and text == "?"):
            continue
        if special is not None and special.fullmatch(base) and not slash:
            continue
        start, dash, end = base.partition("-")
        if not _value(start, low, high, names) or (dash and not _value(end, low, high, names)):
            return False
    return True


def problems(expression: str) -> list[str]:
    """What is wrong with an expression, field by field; empty when Elasticsearch would accept it."""
    if not isinstance(expression, str):
        return ["not a string"]
    parts = expression.upper().split()
    if len(parts) not in (6, 7):
        return [f"{len(parts)} fields; expected 6 or 7 (seconds minutes hours day_of_month month day_of_week [year])"]
    found = []
    for text, (name, low, high, names, special) in zip(parts, FIELDS):
        if not _field_ok(text, low, high, names, special, name in ("day_of_month", "day_of_week")):
            found.append(f"{name} not allowed; allowed: {low}-{high}{', names' if names else ''}, * , - /")
    if (parts[3] == "?") == (parts[5] == "?"):
        found.append("day_of_month and day_of_week: not allowed; allowed: '?' in exactly one of them")
    return found
