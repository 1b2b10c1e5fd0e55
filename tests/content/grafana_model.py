"""What Grafana sends for a panel's query or link: the text with its template variables replaced.

Grafana's template service finds variables with variableRegex (public/app/features/variables/
utils.ts), which knows `$name`, `[[name]]` and `${name[.field][:format]}`; it replaces them in the
text as written, before any URL decoding.
"""
from __future__ import annotations

import re

BRACED = re.compile(r"\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}")  # variableRegex's `${...}` form
VARIABLE = re.compile(BRACED.pattern + r"|\$(\w+)")  # and the bare `$name` form


def _escape_regex(value: str) -> str:
    """@grafana/data escapeRegex (packages/grafana-data/src/text/string.ts): a backslash before each
    of \\ ^ $ * + ? . ( ) | [ ] { } /."""
    return re.sub(r"[\\^$*+?.()|\[\]{}/]", lambda m: "\\" + m[0], value)


# grafana/scenes packages/scenes/src/variables/interpolation/formatRegistry.ts (the formats a
# dashboard's variables are interpolated with in Grafana 11's scenes): a multi-value variable is a
# list of its values, All is every value when the variable has no custom all value.
FORMATS = {
    "glob": lambda v: "{" + ",".join(v) + "}" if isinstance(v, list) and len(v) > 1 else _str(v),
    "regex": lambda v: (_escape_regex(v) if isinstance(v, str) else _escape_regex(v[0]) if len(v) == 1
                        else "(" + "|".join(_escape_regex(x) for x in v) + ")"),
    "pipe": lambda v: v if isinstance(v, str) else "|".join(v),
    "raw": lambda v: _str(v),
}


def _str(value: str | list[str]) -> str:
    return value if isinstance(value, str) else ",".join(value)  # JavaScript's String() of an array


def interpolate(text: str, values: dict[str, str | list[str]]) -> str:
    """Every variable with a value replaced as scenes' sceneInterpolator does: with the format its
    `${name:format}` names, or glob when it names none (formatVariableValue: `if (!format) format =
    VariableFormatID.Glob`); a variable without a value stays as written."""
    def one(m: re.Match) -> str:
        name = m[1] or m[4]
        if name not in values:
            return m[0]
        return FORMATS[m[3] or "glob"](values[name])
    return VARIABLE.sub(one, text)


GLOBAL_DURATIONS = {"$__rate_interval": "5m", "$__range": "1h", "$__interval": "15s"}  # Grafana's, as durations


def concrete(expr: str) -> str:
    """A panel's PromQL with its variables replaced by values PromQL accepts: Grafana's global
    durations by a duration, every other variable by a name."""
    for var, value in GLOBAL_DURATIONS.items():
        expr = re.sub(re.escape(var) + r"\b", value, expr)
    return re.sub(r"\$\w+", "x", expr)
