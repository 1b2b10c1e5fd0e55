"""Reviewed equivalents are left out of a run only while they are the mutant that was reviewed
(devtools/mutation_equivalents.py). mutmut numbers a function's mutants in order, so an edit to the
function can give a listed name to another mutant; its diff then differs from the reviewed one."""
from __future__ import annotations

from devtools import mutation_equivalents as eq

REVIEWED = '''--- content/slo.py
+++ content/slo.py
@@ -1,3 +1,3 @@
-    return " or ".join(cond(*w) for w in windows)
+    return " OR ".join(cond(*w) for w in windows)
'''
RENUMBERED = REVIEWED.replace('" OR "', '" and "')  # the same name, another mutant after an edit


def test_a_listed_mutant_is_left_out_only_while_its_diff_is_the_reviewed_one(tmp_path):
    path = tmp_path / "equivalents.md"
    path.write_text("# Reviewed\n\n"
                    "- `content.slo.x_burn_expr__mutmut_18`: ` OR ` for ` or `: key words are case-insensitive.\n"
                    "- `config.fields.xǁFieldǁcheck__mutmut_3`: unstamped, from before digests.\n")
    listed = eq.read(path)
    assert {n: e.digest for n, e in listed.items()} == {"content.slo.x_burn_expr__mutmut_18": None,
                                                       "config.fields.xǁFieldǁcheck__mutmut_3": None}
    assert eq.confirmed(listed, {"content.slo.x_burn_expr__mutmut_18": REVIEWED}) == set()  # not stamped yet

    assert eq.stamp(path, {"content.slo.x_burn_expr__mutmut_18": REVIEWED}) == 1
    assert f"- `content.slo.x_burn_expr__mutmut_18` [{eq.digest(REVIEWED)}]: ` OR ` for ` or `:" in path.read_text()
    assert "- `config.fields.xǁFieldǁcheck__mutmut_3`: unstamped" in path.read_text()
    listed = eq.read(path)
    assert listed["content.slo.x_burn_expr__mutmut_18"].reason.startswith("` OR ` for ` or `")
    assert eq.confirmed(listed, {"content.slo.x_burn_expr__mutmut_18": REVIEWED + "\n"}) == {
        "content.slo.x_burn_expr__mutmut_18"}  # mutmut's trailing whitespace aside
    assert eq.confirmed(listed, {"content.slo.x_burn_expr__mutmut_18": RENUMBERED}) == set()
    assert eq.confirmed(listed, {}) == set()  # the mutant no longer exists
    # Stamping again changes nothing; stamping after a new review writes the new digest.
    assert eq.stamp(path, {"content.slo.x_burn_expr__mutmut_18": REVIEWED}) == 0
    assert eq.stamp(path, {"content.slo.x_burn_expr__mutmut_18": RENUMBERED}) == 1
    assert eq.read(path)["content.slo.x_burn_expr__mutmut_18"].digest == eq.digest(RENUMBERED)


def test_the_repositorys_list_reads_whole():
    """Every entry of docs/mutation-equivalents.md parses, with or without a digest."""
    from devtools.mutation import EQUIVALENTS
    entries = [line for line in EQUIVALENTS.read_text().splitlines() if line.startswith("- `")]
    listed = eq.read(EQUIVALENTS)
    assert len(listed) == len(entries) > 200
    assert all(e.reason for e in listed.values())
