"""The benchmark's areas and its report's time table (devtools/mutation.py)."""
from __future__ import annotations

from devtools import mutation


def test_only_areas_that_ask_for_it_are_judged_module_by_module():
    assert [name for name, area in mutation.AREAS.items() if area.by_module] == ["content"]


def test_the_time_table_averages_killed_and_surviving_mutants_of_each_module_apart(tmp_path):
    lines = [{"mutant": "content.slo.x_burn__mutmut_1", "seconds": 0.5, "exit": 1},
             {"mutant": "content.slo.xǁObjectiveǁrule__mutmut_2", "seconds": 1.5, "exit": 1},
             {"mutant": "content.slo.x_burn__mutmut_3", "seconds": 9.0, "exit": 0},
             {"mutant": "content.jmx.x_rules__mutmut_1", "seconds": 0.25, "exit": 5}]
    (tmp_path / "times.jsonl").write_text("".join(__import__("json").dumps(line) + "\n" for line in lines))
    assert mutation.time_rows(tmp_path) == ["| content.jmx | 1 | - | - | 0 |",
                                            "| content.slo | 3 | 1.00 | 9.00 | 11 |"]
    assert mutation.time_rows(tmp_path / "never-run") == []
