"""What Grafana sends for a panel's query or link: the text with its template variables replaced.

Grafana's template service finds variables with variableRegex (public/app/features/variables/
utils.ts), which knows `$name`, `[[name]]` and `${name[.field][:format]}`; it replaces them in the
text as written, before any URL decoding.
"""
from __future__ import annotations

import re

BRACED = re.compile(r"\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}")  # variableRegex's `${...}` form


def interpolate(text: str, values: dict[str, str]) -> str:
    """`${name}` replaced by its value; a variable without a value stays as written."""
    return BRACED.sub(lambda m: values.get(m[1], m[0]), text)


GLOBAL_DURATIONS = {"$__rate_interval": "5m", "$__range": "1h", "$__interval": "15s"}  # Grafana's, as durations


def concrete(expr: str) -> str:
    """A panel's PromQL with its variables replaced by values PromQL accepts: Grafana's global
    durations by a duration, every other variable by a name."""
    for var, value in GLOBAL_DURATIONS.items():
        expr = re.sub(re.escape(var) + r"\b", value, expr)
    return re.sub(r"\$\w+", "x", expr)
