"""The capacity plan (content/capacity.py) in the preview and the PR diff.

- `attach(run)`: the plan of the stack the run previewed, as the artifacts capacity.json (the
  numbers) and capacity.md (the table and a Mermaid `xychart-beta` chart, which GitHub renders in a
  job summary). The preview writes them with the other artifacts.
- `table(plan)`: what scripts/preview prints: store | need | provisioned | headroom | status.
- `compare(old, new)`: the PR diff's lines, before -> after of the plan's key numbers, and DANGER
  lines for a change that crosses a threshold (a store that becomes refused or comes within its
  warning band, shards over the limit, a PVC under the need).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from config import schema, settings
from config.sections import CapacityArgs
from content import capacity
from harness.runtime import MASK, Run, stack_config


def stack_settings(stack: str) -> settings.Settings:
    """The stack file's settings as the program reads them (secrets stood in for by the mask)."""
    config, _ = stack_config(stack)
    prefix = schema.project_name() + ":"
    declared = schema.keys()
    raw = {k[len(prefix):]: v for k, v in config.items()
           if k.startswith(prefix) and not declared.get(k[len(prefix):], schema.Key("", "", "")).secret}
    others = {k: v for k, v in config.items() if not k.startswith(prefix)}
    secrets = {k.name: MASK for k in declared.values() if k.secret}
    return settings.parse(raw, secrets, settings.Context(stack, others))


def attach(run: Run) -> dict[str, Any]:
    plan = capacity.plan(CapacityArgs.of(stack_settings(run.stack)))
    run.artifacts["capacity.json"] = plan
    run.artifacts["capacity.md"] = markdown(plan)
    return plan


def rows(plan: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(store, need, provisioned, headroom, status) per store."""
    p, out = plan["prometheus"], []
    refused = {r["key"] for r in plan["refusals"]}
    status = "REFUSED" if "prometheusStorageSize" in refused else "ok"
    out.append(("prometheus (per replica)", f"{p['disk_need_gib_low']:g}-{p['disk_need_gib']:g} GiB",
                f"{p['pvc_gib']:g} GiB", f"{p['headroom']}x", status))
    for engine, e in plan["search"]["engines"].items():
        name = engine.capitalize()
        bad = {f"capacity{name}DataNodes", f"capacity{name}DiskGb"} & refused
        out.append((f"{engine} disk", f"{e['disk_need_gb']:g} GB", f"{e['disk_gb']:g} GB",
                    f"{e['disk_gb'] / e['disk_need_gb']:.2f}x" if e["disk_need_gb"] else "-",
                    "REFUSED" if bad else "ok"))
        out.append((f"{engine} shards", f"{e['open_shards']}", f"{e['shard_limit']}",
                    f"{e['shard_limit'] / e['open_shards']:.1f}x" if e["open_shards"] else "-",
                    "REFUSED" if f"capacity{name}DataNodes" in refused else "ok"))
    a = plan.get("archive")
    if a:
        last = a["years"][-1]
        out.append((f"archive year {last['year']}", f"{last['objects']:,} objects",
                    f"{last['standard_gb']:g} GB Standard + {last['deep_archive_gb']:g} GB Deep Archive",
                    f"${last['monthly_usd']:g}/month", "ok"))
    g = plan.get("global_store")
    if g:  # what the store ingests and keeps: no provisioned side; AMP's bill, Mimir's is its own
        kept = (f"{g['storage_gib']:g} GiB over {g['retention_days']} days" if "storage_gib" in g
                else f"{g['storage_gib_per_day']:g} GiB a day")
        bill = (f"${g['monthly_usd']:g}/month (ingest ${g['ingest_usd_month']:g} + storage ${g['storage_usd_month']:g})"
                if "monthly_usd" in g else "-")
        out.append((f"global store ({g['store']})", f"{g['samples_per_second']:,} samples/s "
                    f"({g['samples_per_month']:,} a month)", kept, bill, "ok"))
    return out


def table(plan: dict[str, Any]) -> str:
    header = ("store", "need", "provisioned", "headroom", "status")
    body = rows(plan)
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(5)]
    lines = ["capacity plan:"] + ["  " + "  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
                                  for r in [header, *body]]
    p = plan["prometheus"]
    lines.append(f"  series: {p['series_per_broker']:,} per broker, {p['series_per_cluster']:,} per cluster, "
                 f"{p['series']:,} in all; {p['samples_per_second']:,} samples/s; head ~{p['memory_gib']} GiB; "
                 f"retentionSize {p['retention_size']}")
    lines += [f"  warning: {w}" for w in plan["warnings"]]
    lines += [f"  REFUSED {r['key']}: {r['why']}" for r in plan["refusals"]]
    return "\n".join(lines)


def chart(plan: dict[str, Any]) -> str:
    """Two Mermaid xychart-beta charts: need vs provisioned per store (in GB), and the archive's monthly
    cost over seven years."""
    p, engines = plan["prometheus"], plan["search"]["engines"]
    names = ["prometheus", *engines]
    need = [p["disk_need_gib"] * capacity.GIB / 1e9, *(e["disk_need_gb"] for e in engines.values())]
    given = [p["pvc_gib"] * capacity.GIB / 1e9, *(e["disk_gb"] for e in engines.values())]
    top = max([*need, *given, 1])
    # Later series are drawn over earlier ones: the provisioned bars first, the (smaller) need over them.
    out = ["```mermaid", "xychart-beta", '  title "Disk, GB: provisioned (first bars), need (second bars)"',
           f"  x-axis [{', '.join(names)}]", f'  y-axis "GB" 0 --> {top * 1.1:.0f}',
           f"  bar [{', '.join(f'{v:.0f}' for v in given)}]", f"  bar [{', '.join(f'{v:.0f}' for v in need)}]", "```"]
    a = plan.get("archive")
    if a:
        cost = [y["monthly_usd"] for y in a["years"]]
        out += ["```mermaid", "xychart-beta", '  title "Archive: monthly cost at the end of each year, USD"',
                f"  x-axis [{', '.join(str(y['year']) for y in a['years'])}]",
                f'  y-axis "USD/month" 0 --> {max([*cost, 1]) * 1.1:.2f}', f"  line [{', '.join(f'{c:g}' for c in cost)}]",
                "```"]
    return "\n".join(out)


def markdown(plan: dict[str, Any]) -> str:
    lines = ["| store | need | provisioned | headroom | status |", "|---|---|---|---|---|"]
    lines += [f"| {' | '.join(r)} |" for r in rows(plan)]
    return "\n".join([*lines, "", chart(plan), ""])


# The numbers a PR diff shows, each with how it is printed.
KEY_NUMBERS = (
    ("prometheus series per broker", lambda p: p["prometheus"]["series_per_broker"], "{:,}"),
    ("prometheus series", lambda p: p["prometheus"]["series"], "{:,}"),
    ("prometheus disk need", lambda p: p["prometheus"]["disk_need_gib"], "{:g} GiB"),
    ("prometheus PVC", lambda p: p["prometheus"]["pvc_gib"], "{:g}Gi"),
    ("prometheus headroom", lambda p: p["prometheus"]["headroom"], "{}x"),
    ("elasticsearch open shards", lambda p: p["search"]["engines"]["elasticsearch"]["open_shards"], "{:,}"),
    ("opensearch open shards", lambda p: p["search"]["engines"]["opensearch"]["open_shards"], "{:,}"),
    ("elasticsearch disk need", lambda p: p["search"]["engines"]["elasticsearch"]["disk_need_gb"], "{:g} GB"),
    ("opensearch disk need", lambda p: p["search"]["engines"]["opensearch"]["disk_need_gb"], "{:g} GB"),
    ("global store samples/s", lambda p: (p.get("global_store") or {"samples_per_second": 0})["samples_per_second"],
     "{:,}"),
    ("global store cost", lambda p: (p.get("global_store") or {}).get("monthly_usd", 0), "${:g}/month"),
    ("archive year-7 cost", lambda p: (p.get("archive") or {"years": [{"monthly_usd": 0}]})["years"][-1]["monthly_usd"],
     "${:g}/month"),
)


def _crossings(old: dict, new: dict) -> list[str]:
    """Thresholds the change crosses, from the safe side to the other."""
    found = []
    before, after = {r["key"] for r in old.get("refusals", [])}, {r["key"] for r in new.get("refusals", [])}
    found += [f"capacity: {k} becomes refused" for k in sorted(after - before)]
    oh, nh = old["prometheus"]["headroom"], new["prometheus"]["headroom"]
    if oh is not None and nh is not None and oh >= capacity.PVC_WARN_LOW > nh:
        found.append(f"capacity: prometheus headroom {oh}x → {nh}x, under {capacity.PVC_WARN_LOW}x")
    for engine, e in new["search"]["engines"].items():
        o = old["search"]["engines"][engine]
        limit = capacity.SHARD_WARN_FRACTION
        if o["open_shards"] <= limit * o["shard_limit"] and e["open_shards"] > limit * e["shard_limit"]:
            found.append(f"capacity: {engine} open shards {o['open_shards']} → {e['open_shards']}, over "
                         f"{limit:.0%} of {e['shard_limit']}")
    return found


def compare(old: dict | None, new: dict | None) -> tuple[list[str], list[str]]:
    """(lines, DANGER lines) of the plan's change; nothing when either side has no plan."""
    if not old or not new:
        return [], []
    lines = []
    for label, get, fmt in KEY_NUMBERS:
        a, b = get(old), get(new)
        if a != b:
            lines.append(f"capacity {label}: {fmt.format(a)} → {fmt.format(b)}")
    return lines, [f"DANGER: {d}" for d in _crossings(old, new)]


def load(out: Path) -> dict | None:
    path = out / "capacity.json"
    return json.loads(path.read_text()) if path.is_file() else None
