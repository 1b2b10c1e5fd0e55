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


TAIL = [("Name", "tail"), ("Path", "/var/log/containers/*.log"), ("DB", "/var/lib/fluent-bit/containers.db")]


def log_file(*lines: bytes) -> bytes:
    return b"".join(line + b"\n" for line in lines)


@pytest.mark.parametrize("skip", ["On", "Off"])
def test_a_line_of_buffer_max_size_minus_two_bytes_is_read_and_one_byte_more_is_long(skip):
    """tail_file.c flb_tail_file_chunk: a read fills at most the buffer's size minus one byte, so with
    the default 32768-byte buffer a line of 32766 bytes and its '\\n' fit, and one of 32767 does not."""
    fits, long_ = b"a" * 32766, b"b" * 32767
    tail = fb.TailFile([*TAIL, ("Skip_Long_Lines", skip)])
    assert tail.read(log_file(b"first", fits, b"after")) == [b"first", fits, b"after"]
    tail = fb.TailFile([*TAIL, ("Skip_Long_Lines", skip)])
    read = tail.read(log_file(b"first", long_, b"after"))
    assert read == ([b"first", b"after"] if skip == "On" else [b"first"])
    assert (tail.monitored, tail.removed) == ((True, 0) if skip == "On" else (False, 1))


def test_skip_long_lines_drops_only_the_long_line_whatever_its_length():
    """skip_next drops what is read up to the next '\\n'; a buffer without one is dropped whole."""
    for length in (32767, 32768, 65535, 100_000, 1_000_000):
        tail = fb.TailFile([*TAIL, ("Skip_Long_Lines", "On")])
        content = log_file(b"x" * 10, b"L" * length, b"y" * 10, b"z" * 32766)
        assert tail.read(content) == [b"x" * 10, b"y" * 10, b"z" * 32766], length
        assert tail.offset == len(content)


def test_without_skip_long_lines_the_file_is_dropped_and_resumed_from_the_database_at_each_refresh():
    """Without skip_long_lines the file is removed at the long line; each scan (refresh_interval)
    appends it again at the database offset, the bytes read so far, so it moves on by one buffer
    (32767 bytes) of the long line per refresh, and the line's last piece is read as a line of its
    own. A long line of three buffers and 100 bytes holds back what follows it for three refreshes."""
    long_ = b"L" * (3 * 32767 + 100)
    content = log_file(long_, b"event")
    tail = fb.TailFile([*TAIL])
    assert (tail.read(content), tail.monitored) == ([], False)
    assert tail.refresh_interval == 60
    assert [tail.refresh(content) for _ in range(3)] == [[], [], [b"L" * 100, b"event"]]
    assert tail.removed == 3 and tail.monitored
    # Without a database a file is appended again at its end (read_from_head off): what followed is lost.
    no_db = fb.TailFile([t for t in TAIL if t[0] != "DB"])
    assert no_db.read(content) == [] and no_db.refresh(content + log_file(b"later")) == []
    assert no_db.read(content + log_file(b"later", b"next")) == [b"next"]


def test_the_cri_parser_takes_a_whole_line_apart():
    """src/multiline/flb_ml_parser_cri.c FLB_ML_CRI_REGEX; the time is the first word."""
    assert fb.cri_record(b"2026-12-07T10:00:00.123456789Z stdout F a b  c") == {
        "time": "2026-12-07T10:00:00.123456789Z", "stream": "stdout", "_p": "F", "log": "a b  c"}
    assert fb.cri_record(b"L" * 100) is None
