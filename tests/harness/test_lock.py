"""The install is locked: every package the venv, CI, the policy pack and the mutation tool install
is pinned with its hashes, compiled from the short lists (`*.in`) by scripts/lock, one version each.

pip's hash-checking mode (pip docs, "Secure installs": with --require-hashes, or as soon as one
requirement carries a hash) refuses any requirement that is not pinned with `==` and hashed, so an
unpinned or unhashed line would fail the install itself; these tests say which file and line."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

LOCKS = ["requirements.txt", "requirements-mutation.txt", "policy/requirements.txt",
         "requirements-bootstrap.txt"]
SOURCES = {"requirements.txt": "requirements.in", "requirements-mutation.txt": "requirements-mutation.in",
           "policy/requirements.txt": "policy/requirements.in",
           "requirements-bootstrap.txt": "requirements-bootstrap.in"}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503 normalised name


def lock_entries(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes), from a pip requirements file with backslash continuations."""
    text = re.sub(r"\\\n", " ", path.read_text())
    entries = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(\[[^\]]*\])?==(\S+)(\s*;[^-]*)?((?:\s+--hash=sha256:[0-9a-f]{64})+)", line)
        assert match, f"{path.name}: not pinned with == and hashes: {line[:80]}"
        entries[norm(match[1])] = (match[3], re.findall(r"sha256:([0-9a-f]{64})", match[5]))
    return entries


def source_pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", line).group(1, 2)
            pins[norm(name)] = version
    return pins


def test_the_lock_parser_refuses_an_unpinned_or_unhashed_line(tmp_path):
    """Near misses: a range, and a pin without its hash, are not lock lines."""
    for text in ["pyyaml>=6\n", "pyyaml==6.0.3\n", "pyyaml==6.0.3 --hash=sha256:abc\n"]:
        (tmp_path / "r.txt").write_text(text)
        with pytest.raises(AssertionError, match="not pinned"):
            lock_entries(tmp_path / "r.txt")
    (tmp_path / "r.txt").write_text("pyyaml==6.0.3 \\\n    --hash=sha256:" + "a" * 64 + "\n    # via x\n")
    assert lock_entries(tmp_path / "r.txt") == {"pyyaml": ("6.0.3", ["a" * 64])}


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_package_is_pinned_with_at_least_one_hash(lock):
    entries = lock_entries(ROOT / lock)
    assert entries and all(hashes for _, hashes in entries.values()), lock


@pytest.mark.parametrize("lock", LOCKS)
def test_each_lock_holds_its_short_list_at_the_same_versions(lock):
    entries = lock_entries(ROOT / lock)
    pins = source_pins(ROOT / SOURCES[lock])
    assert pins and {name: entries[name][0] for name in pins} == pins


def test_the_main_lock_holds_the_transitive_packages_too():
    """The short list names 16 packages; the lock pins everything they pull in (grpcio, protobuf...)."""
    entries = lock_entries(ROOT / "requirements.txt")
    assert {"grpcio", "protobuf", "cryptography", "opentelemetry-api", "urllib3"} <= set(entries)
    assert len(entries) > len(source_pins(ROOT / "requirements.in")) + 30


@pytest.mark.parametrize("lock", ["requirements-mutation.txt", "policy/requirements.txt"])
def test_a_package_has_one_version_across_the_locks(lock):
    main = lock_entries(ROOT / "requirements.txt")
    other = lock_entries(ROOT / lock)
    shared = set(main) & set(other)
    assert shared and {n: other[n][0] for n in shared} == {n: main[n][0] for n in shared}


def test_every_install_of_the_lock_requires_hashes():
    """scripts/venv.sh (which .ci/run reaches through scripts/test), scripts/mutation and the
    workflow's pip installs all pass --require-hashes, and the venv installs only from the locks."""
    venv = (ROOT / "scripts" / "venv.sh").read_text()
    assert "pip sync --quiet --require-hashes" in venv and "--require-hashes \\\n      -r requirements.txt" in venv
    assert "--require-hashes --no-deps" in venv and "-r requirements-bootstrap.txt" in venv
    assert "--require-hashes -r requirements-mutation.txt" in (ROOT / "scripts" / "mutation").read_text()
    installs = [line for line in (ROOT / ".github" / "workflows" / "ci.yml").read_text().splitlines()
                if "pip install" in line]
    assert installs and all(part.count("--require-hashes") == 1
                            for line in installs for part in line.split("&&")), installs
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()
