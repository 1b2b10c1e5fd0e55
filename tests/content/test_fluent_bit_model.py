"""The model's parser and modify filters and its opensearch document against what fluent-bit v3.1.9's
sources do (tests/content/fluent_bit_model.py cites each file): small configurations whose outcome
the C code decides, including the cases our rendered config must never reach."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.content import fluent_bit_model as fb

PARSERS = [("PARSER", [("Name", "kv"), ("Format", "regex"), ("Regex", r"user=(?<user>\w*) ip=(?<ip>[\d.]+)")]),
           ("PARSER", [("Name", "ip_only"), ("Format", "regex"), ("Regex", r"ip=(?<ip>[\d.]+)")])]


def parser_filter(*extra: tuple[str, str], parsers=("kv", "ip_only")) -> list[tuple[str, str]]:
    return [("Name", "parser"), ("Match", "*"), ("Key_Name", "log"), *[("Parser", p) for p in parsers], *extra]


def parse(record: dict, *extra: tuple[str, str], parsers=("kv", "ip_only")) -> dict:
    return fb.parse_filter(parser_filter(*extra, parsers=parsers), fb.parsers(PARSERS), record)


def test_the_first_parser_that_matches_wins_and_the_regex_is_searched_not_anchored():
    record = {"log": "2026-12-07 INFO login user=bob ip=10.1.2.3 ok", "stream": "stdout"}
    assert parse(record, ("Reserve_Data", "On"), ("Preserve_Key", "On")) == {
        "user": "bob", "ip": "10.1.2.3", "log": record["log"], "stream": "stdout"}
    # the first parser fails on this one: the second is tried
    assert parse({"log": "ip=10.9.9.9"}, ("Reserve_Data", "On"))["ip"] == "10.9.9.9"


def test_an_empty_capture_is_skipped():
    """flb_parser_regex.c: skip_empty (on by default) drops a capture of length 0."""
    assert "user" not in parse({"log": "user= ip=10.1.2.3"}, ("Reserve_Data", "On"))


def test_reserve_data_and_preserve_key_decide_what_else_survives():
    record = {"log": "user=bob ip=10.1.2.3", "stream": "stdout"}
    assert parse(record) == {"user": "bob", "ip": "10.1.2.3"}                     # neither: the parsed map only
    assert parse(record, ("Reserve_Data", "On")) == {"user": "bob", "ip": "10.1.2.3", "stream": "stdout"}
    assert parse(record, ("Reserve_Data", "yes"), ("Preserve_Key", "true"))["log"] == record["log"]  # flb_utils_bool


@pytest.mark.parametrize("record", [{"log": "nothing to see"}, {"log": 42}, {"message": "user=bob ip=1.2.3.4"}])
def test_no_match_or_no_string_under_key_name_leaves_the_record(record):
    assert parse(record, ("Reserve_Data", "On")) == record


def test_an_undefined_parser_is_refused():
    with pytest.raises(ValueError, match="not found"):
        parse({"log": "user=bob ip=1.2.3.4"}, parsers=("kv", "missing"))


def modify(record: dict, *entries: tuple[str, str]) -> dict:
    return fb.modify_filter([("Name", "modify"), ("Match", "*"), *entries], record)


def test_modify_applies_its_rules_only_when_every_condition_holds():
    rules = (("Condition", "Key_exists err"), ("Condition", r"Key_value_matches err ^SSL\shandshake"), ("Set", "kind tls"))
    assert modify({"err": "SSL handshake failed"}, *rules)["kind"] == "tls"
    assert "kind" not in modify({"err": "Authentication failed"}, *rules)       # one condition fails
    assert "kind" not in modify({"other": "SSL handshake failed"}, *rules)      # the key is missing
    assert modify({"err": "x", "kind": "old"}, ("Condition", "Key_exists err"), ("Set", "kind new"))["kind"] == "new"
    # the regex is searched, and a boolean is matched as "true"/"false"
    assert modify({"err": "... SSL handshake"}, ("Condition", r"Key_value_matches err SSL"), ("Set", "k v"))["k"] == "v"
    assert modify({"flag": True}, ("Condition", "Key_value_matches flag ^true$"), ("Set", "k v"))["k"] == "v"


def test_a_value_of_more_than_three_words_stops_the_filter():
    """modify.c setup: flb_utils_split_quoted(value, ' ', 3) puts the rest in a fourth entry: an error."""
    with pytest.raises(ValueError, match="Invalid config for Condition"):
        modify({"err": "x"}, ("Condition", "Key_value_matches err SSL handshake failed"), ("Set", "k v"))


def test_the_opensearch_document_leads_with_the_records_time_in_utc_milliseconds():
    when = datetime(2026, 12, 7, 13, 0, 7, 999999, tzinfo=timezone(timedelta(hours=1)))
    doc = fb.opensearch_document([("Name", "opensearch"), ("Match", "*")], {"log": "x"}, when)
    assert list(doc) == ["@timestamp", "log"] and doc["@timestamp"] == "2026-12-07T12:00:07.999Z"
    custom = fb.opensearch_document([("Time_Key", "ts"), ("Time_Key_Format", "%Y%m%d%H%M%S")], {}, when)
    assert custom == {"ts": "20261207120007.999Z"}
