"""The domain mutation benchmark's runner and report (devtools/mutation_domain.py).

The runner is run for real on a throwaway package with one test: a mutant the test catches is
killed, one it cannot see survives.
"""
from __future__ import annotations

from devtools import mutation_domain as d
from devtools import mutation_operators

def test_pytest_exits_are_verdicts():
    assert [d.status_of(c) for c in (0, 1, 2, 5, None)] == ["survived", "killed", "killed", "no tests", "timeout"]


def test_the_score_leaves_out_equivalents_and_counts_timeouts_as_kills():
    counts = d.tally(["killed", "timeout", "survived", "equivalent", "no tests", "killed"])
    assert counts == {"killed": 3, "survived": 1, "equivalent": 1, "no tests": 1, "broken": 0}
    assert d.score_text(counts) == "75%"
    assert d.score_text(d.tally(["equivalent"])) == "-"


def test_the_syntactic_score_is_read_from_the_mutmut_report(tmp_path):
    report = tmp_path / "report.md"
    report.write_text("| area / module | killed | survived | equivalent | text (not run) | no tests | not checked "
                      "| score | time |\n|---|\n| **policy** | 150 | 3 | 2 | 0 | 0 | 0 | 98% | 40 s |\n")
    assert d.syntactic_score("policy", report) == "98%"
    assert d.syntactic_score("content", report) == "-"
    assert d.syntactic_score("policy", tmp_path / "none.md") == "-"


def test_a_mutant_the_test_sees_is_killed_one_it_does_not_survives_and_the_file_is_put_back(tmp_path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    source = 'LIMIT = 10\nUNUSED_LIMIT = 3\n'
    (tmp_path / "pkg" / "mod.py").write_text(source)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_mod.py").write_text("from pkg import mod\n\ndef test_limit():\n"
                                                   "    assert mod.LIMIT == 10\n")
    made = mutation_operators.mutants_of("pkg/mod.py", source.encode(), ("shift_threshold",))
    mutants = {m.what: (m, t) for m, t in made}
    assert sorted(mutants) == ["bound 10 -> 11", "bound 10 -> 9", "bound 3 -> 2", "bound 3 -> 4"]
    verdicts = {what: d.run_one(tmp_path, m, t, ["tests/test_mod.py"], [], 120).status
                for what, (m, t) in sorted(mutants.items())[:3]}
    assert verdicts == {"bound 10 -> 11": "killed", "bound 10 -> 9": "killed", "bound 3 -> 2": "survived"}
    assert (tmp_path / "pkg" / "mod.py").read_text() == source
    assert d.run_one(tmp_path, *mutants["bound 3 -> 4"], [], [], 120).status == "no tests"


def test_a_kill_by_a_test_that_fails_without_the_mutant_is_broken_not_killed(tmp_path, monkeypatch):
    """A working copy once lacked node_modules, so the dashboard schema test failed whatever the mutant and
    nine content mutants counted as killed. A kill now counts only if the killing test passes in the copy
    without the mutant; checked once per test and copy."""
    copy = tmp_path / "content" / "w0"
    (copy / "pkg").mkdir(parents=True)
    (copy / "pkg" / "__init__.py").write_text("")
    source = "LIMIT = 10\nDEPTH = 3\n"
    (copy / "pkg" / "mod.py").write_text(source)
    (copy / "tests").mkdir()
    (copy / "tests" / "test_mod.py").write_text(
        "import pathlib\nfrom pkg import mod\n\n"
        "def test_limit():\n    assert mod.LIMIT == 10\n\n"
        "def test_depth_and_a_file_the_copy_lacks():\n    assert mod.DEPTH == 3\n"
        "    assert pathlib.Path(__file__).with_name('untracked.txt').exists()\n")
    made = dict((m.what, (m, t)) for m, t in mutation_operators.mutants_of("pkg/mod.py", source.encode(),
                                                                           ("shift_threshold",)))
    monkeypatch.setattr(d, "WORK", tmp_path)
    monkeypatch.setattr(d, "sync", lambda c: None)
    monkeypatch.setattr(d, "tests_for", lambda area, path: (["tests/test_mod.py"], []))
    results = {r.name: r for r in d.run("content", [made["bound 10 -> 11"], made["bound 3 -> 4"]], 1, 120)}
    assert results[made["bound 10 -> 11"][0].name].status == "killed"
    broken = results[made["bound 3 -> 4"][0].name]
    assert (broken.status, broken.failed) == ("broken", "tests/test_mod.py::test_depth_and_a_file_the_copy_lacks")
    assert (copy / "pkg" / "mod.py").read_text() == source
    assert d.tally(["broken", "killed"]) == {"killed": 1, "survived": 0, "equivalent": 0, "no tests": 0, "broken": 1}


def test_working_copies_get_the_untracked_trees_the_tests_read(tmp_path, monkeypatch):
    from devtools import mutation_graph
    (tmp_path / "repo" / "node_modules" / "typescript").mkdir(parents=True)
    monkeypatch.setattr(mutation_graph, "ROOT", tmp_path / "repo")
    mutation_graph.link_untracked(tmp_path / "w0")
    assert (tmp_path / "w0" / "node_modules" / "typescript").is_dir()
    assert (tmp_path / "w0" / "node_modules").resolve() == (tmp_path / "repo" / "node_modules").resolve()
    mutation_graph.link_untracked(tmp_path / "w0")  # a second sync leaves the link as it is
    monkeypatch.setattr(mutation_graph, "ROOT", tmp_path / "bare")  # no npm ci there: nothing to link
    mutation_graph.link_untracked(tmp_path / "w1")
    assert not (tmp_path / "w1" / "node_modules").exists()


def test_a_mutant_gets_the_tests_scripts_mutation_gives_its_area():
    paths, options = d.tests_for("policy", "policy/invariants.py")
    # the pack-process test is left out: under mutmut its child process cannot find mutmut's config
    assert (paths, options) == (["tests/policy"], ["-k", "not test_the_pack_process_answers_the_engine_over_grpc"])
    paths, options = d.tests_for("content", "content/recording.py")
    assert options == ["-k", "not test_alert_fires_on_time_and_stays_quiet_otherwise"]
    assert "tests/content/test_recording_rules.py" in paths and "tests/content/test_jaeger.py" not in paths
    first_component = next(i for i, p in enumerate(paths) if p.startswith("tests/components/"))
    assert all(p.startswith("tests/content/") for p in paths[:first_component])
    assert all(p.startswith("tests/components/") for p in paths[first_component:])
    # Pulumi.yaml belongs to the settings area and is judged by all its tests.
    assert d.area_sources("settings")[-1] == "Pulumi.yaml"
    assert d.tests_for("settings", "Pulumi.yaml") == (["tests/config"], [])


def test_the_report_counts_a_reviewed_equivalent_only_while_its_diff_is_the_one_reviewed(tmp_path, monkeypatch):
    diff_a, diff_b = "--- a/x\n+++ b/x\n-A = 1\n+A = 2\n", "--- a/x\n+++ b/x\n-B = 1\n+B = 2\n"
    mutants = {f"pkg.mod.shift_threshold__domain_{i}": {"operator": "shift_threshold", "diff": diff, "what": "bound",
                                                         "path": "pkg/mod.py", "line": 1, "name": ""}
               for i, diff in ((1, diff_a), (2, diff_b), (3, diff_a))}
    results = {"pkg.mod.shift_threshold__domain_1": {"status": "survived"},
               "pkg.mod.shift_threshold__domain_2": {"status": "survived"},
               "pkg.mod.shift_threshold__domain_3": {"status": "killed"}}
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "results.json").write_text(__import__("json").dumps(
        {"mutants": mutants, "results": results, "seconds": 12}))
    equivalents = tmp_path / "equivalents.md"
    from devtools import mutation_equivalents
    equivalents.write_text(f"- `pkg.mod.shift_threshold__domain_1` [{mutation_equivalents.digest(diff_a)}]: same.\n"
                           f"- `pkg.mod.shift_threshold__domain_2` [{mutation_equivalents.digest(diff_a)}]: stale.\n")
    monkeypatch.setattr(d, "WORK", tmp_path)
    monkeypatch.setattr(d, "SYNTACTIC", tmp_path / "mutmut")  # not a local run's build/mutation/report.md
    monkeypatch.setattr(d, "EQUIVALENTS", equivalents)
    lines = d.report(["plan"])
    # 1 equivalent (its digest holds); 2 listed with another diff's digest: a survivor again; 3 killed.
    assert "| **plan** | 3 | 3 | 1 | 1 | 1 | 0 | 0 | 50% | - | 12 |" in lines
    assert "| plan | shift_threshold | 1 | 1 | 1 | 0 | 0 | 50% |" in lines
    assert [line for line in lines if line.startswith("### ")] == ["### pkg.mod.shift_threshold__domain_2 (bound)"]


def test_an_area_with_a_reviewed_equivalent_runs_its_mutants_under_its_own_name(tmp_path, monkeypatch):
    """main() once reused the area's variable for the reviewed equivalents' names, so an area with one
    ran its mutants under a mutant's name (KeyError in tests_for). Here `plan` has one reviewed
    equivalent, which is recorded as such and not run; the rest run as `plan`. A result left by a run
    on older code (a name the code no longer makes) is dropped, and the report does not trip on it."""
    import json
    from devtools import mutation_equivalents
    made = [pair for path in d.area_sources("plan")
            for pair in mutation_operators.mutants_of(path, (d.ROOT / path).read_bytes(), list(d.OPERATORS))]
    first, second = made[0][0], made[1][0]
    equivalents = tmp_path / "equivalents.md"
    equivalents.write_text(f"- `{first.name}` [{mutation_equivalents.digest(first.diff)}]: reviewed.\n")
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "results.json").write_text(json.dumps(
        {"mutants": {}, "results": {"harness.gone.drop_element__domain_9": {"status": "survived"},
                                    second.name: {"status": "survived"}}}))
    seen: list[tuple[str, list[str]]] = []

    def fake_run(area, chosen, children, timeout, progress=lambda r: None):
        seen.append((area, [m.name for m, _ in chosen]))
        return [d.Result(m.name, "killed", 0.1) for m, _ in chosen]
    monkeypatch.setattr(d, "WORK", tmp_path)
    monkeypatch.setattr(d, "SYNTACTIC", tmp_path / "mutmut")  # not a local run's build/mutation/report.md
    monkeypatch.setattr(d, "EQUIVALENTS", equivalents)
    monkeypatch.setattr(d, "run", fake_run)
    monkeypatch.setattr(d, "REPORT", tmp_path / "report.md")
    assert d.main(["plan", "--survived"]) == 0
    assert seen == [("plan", [second.name])]  # the last run's survivor, under the area's name
    results = json.loads((tmp_path / "plan" / "results.json").read_text())["results"]
    assert {k: v["status"] for k, v in results.items()} == {first.name: "survived", second.name: "killed"}
    assert "| **plan** | 24 | 2 | 1 | 0 | 1 | 0 | 0 | 100% | - | 0 |" in (tmp_path / "report.md").read_text()
