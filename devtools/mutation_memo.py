"""Program runs computed once per mutation run, for areas whose code the program never imports.

The mutation benchmark's fork server imports this module only when the program (__main__.py and
everything it imports) cannot reach a mutated module. A run is then a function of its arguments,
so each distinct run is kept on disk (KM_MUTATION_MEMO) and shared by every mutant's worker,
instead of being computed again for each mutant. It is never imported outside the benchmark.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any

from harness import runtime

_RUN = runtime.run
MEMO = Path(os.environ["KM_MUTATION_MEMO"])


def run(stack: str, config: dict[str, Any], secret_keys: set[str] | None = None,
        placeholder_secrets: bool = False) -> runtime.Run:
    key = json.dumps([stack, config, sorted(secret_keys or ()), placeholder_secrets], sort_keys=True, default=repr)
    path = MEMO / hashlib.sha256(key.encode()).hexdigest()
    if path.exists():
        return pickle.loads(path.read_bytes())
    result = _RUN(stack, config, secret_keys, placeholder_secrets)
    partial = path.with_suffix(f".{os.getpid()}")
    partial.write_bytes(pickle.dumps(result))
    partial.replace(path)  # atomic: a worker reads a whole run or none
    return result


MEMO.mkdir(parents=True, exist_ok=True)
runtime.run = run
