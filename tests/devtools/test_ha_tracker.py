"""The HA tracker model's own codecs and election, on hand-built requests."""
from __future__ import annotations

from devtools import ha_tracker as ha


def _field(number: int, payload: bytes) -> bytes:
    return ha._put_varint(number << 3 | 2) + ha._put_varint(len(payload)) + payload


def series(labels: dict[str, str], value_bytes: bytes = b"\x09" + b"\x00" * 8 + b"\x10\x01") -> bytes:
    body = b"".join(_field(1, _field(1, k.encode()) + _field(2, v.encode())) for k, v in sorted(labels.items()))
    return _field(1, body + _field(2, value_bytes))


def test_snappy_round_trip_and_a_copy_that_overlaps():
    data = bytes(range(256)) * 300
    assert ha.snappy_decode(ha.snappy_encode(data)) == data
    # "abcabcabca": literal "abc", then a 1-byte-offset copy of length 7 at offset 3 (overlapping).
    encoded = bytes([10, 2 << 2]) + b"abc" + bytes([((7 - 4) << 2) | 1, 3])
    assert ha.snappy_decode(encoded) == b"abcabcabca"


def test_the_replica_label_is_stripped_and_the_others_kept_in_order():
    request = series({"__name__": "up", "__replica__": "a-0", "cluster": "eks-a", "job": "x"}) + series(
        {"__name__": "up", "__replica__": "a-0", "cluster": "eks-a", "job": "y"})
    assert ha.first_series_labels(request) == {"__name__": "up", "__replica__": "a-0", "cluster": "eks-a", "job": "x"}
    stripped = ha.strip_replica(request)
    got = [ha.labels(ha._payload(raw)) for n, _, raw in ha.fields(stripped) if n == 1]
    assert got == [{"__name__": "up", "cluster": "eks-a", "job": "x"}, {"__name__": "up", "cluster": "eks-a", "job": "y"}]
    assert len(stripped) < len(request)


def test_one_leader_per_cluster_and_failover_only_after_the_timeout():
    t = ha.Tracker("http://127.0.0.1:1/", failover_timeout_s=10)
    assert t.elect("eks-a", "a-0", 0) and t.elect("eks-b", "b-1", 0)
    assert not t.elect("eks-a", "a-1", 5)          # the other replica of the same cluster: dropped
    assert t.elect("eks-a", "a-0", 9)              # the leader keeps sending
    assert not t.elect("eks-a", "a-1", 19)         # 10 s after the leader's last: not yet
    assert t.elect("eks-a", "a-1", 19.5)           # more than 10 s: the survivor takes over
    assert not t.elect("eks-a", "a-0", 20)         # and the old leader, back, is now the one dropped
    assert t.failovers == [("eks-a", "a-0", "a-1")]


def test_throttle_answers_429_without_reading():
    assert ha.Tracker("http://127.0.0.1:1/", mode="throttle").handle(b"")[0] == 429
