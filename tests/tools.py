"""The tests' one "tool or skip" helper: asks medbrief.environment, the one place that knows
what this machine has.  Without the tool a test is skipped, saying what to install; with
MEDBRIEF_REQUIRE_TOOLS=1 (CI) it fails instead."""

from __future__ import annotations

import pytest

from medbrief import environment


def tool(name: str) -> str:
    """Path of an external program; skip (or, when tools are required, fail) without it."""
    found = environment.find_tool(name)
    if found:
        return found
    why = environment.tool_missing(name)
    if environment.tools_required():
        pytest.fail(f"{why} (required: MEDBRIEF_REQUIRE_TOOLS=1)")
    pytest.skip(why)
