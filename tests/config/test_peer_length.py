"""A peer setting's length limit at its edge (config/peers.parse_peer): 512 characters are read, 513
are refused, with text that is otherwise a valid peer (label keys and values within Kubernetes'
63-character name limit, k8s.io/apimachinery validation.IsQualifiedName and IsValidLabelValue)."""
from __future__ import annotations

from config.peers import Peer, parse_peer


def _peer(length: int) -> str:
    """`a:` and labels `<key>=<value>` joined by ';', the last key cut to reach the length."""
    labels = [f"k{i}{'x' * 61}={'v' * 63}" for i in range(3)]  # 127 characters each
    head = "a:" + ";".join(labels) + ";"
    key_len = length - len(head) - 1 - 63
    assert 1 <= key_len <= 63
    return head + "z" * key_len + "=" + "v" * 63


def test_a_peer_of_512_characters_is_read_and_of_513_refused():
    at, over = _peer(512), _peer(513)
    assert (len(at), len(over)) == (512, 513)
    read = parse_peer(at)
    assert isinstance(read, Peer) and read.namespace == "a" and len(read.labels) == 4
    assert parse_peer(over) is None
    assert isinstance(parse_peer(_peer(511)), Peer)
