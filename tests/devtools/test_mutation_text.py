"""Text mutants: which mutants the benchmark counts apart and never runs (devtools/mutation_text.py).

The mutants are written as mutmut 3.8.1 writes them: its string operator (mutmut/mutation/mutators.py,
operator_string) gives "XX" + s + "XX", s lower-cased and s upper-cased for each literal; a mutated
file holds each function's original as `<name>__mutmut_orig` and each mutant as `<name>__mutmut_N`,
and `<file>.spans` (mutmut/mutation/data.py, MutantLineSpans, format version 1) gives the lines of
each. mutmut leaves f-strings alone, but a literal beside one is part of it for Python's ast. The last
test runs mutmut's own generator where mutmut is installed (the benchmark's
requirements-mutation.txt; CI does not install it).
"""
from __future__ import annotations

import json

import pytest

from devtools.mutation_text import is_text, text_mutants

ALERT = '''def x_rules(s):
    return [Alert("KafkaBrokerDown", 'up{job="kafka"} == 0', "2m", "critical", "availability",
                  "Kafka broker {{ $labels.instance }} is down",
                  "One broker does not answer scrapes. " f"Silence it for {s.minutes} minutes."),
            Alert("KafkaLagHigh", "lag > 1", "2m", "high", "performance", "Lag is high",
                  "Consumers fall behind." + FASTER)]
'''


def mutant(source: str, old: str, new: str) -> str:
    assert source.count(old) == 1, old
    return source.replace(old, new)


@pytest.mark.parametrize("old, new", [
    ('"Kafka broker {{ $labels.instance }} is down"', '"XXKafka broker {{ $labels.instance }} is downXX"'),
    ('"Kafka broker {{ $labels.instance }} is down"', '"kafka broker {{ $labels.instance }} is down"'),
    ('"One broker does not answer scrapes. "', '"XXOne broker does not answer scrapes. XX"'),
    ('"One broker does not answer scrapes. "', '"ONE BROKER DOES NOT ANSWER SCRAPES. "'),
    ('"Consumers fall behind."', '"XXConsumers fall behind.XX"'),  # a part of a description built with +
])
def test_words_of_an_alerts_summary_or_description_are_text(old, new):
    assert is_text("content.alerts", ALERT, mutant(ALERT, old, new))


@pytest.mark.parametrize("module", ["content.alerts", "content.slo", "content.remote_write_alerts"])
def test_every_module_that_writes_alerts_has_their_words_read_as_text(module):
    """The remote-write alerts' descriptions ran as ordinary mutants (two content survivors) until their
    module was listed beside content.alerts and content.slo."""
    assert is_text(module, ALERT, mutant(ALERT, '"Consumers fall behind."', '"CONSUMERS FALL BEHIND."'))
    assert not is_text(module, ALERT, mutant(ALERT, '"lag > 1"', '"XXlag > 1XX"'))


@pytest.mark.parametrize("old, new", [
    # a placeholder Prometheus fills: upper case names a label the alert does not have
    ('"Kafka broker {{ $labels.instance }} is down"', '"KAFKA BROKER {{ $LABELS.INSTANCE }} IS DOWN"'),
    ('"Kafka broker {{ $labels.instance }} is down"', "None"),  # no summary at all
    ('"KafkaBrokerDown"', '"XXKafkaBrokerDownXX"'),  # the alert's name
    ('"availability"', '"XXavailabilityXX"'),  # its category label
    ('"critical"', '"CRITICAL"'),  # its severity, which routes it
    ("""'up{job="kafka"} == 0'""", """'XXup{job="kafka"} == 0XX'"""),  # its expression
    ('{s.minutes}', '{s.seconds}'),  # a value inside the text
    ('"2m", "critical"', '"XX2mXX", "critical"'),
    ('"lag > 1"', '"XXlag > 1XX"'),
])
def test_anything_else_in_an_alert_is_an_ordinary_mutant(old, new):
    assert not is_text("content.alerts", ALERT, mutant(ALERT, old, new))


def test_two_changes_are_not_text_even_if_both_are_words():
    twice = mutant(mutant(ALERT, '"Kafka broker', '"XXKafka broker'), 'is down"', 'is downXX"')
    assert is_text("content.alerts", ALERT, twice)  # one literal wrapped: XX at both ends
    both = mutant(twice, '"One broker does not answer scrapes. "', '"one broker does not answer scrapes. "')
    assert not is_text("content.alerts", ALERT, both)


def test_slots_belong_to_their_module():
    summary = mutant(ALERT, '"Kafka broker {{', '"XXKafka broker {{').replace('is down"', 'is downXX"')
    assert not is_text("content.archive", ALERT, summary)


DASHBOARD = '''def x_panels(s):
    errors = (("Errors in Explore", explore("elasticsearch", "level:ERROR")),)
    rows = (("Health Overview", (Panel("Up", "stat"),)),)
    return [Panel("Throughput", "timeseries", (_p(f"sum by (topic) ({sig.IN})", "{{topic}} in"),
                                               _p(sig.OUT, legend="out")), links=(("Jaeger", s.jaeger_url),)),
            query("Consumer group", "lag, consumergroup", "consumergroup"),
            CustomVariable("environment").label("Environment").values(s.environment)]
'''


@pytest.mark.parametrize("old, new, text", [
    ('"{{topic}} in"', '"XX{{topic}} inXX"', True),
    ('"{{topic}} in"', '"{{TOPIC}} IN"', False),  # Grafana fills {{topic}} case-sensitively
    ('legend="out"', 'legend="XXoutXX"', True),
    ('"Consumer group"', '"consumer group"', True),  # the label beside the drop-down
    ('"consumergroup")', '"XXconsumergroupXX")', False),  # the variable's name, which panels use
    ('.label("Environment")', '.label("ENVIRONMENT")', True),
    ('CustomVariable("environment")', 'CustomVariable("XXenvironmentXX")', False),
    ('"Throughput"', '"XXThroughputXX"', False),  # a panel's title: alerts link to it
    ('"Errors in Explore"', '"errors in explore"', True),  # a link's title
    ('(("Jaeger"', '(("XXJaegerXX"', True),
    ('"level:ERROR"', '"level:error"', False),  # the query the link opens
    ('"Health Overview"', '"XXHealth OverviewXX"', False),  # a row's title: (title, panels)
])
def test_a_legends_and_a_variable_labels_words_are_text(old, new, text):
    assert is_text("content.dashboards", DASHBOARD, mutant(DASHBOARD, old, new)) is text


PAGERDUTY = '''def x__pagerduty(s):
    return {"links": [{"href": "{{ .CommonAnnotations.runbook_url }}", "text": "Runbook"}],
            "slack": {"title": "[{{ .Status }}]", "text": "{{ range .Alerts }}Runbook: {{ end }}"}}
'''


@pytest.mark.parametrize("old, new, text", [
    ('"Runbook"', '"XXRunbookXX"', True),  # a link's label
    ('"{{ .CommonAnnotations.runbook_url }}"', '"XX{{ .CommonAnnotations.runbook_url }}XX"', False),
    ('"{{ range .Alerts }}Runbook: {{ end }}"', '"XX{{ range .Alerts }}Runbook: {{ end }}XX"', False),
])
def test_only_a_links_label_is_text_in_a_notification(old, new, text):
    assert is_text("content.alertmanager", PAGERDUTY, mutant(PAGERDUTY, old, new)) is text


def write_mutated(tmp_path, module: str, functions: dict[str, str]) -> None:
    """A mutated file and its spans, laid out as mutmut writes them."""
    path = tmp_path / "mutants" / (module.replace(".", "/") + ".py")
    path.parent.mkdir(parents=True)
    lines, spans = [], {}
    for name, source in functions.items():
        spans[name] = [len(lines) + 1, len(lines) + source.count("\n")]
        lines += source.splitlines(keepends=True)
    path.write_text("".join(lines))
    path.with_name(path.name + ".spans").write_text(json.dumps({"version": 1, "spans": spans}))


def test_text_mutants_are_read_from_mutmuts_files(tmp_path):
    def named(source: str, suffix: str) -> str:
        return source.replace("def x_rules(", f"def x_rules__mutmut_{suffix}(")

    write_mutated(tmp_path, "content.alerts", {
        "x_rules__mutmut_orig": named(ALERT, "orig"),
        "x_rules__mutmut_1": named(mutant(ALERT, '"2m", "critical"', '"3m", "critical"'), "1"),
        "x_rules__mutmut_2": named(mutant(ALERT, '"One broker', '"XXOne broker').replace('. " f', '. XX" f'), "2"),
    })
    names = ["content.alerts.x_rules__mutmut_1", "content.alerts.x_rules__mutmut_2", "config.fields.x_f__mutmut_1"]
    assert text_mutants(tmp_path, names) == {"content.alerts.x_rules__mutmut_2"}


def test_mutmuts_own_mutants_of_an_alert_leave_only_its_words_as_text(tmp_path, monkeypatch):
    """mutmut's generator over a real alert: the text mutants are exactly the summary's and the
    description's XX/lower/upper mutants whose placeholders survive."""
    file_mutation = pytest.importorskip("mutmut.mutation.file_mutation")
    configuration = pytest.importorskip("mutmut.configuration")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "setup.cfg").write_text("[mutmut]\nsource_paths =\n    content/\n")
    configuration.reset_config()
    source = "from content.alerts import Alert\n\n\n" + ALERT.replace("x_rules", "rules")
    mutated = file_mutation.mutate_file_contents("content/alerts.py", source)
    path = tmp_path / "mutants" / "content" / "alerts.py"
    path.parent.mkdir(parents=True)
    path.write_text(mutated.code)
    path.with_name("alerts.py.spans").write_text(json.dumps(
        {"version": 1, "spans": {n: [s.start, s.end] for n, s in mutated.line_span_by_function_name.items()}}))
    names = ["content.alerts." + n for n in mutated.mutant_names]
    text = text_mutants(tmp_path, names)
    configuration.reset_config()
    # the first summary: XX and lower case (upper case renames $labels); the first description's plain
    # literal: XX, lower and upper case (mutmut leaves f-strings alone); the second alert's summary and
    # the literal part of its description: three each
    assert len(text) == 2 + 3 + 3 + 3, sorted(text)
    assert len(names) > len(text) + 10
