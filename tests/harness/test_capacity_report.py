"""The capacity plan in the preview and the PR diff (harness/capacity_report.py): the table, the
Mermaid charts (xychart-beta: `x-axis [..]`, `y-axis "title" min --> max`, `bar [..]`, `line [..]`,
mermaid-js docs "XY Chart"), the before -> after lines and DANGER for a crossed threshold."""
from __future__ import annotations

import copy
import dataclasses
import re

from config.sections import CapacityArgs
from content import capacity
from harness import capacity_report
from tests.conftest import make_settings

PROD = capacity.plan(CapacityArgs.of(make_settings("prod")))


def _plan(**changes):
    return capacity.plan(dataclasses.replace(CapacityArgs.of(make_settings("prod")), **changes))


def test_the_stack_files_settings_are_the_programs():
    s = capacity_report.stack_settings("prod")
    assert CapacityArgs.of(s) == CapacityArgs.of(make_settings("prod"))


def test_the_table_names_every_store_with_need_provisioned_and_status():
    text = capacity_report.table(PROD)
    for store in ("prometheus (per replica)", "elasticsearch disk", "elasticsearch shards", "opensearch disk",
                  "opensearch shards", "archive year 7"):
        assert re.search(rf"^  {re.escape(store)}\s", text, re.M), store
    assert "REFUSED" not in text and "retentionSize 425GB" in text
    small = capacity_report.table(_plan(prometheus_storage_size="100Gi"))
    assert re.search(r"^  prometheus \(per replica\).*REFUSED$", small, re.M)
    assert "REFUSED prometheusStorageSize:" in small


def test_the_charts_plot_need_against_provisioned_and_seven_years_of_cost():
    md = capacity_report.markdown(PROD)
    blocks = re.findall(r"```mermaid\n(.*?)```", md, re.S)
    assert len(blocks) == 2 and all(b.startswith("xychart-beta\n") for b in blocks)
    bars = [[float(x) for x in b.split(", ")] for b in re.findall(r"^  bar \[(.*)\]$", blocks[0], re.M)]
    given, need = bars
    p, e = PROD["prometheus"], PROD["search"]["engines"]
    assert given == [round(p["pvc_gib"] * 2**30 / 1e9), e["elasticsearch"]["disk_gb"], e["opensearch"]["disk_gb"]]
    assert need[2] == round(e["opensearch"]["disk_need_gb"])
    top = float(re.search(r'y-axis "GB" 0 --> ([\d.]+)', blocks[0]).group(1))
    assert top >= max(need + given)
    (line,) = re.findall(r"^  line \[(.*)\]$", blocks[1], re.M)
    assert [float(x) for x in line.split(", ")] == [y["monthly_usd"] for y in PROD["archive"]["years"]]
    assert re.search(r"x-axis \[1, 2, 3, 4, 5, 6, 7\]", blocks[1])


def test_a_pr_diff_shows_before_and_after_and_danger_only_when_a_threshold_is_crossed():
    smaller = _plan(prometheus_storage_size="200Gi")     # 3.63x -> 1.45x: under the 1.5x warning band
    a, b = PROD["prometheus"]["headroom"], smaller["prometheus"]["headroom"]
    assert a > 1.5 > b >= 1.2
    lines, danger = capacity_report.compare(PROD, smaller)
    assert "capacity prometheus PVC: 500Gi → 200Gi" in lines
    assert f"capacity prometheus headroom: {a}x → {b}x" in lines
    assert danger == [f"DANGER: capacity: prometheus headroom {a}x → {b}x, under 1.5x"]
    near = _plan(prometheus_storage_size="240Gi")        # 1.74x: smaller, still above the band
    assert near["prometheus"]["headroom"] > 1.5
    lines, danger = capacity_report.compare(PROD, near)
    assert lines and danger == []
    assert capacity_report.compare(PROD, copy.deepcopy(PROD)) == ([], [])
    assert capacity_report.compare(None, PROD) == ([], [])  # a base without a plan: nothing to compare


def test_a_change_that_makes_a_store_refused_is_danger():
    more = _plan(capacity_security_event_gb_per_day=6.0)  # OpenSearch disk need x3: over 85 % of 24 TB
    lines, danger = capacity_report.compare(PROD, more)
    assert "DANGER: capacity: capacityOpensearchDiskGb becomes refused" in danger
    assert any(line.startswith("capacity opensearch disk need: 14,830.6 GB → ") or
               line.startswith("capacity opensearch disk need: 14830.6 GB → ") for line in lines)


def test_shards_crossing_80_percent_of_the_limit_is_danger():
    limit_case = _plan(capacity_max_shards_per_node=280)   # ES 674 of 840: over 80 %, under the limit
    lines, danger = capacity_report.compare(PROD, limit_case)
    assert danger == ["DANGER: capacity: elasticsearch open shards 674 → 674, over 80% of 840"]
    assert capacity_report.compare(PROD, _plan(capacity_max_shards_per_node=300))[1] == []  # 674 of 900: 75 %


def test_plan_diff_puts_the_capacity_lines_and_danger_in_the_stacks_markdown():
    from harness import plan_diff

    empty = {"resources": [], "outputs": {}, "artifacts": {}}
    base = ({**empty, "capacity": PROD}, "")
    head = ({**empty, "capacity": _plan(prometheus_storage_size="200Gi")}, "")
    lines, failed, danger = plan_diff.report("prod", base, head)
    assert not failed and len(danger) == 1 and danger[0].startswith("DANGER: capacity: prometheus headroom ")
    text = "\n".join(lines)
    fence = text.index("```\n", 10)  # the diff's code block closes before the charts
    assert text.index("capacity prometheus PVC: 500Gi → 200Gi") < fence < text.index("```mermaid")
    assert text.count("xychart-beta") == 2


def test_the_global_store_shows_what_it_ingests_and_keeps_and_a_pr_diff_shows_the_rate_change():
    amp = _plan(global_metrics="amp")
    g = amp["global_store"]
    (row,) = [r for r in capacity_report.rows(amp) if r[0] == "global store (amp)"]
    assert row[1] == f"{g['samples_per_second']:,} samples/s ({g['samples_per_month']:,} a month)"
    assert row[2] == f"{g['storage_gib']:g} GiB over 150 days"
    assert row[3] == (f"${g['monthly_usd']:g}/month (ingest ${g['ingest_usd_month']:g}"
                      f" + storage ${g['storage_usd_month']:g})") and g["monthly_usd"] > 0
    mimir = _plan(global_metrics="mimir")
    (row,) = [r for r in capacity_report.rows(mimir) if r[0] == "global store (mimir)"]
    assert row[2] == f"{mimir['global_store']['storage_gib_per_day']:g} GiB a day" and row[3] == "-"
    assert not [r for r in capacity_report.rows(PROD) if r[0].startswith("global store")]
    lines, danger = capacity_report.compare(PROD, amp)
    assert lines == [f"capacity global store samples/s: 0 → {g['samples_per_second']:,}",
                     f"capacity global store cost: $0/month → ${g['monthly_usd']:g}/month"] and danger == []
