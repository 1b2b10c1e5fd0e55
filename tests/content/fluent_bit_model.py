"""Where Fluent Bit sends a record, for the plugins our pipeline uses, modelled from its docs.

Fluent Bit manual (v3): "Routing" (a Match pattern matches the whole tag, `*` any characters),
"Record Accessor" (`$key`, `$key['sub']['subsub']`), filters "Rewrite Tag" (a rule is exactly four space-separated words;
rules in order, the
first match wins; the regex is searched in the value; `$TAG` expands to the record's tag; KEEP
false drops the original; the new record re-enters the pipeline through an emitter input, so it
meets every filter matching the new tag), "Grep" (Regex KEY REGEX keeps records whose key matches;
a missing key does not match), "Record Modifier" (adds fields), "Kubernetes" (enriches; modelled
as the identity: the sample records carry its fields already).

The `parser` and `modify` filters and the opensearch output's document are modelled from
fluent/fluent-bit at tag v3.1.9 (commit 431fa79a):
- plugins/filter_parser/filter_parser.c cb_parser_filter: the first value under Key_Name that is a
  string is tried against each Parser in the order given until flb_parser_do succeeds; the parsed
  map is the record, expanded with the other original fields when Reserve_Data is on
  (flb_msgpack_expand_map), the Key_Name field among them only when Preserve_Key is on; no match
  leaves the record as it was. configure(): a Parser not defined is logged ("requested parser not
  found") and skipped, and with none left the filter does not start; the model refuses both, as
  the rendered config must only name parsers it defines.
- src/flb_parser_regex.c flb_parser_regex_do: the regex is searched in the value (src/flb_regex.c
  flb_regex_do, onig_search), each named capture is a string field, an empty one is skipped
  (skip_empty, default on); no match is -1.
- plugins/filter_modify/modify.c setup: each property's value is split on spaces
  (flb_utils_split_quoted, at most three words: a fourth is an error, so a regex holds no space);
  Condition Key_exists / Key_value_matches name a record accessor (a plain name is a top-level key),
  Key_value_matches searches its regex in a string value (flb_regex_match, onig_search);
  cb_modify_filter applies the rules, in order, only when every condition holds; Set overwrites
  or adds the key.
- plugins/out_opensearch/opensearch.c opensearch_format: the document is Time_Key (default
  `@timestamp`) formatted with Time_Key_Format (default `%Y-%m-%dT%H:%M:%S`) and `.%03luZ`, in UTC
  (gmtime_r), from the record's time, followed by the record's fields.
"""
from __future__ import annotations

import fnmatch
import json
import re
from datetime import datetime, timezone
from typing import Any

Section = tuple[str, list[tuple[str, str]]]


def _get(record: dict, accessor: str) -> Any:
    path = re.findall(r"\['([^']+)'\]", accessor)
    head = accessor.lstrip("$").split("[", 1)[0]
    value: Any = record.get(head)
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _matches(pattern: str, tag: str) -> bool:
    return fnmatch.fnmatchcase(tag, pattern)


def _bool(value: str) -> bool:
    """src/flb_utils.c flb_utils_bool: true, on and yes (any case) are true."""
    return value.lower() in ("true", "on", "yes")


def onigmo(regex: str) -> re.Pattern:
    """Onigmo's named groups (?<name>...) in Python's spelling; the rest of our regexes is common syntax."""
    return re.compile(regex.replace("(?<", "(?P<"))


def parsers(sections: list[Section]) -> dict[str, dict[str, str]]:
    """The [PARSER] sections among `sections` (the parsers files), by Name."""
    return {dict(e)["Name"]: dict(e) for n, e in sections if n == "PARSER"}


def parser_do(parser: dict[str, str], value: str) -> dict | None:
    """flb_parser_do for the formats we use: the parsed map, or None when the parser does not match."""
    if parser.get("Format") != "regex" or set(parser) - {"Name", "Format", "Regex"}:
        raise AssertionError(f"unmodelled parser {parser}")
    m = onigmo(parser["Regex"]).search(value)
    return None if m is None else {k: v for k, v in m.groupdict().items() if v}


def parse_filter(entries: list[tuple[str, str]], defined: dict[str, dict[str, str]], record: dict) -> dict:
    opts = {k.lower(): v for k, v in entries}
    names = [v for k, v in entries if k.lower() == "parser"]
    missing = [n for n in names if n not in defined]
    if missing:
        raise ValueError(f"requested parser {missing} not found")
    value = record.get(opts["key_name"])
    if not isinstance(value, str):
        return record
    for name in names:
        parsed = parser_do(defined[name], value)
        if parsed is None:
            continue
        if not _bool(opts.get("reserve_data", "off")):
            return parsed
        kept = {k: v for k, v in record.items() if k != opts["key_name"] or _bool(opts.get("preserve_key", "off"))}
        clash = set(parsed) & set(kept)
        assert not clash, f"duplicate keys {clash}: the expanded map would hold both"
        return {**parsed, **kept}
    return record


def modify_filter(entries: list[tuple[str, str]], record: dict) -> dict:
    conditions, rules = [], []
    for key, value in entries:
        if key.lower() in ("name", "match"):
            continue
        words = [w for w in value.split(" ") if w]  # next_token skips repeated separators
        if not 0 < len(words) <= 3 or '"' in value or "'" in value:
            raise ValueError(f"Invalid config for {key}")
        (conditions if key.lower() == "condition" else rules).append((key.lower(), words))
    holds = True
    for _, words in conditions:
        kind, accessor = words[0].lower(), words[1]
        have = _get(record, accessor if accessor.startswith("$") else f"${accessor}")
        if kind == "key_exists":
            holds &= have is not None
        elif kind == "key_value_matches":
            holds &= isinstance(have, (str, bool)) and onigmo(words[2]).search(
                str(have).lower() if isinstance(have, bool) else have) is not None
        else:
            raise AssertionError(f"unmodelled condition {words}")
    if not holds:
        return record
    out = dict(record)
    for kind, words in rules:
        if kind != "set" or len(words) != 2:
            raise AssertionError(f"unmodelled rule {kind} {words}")
        out[words[0]] = words[1]
    return out


def opensearch_document(output: list[tuple[str, str]], record: dict, when: "datetime") -> dict:
    """What out_opensearch sends for a record with the time `when` (an aware datetime)."""
    opts = {k.lower(): v for k, v in output}
    if _bool(opts.get("time_key_nanos", "off")) or _bool(opts.get("include_tag_key", "off")):
        raise AssertionError("unmodelled output option")
    utc = when.astimezone(timezone.utc)
    stamp = utc.strftime(opts.get("time_key_format", "%Y-%m-%dT%H:%M:%S")) + f".{utc.microsecond // 1000:03d}Z"
    key = opts.get("time_key", "@timestamp")
    assert key not in record, "the record's own time key would be a duplicate field"
    return {key: stamp, **record}


def _filters(sections: list[Section], tag: str, record: dict, emit, fired: list | None = None) -> dict | None:
    """Every filter whose Match takes `tag`, in order: the record as it leaves them, or None when a
    filter drops it. rewrite_tag calls `emit(new_tag, record)` (in_emitter_add_record's answer: 0,
    -1 failure, -2 busy); only -1 keeps a KEEP false original (rewrite_tag.c process_record).
    `fired` collects the rewrite_tag rules that matched, as (filter position, rule position)."""
    record = dict(record)
    for position, (name, entries) in enumerate(sections):
        if name != "FILTER":
            continue
        opts = dict(entries)
        if not _matches(opts["Match"], tag):
            continue
        if opts["Name"] == "rewrite_tag":
            rules = [value for key, value in entries if key == "Rule"]
            for number, value in enumerate(rules):
                accessor, regex, new_tag, keep = value.split(" ")  # more or fewer words: a broken rule
                field = _get(record, accessor)
                if field is not None and re.search(regex, str(field)):
                    if fired is not None:
                        fired.append((position, number))
                    if emit(new_tag.replace("$TAG", tag), record) != -1 and keep == "false":
                        return None
                    break
        elif opts["Name"] == "grep":
            key, regex = opts["Regex"].split(" ", 1)
            value = _get(record, f"${key}")
            if value is None or not re.search(regex, str(value)):
                return None
        elif opts["Name"] == "record_modifier":
            for key, value in entries:
                if key == "Record":
                    field, field_value = value.split(" ", 1)
                    record[field] = field_value
        elif opts["Name"] == "parser":
            record = parse_filter(entries, parsers(sections), record)
        elif opts["Name"] == "modify":
            record = modify_filter(entries, record)
        elif opts["Name"] != "kubernetes":
            raise AssertionError(f"unmodelled filter {opts['Name']}")
    return record


def route(sections: list[Section], tag: str, record: dict, depth: int = 0,
          fired: list | None = None) -> list[tuple[str, str, dict]]:
    """(output name, final tag, record) for every output the record reaches, every emitter taking
    each record at once (nothing full, nothing down)."""
    assert depth < 5, "rewrite_tag loop"
    reached: list[tuple[str, str, dict]] = []

    def emit(new_tag: str, emitted: dict) -> int:
        reached.extend(route(sections, new_tag, emitted, depth + 1, fired))
        return 0

    record = _filters(sections, tag, record, emit, fired)
    if record is not None:
        reached += [(dict(e)["Name"], tag, record) for n, e in sections
                    if n == "OUTPUT" and _matches(dict(e)["Match"], tag)]
    return reached


def atof(text: str) -> float:
    """C's atof: the longest leading decimal number (after blanks), 0 when there is none."""
    number = re.match(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text)
    return float(number.group(0)) if number else 0.0


def atoi(text: str) -> int:
    """C's atoi: the longest leading integer (after blanks), 0 when there is none."""
    digits = re.match(r"\s*[-+]?\d+", text)
    return int(digits.group(0)) if digits else 0


def time_to_seconds(time: str) -> int:
    """src/flb_utils.c flb_utils_time_to_seconds at v3.1.9: atoi of the text, times 86400, 3600 or
    60 when its last character is d, h or m (either case); anything else is seconds. It never fails:
    src/flb_config_map.c stores whatever it returns, so an unreadable duration becomes 0 s."""
    return atoi(time) * {"d": 86400, "h": 3600, "m": 60}.get(time[-1:].lower(), 1)


def retry_limit(value: str) -> int | str:
    """src/flb_output.c at v3.1.9: no_limits, false or off mean unlimited; no_retries none; anything
    else is atoi, and a result not above zero falls back to 1 with a warning."""
    if value.lower() in ("no_limits", "false", "off"):
        return "unlimited"
    if value.lower() == "no_retries":
        return "none"
    return n if (n := atoi(value)) > 0 else 1


def size_to_bytes(size: str) -> int:
    """src/flb_utils.c flb_utils_size_to_bytes at v3.1.9: atof of the text, then a unit of at most
    two trailing non-digits, K, M or G (upper-cased), optionally followed by B; -1 when unreadable
    (the input or output then refuses to start: "invalid mem_buf_limit", ...)."""
    if size.lower() == "false":
        return 0
    value = atof(size)
    unit = re.search(r"\D*$", size[1:]).group(0).upper() if len(size) > 1 else ""
    if not unit:
        return int(value)
    if len(unit) > 2 or (len(unit) == 2 and unit[1] != "B") or unit[0] not in "KMG":
        return -1
    return int(value * 1000 ** ("KMG".index(unit[0]) + 1))


# What the records of one Fluent Bit process go through between the tail input and the outputs, and
# what of it survives a restart, modelled from fluent/fluent-bit at tag v3.1.9:
# - plugins/filter_rewrite_tag/rewrite_tag.c: emitter_create gives the emitter input the filter's
#   emitter_storage.type (default memory) and emitter_mem_buf_limit (default 10M); process_record
#   calls in_emitter_add_record and counts only -1 as failure, so on -2 the record counts as
#   emitted and, KEEP false, its original is dropped too.
# - plugins/in_emitter/emitter.c: in_emitter_add_record answers FLB_EMITTER_BUSY (-2) while the
#   emitter is paused; otherwise the record waits in an em_chunk in process memory until
#   cb_queue_chunks (every 25 ms) appends it as a chunk of the emitter's stream (and keeps it,
#   answering busy, while paused). Pausing the emitter pauses every input that sent it records
#   (cb_emitter_pause), resuming resumes them.
# - plugins/in_tail/tail.c in_tail_pause stops tail's collectors, but the multiline flush timer is a
#   scheduler timer (src/multiline/flb_ml.c flb_ml_auto_flush_init), so a line the multiline parser
#   held still reaches rewrite_tag while tail is paused.
# - src/flb_input_chunk.c flb_input_chunk_protect: a memory input whose chunks reach its
#   mem_buf_limit is paused; a filesystem input is not (its chunks go down to disk);
#   flb_input_chunk_set_limits resumes it once delivered chunks bring it under the limit.
#   flb_input_chunk_place_new_chunk / find_space_new_data: a filesystem chunk that would take an
#   output past its storage.total_limit_size makes room by dropping that output's oldest chunks.
# - src/flb_engine.c handle_output_event and src/flb_task.c flb_task_retry_create: a flush that
#   fails is retried until its Retry_Limit (default 1) of retries has failed too, then the chunk is
#   dropped for that output; no_retries drops it at the first failure, no_limits never. Retries
#   wait a backoff of 5 s to 2000 s (src/flb_scheduler.c), so here each tick is one try, not a
#   fixed time. The count lives in the task, in memory: a restart starts it again.
# - src/flb_storage.c flb_storage_create: with a storage.path, the chunks of every filesystem
#   stream found there are loaded at start and the storage_backlog input (plugins/in_storage_backlog
#   sb.c sb_segregate_chunks) routes them again by their tag; memory chunks die with the process,
#   and a filesystem input without a storage.path stops Fluent Bit at start
#   (flb_storage_input_create).
# Not modelled: out_s3 takes a chunk into its own store_dir at once (FLB_OK) and uploads later, a
# file that failed MAX_UPLOAD_ERRORS (5) uploads waiting until the next start; here s3 is an output
# like the others.
# A chunk's size here is the record's JSON length (msgpack's is of the same order); one record per
# chunk (Fluent Bit packs records into chunks of up to 2 MB, FLB_INPUT_CHUNK_FS_MAX_SIZE).


def _options(entries: list[tuple[str, str]]) -> dict[str, str]:
    return {k.lower(): v for k, v in entries}


class FluentBit:
    """One Fluent Bit process on a node. `host` is the node's host path: the filesystem chunks
    under storage.path and the tail database's offset, which outlive the process (pass the same
    dict to the next process to model a restart)."""

    def __init__(self, sections: list[Section], host: dict | None = None):
        self.sections = sections
        service = next((_options(e) for n, e in sections if n == "SERVICE"), {})
        (emitter,) = [_options(e) for n, e in sections if n == "FILTER" and _options(e)["name"] == "rewrite_tag"]
        self.emitter_on_disk = emitter.get("emitter_storage.type", "memory").lower() == "filesystem"
        if self.emitter_on_disk and not service.get("storage.path"):
            raise ValueError("filesystem storage without storage.path: Fluent Bit stops at start")
        self.emitter_limit = size_to_bytes(emitter.get("emitter_mem_buf_limit", "10M"))
        self.output_limits = {o["name"]: size_to_bytes(o["storage.total_limit_size"])
                              if o.get("storage.total_limit_size") else None
                              for o in (_options(e) for n, e in sections if n == "OUTPUT")}
        self.output_match = {_options(e)["name"]: _options(e)["match"] for n, e in sections if n == "OUTPUT"}
        self.retries = {_options(e)["name"]: retry_limit(_options(e).get("retry_limit", "1"))
                        for n, e in sections if n == "OUTPUT"}
        self.host = host if host is not None else {"chunks": [], "offset": 0, "used": {}}
        self.memory: list[dict] = []   # the emitter's chunks in memory storage
        self.pending: list[tuple[str, dict]] = []  # em_chunks waiting for cb_queue_chunks
        self.paused = False
        self.down: set[str] = set()    # outputs that cannot deliver
        self.delivered: dict[str, list[dict]] = {name: [] for name in self.output_match}
        self.lost: list[tuple[str, dict]] = []  # (why, record) for records read and never delivered

    def _chunks(self) -> list[dict]:
        return self.host["chunks"] if self.emitter_on_disk else self.memory

    def _emit(self, tag: str, record: dict) -> int:
        if self.paused:
            self.lost.append(("emitter busy", record))
            return -2
        self.pending.append((tag, record))
        return 0

    def _classify(self, tag: str, record: dict) -> None:
        """The filters of a record the tail input read (rewrite_tag emits through `_emit`)."""
        _filters(self.sections, tag, record, self._emit)

    def read(self, lines: list[dict], tag: str = "kube.var.log.containers.x.log") -> int:
        """tail reads from its offset (the database on the host path) unless the emitter paused it;
        returns how many lines it read."""
        if self.paused:
            return 0
        start = self.host["offset"]
        for record in lines[start:]:
            self._classify(tag, record)
        self.host["offset"] = len(lines)
        return len(lines) - start

    def multiline_flush(self, record: dict, tag: str = "kube.var.log.containers.x.log") -> None:
        """A line the multiline parser held, flushed by its timer, paused tail or not."""
        self._classify(tag, record)

    def tick(self) -> None:
        """cb_queue_chunks, then a flush of every output that can deliver, then the limits."""
        if not self.paused:
            for tag, record in self.pending:
                record = _filters(self.sections, tag, record, lambda *_: -1)
                routes = {name for name, match in self.output_match.items() if _matches(match, tag)}
                if record is not None and routes:
                    self._append({"tag": tag, "record": record, "routes": routes,
                                  "size": len(json.dumps(record, sort_keys=True))})
            self.pending = []
            if not self.emitter_on_disk and self._held() >= self.emitter_limit > 0:
                self.paused = True
        kept = []
        for chunk in self._chunks():
            for name in sorted(chunk["routes"]) if len(chunk["routes"]) > 1 else list(chunk["routes"]):
                if name not in self.down:
                    self.delivered[name].append(chunk["record"])
                    self._release(chunk, name)
                    continue
                failed = chunk.setdefault("failed", {})
                failed[name] = failed.get(name, 0) + 1
                limit = self.retries[name]
                if limit == "none" or (limit != "unlimited" and failed[name] > limit):
                    self.lost.append((f"{name} retry limit", chunk["record"]))
                    self._release(chunk, name)
            if chunk["routes"]:
                kept.append(chunk)
        self._chunks()[:] = kept
        if self.paused and self._held() < self.emitter_limit:
            self.paused = False

    def _held(self) -> int:
        return sum(c["size"] for c in self.memory)

    def _release(self, chunk: dict, output: str) -> None:
        chunk["routes"].discard(output)
        if self.emitter_on_disk:
            self.host["used"][output] -= chunk["size"]

    def _append(self, chunk: dict) -> None:
        if self.emitter_on_disk:
            used = self.host.setdefault("used", {})
            for name in sorted(chunk["routes"]):
                limit = self.output_limits[name]
                while limit is not None and used.get(name, 0) + chunk["size"] > limit:
                    oldest = next(c for c in self.host["chunks"] if name in c["routes"])
                    self._release(oldest, name)
                    self.lost.append((f"{name} over storage.total_limit_size", oldest["record"]))
                    if not oldest["routes"]:
                        self.host["chunks"].remove(oldest)
                used[name] = used.get(name, 0) + chunk["size"]
        self._chunks().append(chunk)

    def restart(self) -> "FluentBit":
        """The process ends (its memory with it) and a new one starts on the same host path."""
        self.lost += [("in memory at restart", c["record"]) for c in self.memory]
        self.lost += [("pending at restart", record) for _, record in self.pending]
        successor = FluentBit(self.sections, self.host)
        successor.down = set(self.down)
        successor.lost = list(self.lost)
        successor.delivered = {name: list(records) for name, records in self.delivered.items()}
        self.host["used"] = dict.fromkeys(successor.output_match, 0)
        for chunk in self.host["chunks"]:  # storage_backlog: routed again by the chunk's tag
            chunk["routes"] = {name for name, match in successor.output_match.items() if _matches(match, chunk["tag"])}
            chunk["failed"] = {}
            for name in chunk["routes"]:
                self.host["used"][name] += chunk["size"]
        return successor


# How the tail input reads one container log file, modelled from fluent/fluent-bit at tag v3.1.9
# (commit 431fa79a), plugins/in_tail:
# - tail.c config_map: buffer_chunk_size and buffer_max_size default to FLB_TAIL_CHUNK (32768,
#   tail.h), skip_long_lines to false, refresh_interval to 60 (seconds), read_from_head to false.
# - tail_file.c flb_tail_file_chunk: a file's buffer starts at buffer_chunk_size bytes; a read takes
#   at most the free room minus one byte (the terminating NUL). When no room is left the buffer
#   grows by buffer_chunk_size up to buffer_max_size; once it is buffer_max_size and full (a line
#   longer than buffer_max_size - 2 bytes), with skip_long_lines the buffer is emptied and
#   skip_next set, and without it the call fails ("requires a larger buffer size, lines are too
#   long. Skipping file.", FLB_TAIL_ERROR), on which the collectors remove the file
#   (tail.c in_tail_collect_static / in_tail_collect_event: flb_tail_file_remove).
# - tail_file.c process_content: each complete line (up to '\n') in the buffer is a record; with
#   skip_next the bytes up to the next '\n' are dropped instead, and a buffer without any '\n' is
#   dropped whole; the rest of a line stays in the buffer for the next read.
# - tail_db.c flb_tail_db_file_offset, called after each read: the database keeps file->offset, the
#   bytes read so far, a partly read line included.
# - tail_scan_glob.c tail_scan_path, every refresh_interval: a file of the path that is not
#   monitored is appended again (flb_tail_file_append), at its database offset
#   (set_file_position), or without one at its end (read_from_head false), with a new buffer.
# - src/multiline/flb_ml_parser_cri.c: the cri parser's regex
#   `^(?<time>.+?) (?<stream>stdout|stderr) (?<_p>F|P) (?<log>.*)$`; an F line is a whole record
#   (P lines, which it joins, are not modelled).
TAIL_CHUNK = 32768
CRI = re.compile(r"^(?P<time>.+?) (?P<stream>stdout|stderr) (?P<_p>F|P) (?P<log>.*)$", flags=re.DOTALL)


def cri_record(line: bytes) -> dict | None:
    """The record the cri multiline parser makes of a whole (F) line, or None when it does not match."""
    m = CRI.match(line.decode())
    if m is None:
        return None
    assert m["_p"] == "F", "partial lines are not modelled"
    return m.groupdict()


class TailFile:
    """One file of the tail input whose section is `entries`. `read(content)` is the collector
    reading the file, whose bytes so far are `content`, to its end (or to an error); `refresh`
    is the scan timer; both return the lines read, without their '\\n'."""

    def __init__(self, entries: list[tuple[str, str]]):
        opts = _options(entries)
        assert opts["name"] == "tail"
        self.chunk = size_to_bytes(opts.get("buffer_chunk_size", str(TAIL_CHUNK)))
        self.max = size_to_bytes(opts.get("buffer_max_size", str(TAIL_CHUNK)))
        self.skip_long_lines = _bool(opts.get("skip_long_lines", "false"))
        self.refresh_interval = atoi(opts.get("refresh_interval", "60"))
        self.db = bool(opts.get("db"))
        self.offset = 0            # file->offset, and the database's copy of it
        self.monitored = True
        self.removed = 0           # how often the file was dropped
        self._new_buffer()

    def _new_buffer(self) -> None:
        self.size, self.buf, self.skip_next = self.chunk, b"", False

    def read(self, content: bytes) -> list[bytes]:
        lines: list[bytes] = []
        while self.monitored:
            if self.size - len(self.buf) - 1 < 1:
                if self.size >= self.max:
                    if not self.skip_long_lines:
                        self.monitored, self.removed = False, self.removed + 1   # FLB_TAIL_ERROR
                        break
                    self.buf, self.skip_next = b"", True
                else:
                    self.size = min(self.size + self.chunk, self.max)
            data = content[self.offset:self.offset + self.size - len(self.buf) - 1]
            if not data:
                break                                                  # end of file: wait
            self.offset += len(data)
            self.buf += data
            while b"\n" in self.buf:
                line, self.buf = self.buf.split(b"\n", 1)
                if self.skip_next:
                    self.skip_next = False
                    continue
                lines.append(line)
            if self.skip_next:
                self.buf = b""
        return lines

    def refresh(self, content: bytes) -> list[bytes]:
        if not self.monitored:
            self.monitored = True
            self._new_buffer()
            if not self.db:
                self.offset = len(content)
        return self.read(content)
