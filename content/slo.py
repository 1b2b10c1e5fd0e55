"""Multi-window, multi-burn-rate SLO alerts (Google SRE workbook, ch. 5) over the slo:* recording rules."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from content import signals as sig
from content.alerts import Alert
from content.recording import SLO_LONG_INTERVAL, slo_long_rules, slo_rules

if TYPE_CHECKING:
    from config.sections import AlertingArgs

# (long window, short window, burn-rate factor): page on the first two, ticket on the last two.
PAGE = (("1h", "5m", 14.4), ("6h", "30m", 6.0))
TICKET = (("1d", "2h", 3.0), ("3d", "6h", 1.0))


@dataclass(frozen=True)
class Objective:
    name: str          # alert name stem
    sli: str           # recording rule stem: slo:<sli>:error_ratio_<window>
    budget: float      # allowed error ratio
    by: str            # labels kept, e.g. "kafka_cluster" or ""
    what: str
    # A fast burn pages only where it fires within 3 minutes of a total failure; the latency budget
    # (1 %) needs 8.6 minutes of slow events over an hour, so its symptom alert pages instead.
    page: str = "critical"


def objectives(s: "AlertingArgs") -> list[Objective]:
    return [
        Objective("KafkaAvailabilitySLO", sig.SLI_AVAILABILITY, 1 - s.availability_slo_percent / 100,
                  "kafka_cluster", f"produce/fetch request availability {s.availability_slo_percent:g}%"),
        Objective("KafkaEventErrorRateSLO", sig.SLI_EVENT_ERRORS, s.error_rate_slo_percent / 100, "",
                  f"event-processing failures at most {s.error_rate_slo_percent:g}%"),
        Objective("KafkaCombatLatencySLO", sig.SLI_COMBAT_LATENCY, 0.01, "",
                  f"combat events P99 under {s.combat_p99_latency_ms} ms", page="high"),
    ]


def burn_expr(o: Objective, windows: tuple[tuple[str, str, float], ...]) -> str:
    def cond(long: str, short: str, factor: float) -> str:
        threshold = f"{factor * o.budget:.6g}"
        on = f" and on ({o.by}) " if o.by else " and "
        return (f"({sig.error_ratio(o.sli, long)} > {threshold}{on}"
                f"{sig.error_ratio(o.sli, short)} > {threshold})")
    return " or ".join(cond(*w) for w in windows)


def slo_groups(s: "AlertingArgs") -> list[dict]:
    """The SLO error-ratio recording rules and their burn-rate alerts, in a file of their own."""
    target_s = s.combat_p99_latency_ms / 1000
    return [{"name": "kafka.slo.recording", "rules": slo_rules(target_s)},
            {"name": "kafka.slo.recording.long", "interval": SLO_LONG_INTERVAL, "rules": slo_long_rules(target_s)},
            {"name": "kafka.slo", "rules": [a.rule(s) for a in slo_alerts(s)]}]


def slo_alerts(s: "AlertingArgs") -> list[Alert]:
    alerts = []
    for o in objectives(s):
        alerts.append(Alert(f"{o.name}FastBurn", burn_expr(o, PAGE), "1m", o.page, "slo",
                            f"Error budget of {o.what} is burning fast",
                            "At this rate 2% of the 30-day budget is gone within an hour (14.4x over 1h and 5m, "
                            "or 6x over 6h and 30m). Page."))
        alerts.append(Alert(f"{o.name}SlowBurn", burn_expr(o, TICKET), "15m", "warning", "slo",
                            f"Error budget of {o.what} is burning",
                            "The budget will run out before the 30-day window ends (3x over 1d and 2h, or 1x over "
                            "3d and 6h). Ticket."))
    return alerts
