"""The prod plan as the engine hands it to the policy pack, on a first preview and on an update."""
from __future__ import annotations

import pytest

from harness.runtime import Registration
from tests.policy import engine


@pytest.fixture(scope="session")
def plans() -> dict[str, list[Registration]]:
    return {"first preview": engine.plan("prod", first_preview=True).resources,
            "update": engine.plan("prod", first_preview=False).resources}
