"""The domain mutation operators (devtools/mutation_operators.py).

Each operator is fed a small source written out here, and the test names the mutated lines it must
make and the near misses it must leave alone.
"""
from __future__ import annotations

import textwrap

from devtools import mutation_operators as ops


def _mutated(source: str, operator: str) -> list[str]:
    """Each mutant of the source, as the lines it changed (the mutant's side of its diff)."""
    text = textwrap.dedent(source).encode()
    out = []
    for mutant, _ in ops.mutants_of("pkg/mod.py", text, (operator,)):
        plus = [l[1:] for l in mutant.diff.splitlines() if l.startswith("+") and not l.startswith("+++")]
        out.append("\n".join(p.strip() for p in plus))
    return out


def test_drop_element_leaves_out_statements_rules_and_actions_but_not_plain_values():
    source = '''
    def policy(arn):
        return [
            {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"]},
            {"Effect": "Deny", "Action": "s3:*"},
        ]
    PORTS = [80, 443]
    NAMES = ["a", "b"]
    SETTINGS = {"size": 1}
    '''
    mutants = ops.mutants_of("pkg/mod.py", textwrap.dedent(source).encode(), ("drop_element",))
    # Two statements, two actions: four mutants. Numbers, plain words and a one-key dict are no rules.
    assert [m.what for m, _ in mutants] == [
        'element left out: {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"]}',
        'element left out: {"Effect": "Deny", "Action": "s3:*"}',
        'element left out: "kms:Encrypt"',
        'element left out: "kms:Decrypt"',
    ]
    kept = {text.decode() for _, text in mutants}
    assert any('"Action": ["kms:Decrypt"]' in t for t in kept)
    assert any('"Action": ["kms:Encrypt"]' in t for t in kept)
    assert all("PORTS = [80, 443]" in t and 'NAMES = ["a", "b"]' in t for t in kept)


def test_drop_element_leaves_out_one_row_of_a_rule_table_and_one_constructed_rule():
    source = '''
    RULES = (
        ("$event_category", "^(security|audit)$"),
        ("$logger", "^kafka$"),
    )
    ALERTS = [Alert("A", "up == 0"), Alert("B", "up == 1"), helper("C")]
    '''
    assert [m.what for m, _ in ops.mutants_of("m.py", textwrap.dedent(source).encode(), ("drop_element",))] == [
        'element left out: ("$event_category", "^(security|audit)$")',
        'element left out: ("$logger", "^kafka$")',
        'element left out: Alert("A", "up == 0")',
        'element left out: Alert("B", "up == 1")',
    ]  # helper("C") is a call of a lower-case function: not a rule


def test_widen_arn_makes_a_prefix_a_wildcard_tail_and_a_star_principal():
    source = '''
    BREAK_GLASS = "arn:aws:iam::123456789012:role/break-glass"
    ALREADY = "arn:aws:s3:::bucket/*"
    statement = {"Principal": {"AWS": role_arn}, "Resource": key.arn, "Action": action}
    '''
    assert _mutated(source, "widen_arn") == [
        'BREAK_GLASS = "arn:aws:iam::123456789012:role/break-glass*"',
        'BREAK_GLASS = "arn:aws:iam::123456789012:role/*"',
        'statement = {"Principal": {"AWS": role_arn}, "Resource": "*", "Action": action}',
        'statement = {"Principal": {"AWS": "*"}, "Resource": key.arn, "Action": action}',
    ]  # an ARN that already ends in * and a non-principal key ("Action") are left alone


def test_shift_threshold_moves_bounds_by_one_unit_of_their_last_digit():
    source = '''
    GRACE_DAYS = 7
    def check(v, ratio):
        if v >= 2557:
            return between(1, 100)
        return [v][0], f"x > {ratio}", "rate(x[5m]) > 0.05", "15m", size(limit=0.5)
    '''
    assert _mutated(source, "shift_threshold") == [
        "GRACE_DAYS = 6", "GRACE_DAYS = 8",
        "if v >= 2556:", "if v >= 2558:",
        "return between(0, 100)", "return between(2, 100)",
        "return between(1, 99)", "return between(1, 101)",
        'return [v][0], f"x > {ratio}", "rate(x[5m]) > 0.05", "15m", size(limit=0.4)',
        'return [v][0], f"x > {ratio}", "rate(x[5m]) > 0.05", "15m", size(limit=0.6)',
        'return [v][0], f"x > {ratio}", "rate(x[5m]) > 0.04", "15m", size(limit=0.5)',
        'return [v][0], f"x > {ratio}", "rate(x[5m]) > 0.06", "15m", size(limit=0.5)',
        'return [v][0], f"x > {ratio}", "rate(x[5m]) > 0.05", "14m", size(limit=0.5)',
        'return [v][0], f"x > {ratio}", "rate(x[5m]) > 0.05", "16m", size(limit=0.5)',
    ]  # a subscript index, a range's [5m] and a placeholder after > are no thresholds


def test_shift_threshold_never_makes_a_negative_number_or_a_zero_duration():
    assert _mutated('LIMIT = 0\nFOR = "1m"\n', "shift_threshold") == ["LIMIT = 1", 'FOR = "2m"']
    assert _mutated('OK = True\nNAME = "m1"\n', "shift_threshold") == []  # a bool is no number, m1 no duration


def test_swap_severity_in_literals_and_matchers_but_not_in_words():
    source = '''
    a = Alert("X", "up == 0", "1m", "critical")
    m = ['severity=~"high|warning"']
    s = "critical path of the pipeline"
    '''
    assert _mutated(source, "swap_severity") == [
        'a = Alert("X", "up == 0", "1m", "high")',
        "m = ['severity=~\"critical|warning\"']",
        "m = ['severity=~\"warning|warning\"']",
        "m = ['severity=~\"high|high\"']",
    ]


def test_drop_matcher_leaves_one_matcher_out_of_a_selector_only():
    source = '''
    q = f'sum(rate(x{{job="{JOB}", code=~"5.."}}[5m]))'
    one = 'up{job="kafka"} == 0'
    am = ['severity="critical"']
    '''
    assert _mutated(source, "drop_matcher") == [
        "q = f'sum(rate(x{{code=~\"5..\"}}[5m]))'",
        "q = f'sum(rate(x{{job=\"{JOB}\"}}[5m]))'",
        "one = 'up{} == 0'",
    ]  # the Alertmanager matcher string is one matcher, not a selector


def test_drop_condition_key_leaves_out_an_operator_or_one_key_of_its_block():
    source = '''
    s = {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"},
                                         "StringNotEquals": {"a:b": "1", "c:d": "2"}}}
    s["Condition"] = {"Null": {"x:y": "true"}}
    other = {"Labels": {"a": "1", "b": "2"}}
    '''
    mutants = ops.mutants_of("m.py", textwrap.dedent(source).encode(), ("drop_condition_key",))
    assert [m.what for m, _ in mutants] == [
        "condition left out: Null", "condition left out: Bool", "condition left out: StringNotEquals",
        "condition left out: a:b", "condition left out: c:d"]
    assert all(b'"Labels": {"a": "1", "b": "2"}' in text for _, text in mutants)


def test_drop_alternative_in_groups_and_regex_matchers():
    source = '''
    r = "^(security|audit)$"
    q = 'x{severity=~"high|warning"}'
    f = f"^({'|'.join(names)})$"
    '''
    assert _mutated(source, "drop_alternative") == [
        'r = "^(audit)$"', 'r = "^(security)$"',
        "q = 'x{severity=~\"warning\"}'", "q = 'x{severity=~\"high\"}'",
    ]  # an f-string's join is code, not an alternation


def test_flip_default_in_parameters_keywords_gets_and_pulumi_yaml():
    source = '''
    def f(x, strict=True):
        return v.get("enableArchive", False), Field(default=True), print(flush=True)
    '''
    assert _mutated(source, "flip_default") == [
        "def f(x, strict=False):",
        'return v.get("enableArchive", True), Field(default=True), print(flush=True)',
        'return v.get("enableArchive", False), Field(default=False), print(flush=True)',
    ]  # flush= is no default
    yaml = b"config:\n  enableArchive:\n    type: boolean\n    default: true\n  name:\n    default: truth\n"
    [(mutant, text)] = ops.mutants_of("Pulumi.yaml", yaml, ("flip_default",))
    assert (mutant.name, mutant.line, text.splitlines()[3]) == ("Pulumi_yaml.flip_default__domain_1", 4,
                                                                b"    default: false")


def test_a_mutant_that_is_not_python_is_not_made_and_names_count_per_operator():
    # Leaving out the only element of a call's argument tuple is fine; names number per operator.
    mutants = ops.mutants_of("pkg/mod.py", b'X = [Rule("a"), Rule("b")]\nT = 5\n', ("drop_element", "shift_threshold"))
    assert [m.name for m, _ in mutants] == ["pkg.mod.drop_element__domain_1", "pkg.mod.drop_element__domain_2",
                                            "pkg.mod.shift_threshold__domain_1", "pkg.mod.shift_threshold__domain_2"]
    for _, text in mutants:
        compile(text, "m", "exec")
