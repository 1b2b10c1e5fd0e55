"""A model of the global store's HA deduplication, in front of a real Prometheus remote-write receiver.

What it models (Grafana Mimir docs, "Configure Grafana Mimir high-availability deduplication": one
leader replica per `cluster`, samples of the other replicas dropped, a new leader after the leader
sent nothing for the failover timeout, 30 s by default; AWS AMP User Guide, "Deduplicating high
availability metrics": the same election on `cluster` and `__replica__`, "it strips the replica label
when the sample is accepted", the cluster label is kept). As in Mimir's distributor, the request's
first series decides, and a dropped request is answered 202 (accepted, not stored), so that the
sender does not retry it. A request without both labels passes unchanged.

Modes: `track` (the model), `passthrough` (no deduplication: a negative control), `throttle`
(every request answered 429, as AMP does on its rate and active-series quotas).

The wire format (Prometheus remote write 1.0 spec): a snappy block-compressed protobuf WriteRequest
(timeseries = 1; TimeSeries labels = 1, Label name = 1, value = 2). Decoded and re-encoded here by
hand: snappy's block format (google/snappy format_description.txt) and protobuf's wire format.
"""
from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REPLICA, CLUSTER = "__replica__", "cluster"


def _varint(data: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            return value, i


def _put_varint(n: int) -> bytes:
    out = bytearray()
    while True:
        if n < 0x80:
            out.append(n)
            return bytes(out)
        out.append((n & 0x7F) | 0x80)
        n >>= 7


def snappy_decode(data: bytes) -> bytes:
    length, i = _varint(data, 0)
    out = bytearray()
    while i < len(data):
        tag = data[i]
        i += 1
        kind = tag & 3
        if kind == 0:  # literal
            n = tag >> 2
            if n >= 60:
                extra = n - 59
                n = int.from_bytes(data[i:i + extra], "little")
                i += extra
            n += 1
            out += data[i:i + n]
            i += n
            continue
        if kind == 1:
            n, offset = ((tag >> 2) & 7) + 4, ((tag >> 5) << 8) | data[i]
            i += 1
        else:
            width = 2 if kind == 2 else 4
            n, offset = (tag >> 2) + 1, int.from_bytes(data[i:i + width], "little")
            i += width
        for _ in range(n):  # copies may overlap what they write
            out.append(out[-offset])
    if len(out) != length:
        raise ValueError("snappy: length mismatch")
    return bytes(out)


def snappy_encode(data: bytes) -> bytes:
    """Literals only: valid snappy, uncompressed."""
    out = bytearray(_put_varint(len(data)))
    for start in range(0, len(data), 65536):
        chunk = data[start:start + 65536]
        n = len(chunk) - 1
        out += bytes([n << 2]) if n < 60 else bytes([60 << 2, n]) if n < 256 else bytes([61 << 2]) + n.to_bytes(2, "little")
        out += chunk
    return bytes(out)


def fields(data: bytes) -> list[tuple[int, int, bytes]]:
    """(field number, wire type, raw field bytes including its key)."""
    out, i = [], 0
    while i < len(data):
        start = i
        key, i = _varint(data, i)
        wire = key & 7
        if wire == 0:
            _, i = _varint(data, i)
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        elif wire == 2:
            n, i = _varint(data, i)
            i += n
        else:
            raise ValueError(f"wire type {wire}")
        out.append((key >> 3, wire, data[start:i]))
    return out


def _payload(raw: bytes) -> bytes:
    _, i = _varint(raw, 0)
    _, i = _varint(raw, i)
    return raw[i:]


def labels(series: bytes) -> dict[str, str]:
    found = {}
    for number, _, raw in fields(series):
        if number == 1:
            pair = {n: _payload(r).decode() for n, _, r in fields(_payload(raw))}
            found[pair.get(1, "")] = pair.get(2, "")
    return found


def without_replica(series: bytes) -> bytes:
    """The series with its `__replica__` label left out (the other labels stay in their order)."""
    out = bytearray()
    for number, _, raw in fields(series):
        if number == 1 and {n: _payload(r).decode() for n, _, r in fields(_payload(raw))}.get(1) == REPLICA:
            continue
        out += raw
    return bytes(out)


def strip_replica(request: bytes) -> bytes:
    out = bytearray()
    for number, _, raw in fields(request):
        if number == 1:
            series = without_replica(_payload(raw))
            out += b"\x0a" + _put_varint(len(series)) + series
        else:
            out += raw
    return bytes(out)


def first_series_labels(request: bytes) -> dict[str, str]:
    for number, _, raw in fields(request):
        if number == 1:
            return labels(_payload(raw))
    return {}


class Tracker:
    def __init__(self, receiver_url: str, mode: str = "track", failover_timeout_s: float = 30.0):
        self.receiver_url, self.mode, self.timeout = receiver_url, mode, failover_timeout_s
        self.leaders: dict[str, tuple[str, float]] = {}
        self.lock = threading.Lock()
        self.accepted: dict[str, int] = {}   # replica -> requests forwarded
        self.dropped: dict[str, int] = {}    # replica -> requests answered 202 and dropped
        self.failovers: list[tuple[str, str, str]] = []  # (cluster, old leader, new leader)

    def elect(self, cluster: str, replica: str, now: float) -> bool:
        """Whether this replica's request is stored."""
        with self.lock:
            leader, seen = self.leaders.get(cluster, (None, 0.0))
            if leader is None or leader == replica or now - seen > self.timeout:
                if leader not in (None, replica):
                    self.failovers.append((cluster, leader, replica))
                self.leaders[cluster] = (replica, now)
                self.accepted[replica] = self.accepted.get(replica, 0) + 1
                return True
            self.dropped[replica] = self.dropped.get(replica, 0) + 1
            return False

    def handle(self, body: bytes) -> tuple[int, bytes]:
        if self.mode == "throttle":
            return 429, b"rate limit exceeded"
        request = snappy_decode(body)
        if self.mode == "track":
            first = first_series_labels(request)
            if CLUSTER in first and REPLICA in first:
                if not self.elect(first[CLUSTER], first[REPLICA], time.monotonic()):
                    return 202, b""
                request = strip_replica(request)
        forward = urllib.request.Request(self.receiver_url, data=snappy_encode(request), method="POST", headers={
            "Content-Encoding": "snappy", "Content-Type": "application/x-protobuf",
            "X-Prometheus-Remote-Write-Version": "0.1.0"})
        try:
            with urllib.request.urlopen(forward, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()
        except OSError as err:  # the receiver is not up (yet, or any more): a recoverable 503
            return 503, str(err).encode()

    def serve(self, host: str = "127.0.0.1") -> ThreadingHTTPServer:
        tracker = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                status, text = tracker.handle(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(status)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def log_message(self, *args):
                pass

        server = ThreadingHTTPServer((host, 0), Handler)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
        return server
