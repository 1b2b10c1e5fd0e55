"""Properties of the plan diff on random nested inputs (seeded, bounded): no change reports no path,
any change reports one, and every reported path leads to a value that really differs.

A key whose value is None counts as absent, as it does for the engine: the SDK drops properties that
serialise to None (pulumi/runtime/rpc.py serialize_properties)."""
from __future__ import annotations

import copy
import random

import pytest

from harness import plan

SEEDS = range(200)
_MISSING = object()


def tree(rng: random.Random, depth: int = 0):
    kind = rng.choice(["leaf", "leaf", "dict", "list"] if depth < 3 else ["leaf"])
    if kind == "dict":
        return {rng.choice("abcdef"): tree(rng, depth + 1) for _ in range(rng.randint(0, 4))}
    if kind == "list":
        return [tree(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return rng.choice([0, 1, 2.5, "x", "y", True, None])


def mutate(rng: random.Random, value):
    """One random edit somewhere: change a leaf, add or remove a key or list entry, or swap two entries."""
    if isinstance(value, dict) and value and rng.random() < 0.7:
        key = rng.choice(sorted(value))
        value[key] = mutate(rng, value[key])
        return value
    if isinstance(value, list) and value and rng.random() < 0.6:
        i = rng.randrange(len(value))
        value[i] = mutate(rng, value[i])
        return value
    if isinstance(value, dict):
        choice = rng.choice(["add", "remove"] if value else ["add"])
        if choice == "add":
            value["new-" + str(rng.randint(0, 9))] = "added"
        else:
            del value[rng.choice(sorted(value))]
        return value
    if isinstance(value, list):
        choice = rng.choice(["append", "pop", "swap"] if len(value) > 1 else ["append"])
        if choice == "append":
            value.append("appended")
        elif choice == "pop":
            value.pop(rng.randrange(len(value)))
        else:
            value.reverse() if value[0] != value[-1] else value.append("appended")
        return value
    return ["changed", value] if value != "changed" else "other"


def engine_view(value):
    if isinstance(value, dict):
        return {k: engine_view(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [engine_view(v) for v in value]
    return value


def resolve(value, path: str):
    if path == "(root)":
        return value
    for part in path.replace("[", ".[").split("."):
        if part.startswith("["):
            i = int(part[1:-1])
            value = value[i] if isinstance(value, list) and i < len(value) else _MISSING
        elif part:
            value = value.get(part, _MISSING) if isinstance(value, dict) else _MISSING
    return value


@pytest.mark.parametrize("seed", SEEDS)
def test_changed_paths_find_every_change_and_only_changes(seed):
    rng = random.Random(seed)
    old = tree(rng)
    assert plan._changed_paths(old, copy.deepcopy(old)) == []
    new = mutate(rng, copy.deepcopy(old))
    paths = plan._changed_paths(old, new)
    assert bool(paths) == (engine_view(old) != engine_view(new)), (old, new)
    for path in paths:
        a, b = resolve(old, path), resolve(new, path)
        if path.endswith("]"):  # a list entry: present on one side only, or different
            assert _MISSING in (a, b) or engine_view(a) != engine_view(b), (path, old, new)
        else:                   # a key: absent and None are the same to the engine
            a, b = (None if v is _MISSING else engine_view(v) for v in (a, b))
            assert a != b, (path, old, new)


def test_a_list_growing_or_shrinking_names_the_extra_entries():
    assert plan._changed_paths({"a": [1, 2]}, {"a": [1, 2, 3, 4]}) == ["a[2]", "a[3]"]
    assert plan._changed_paths({"a": [1, 2, 3]}, {"a": [1]}) == ["a[1]", "a[2]"]
    assert plan._changed_paths({"a": [1, 2]}, {"a": [2, 1]}) == ["a[0]", "a[1]"]
