"""A real browser for tests: Debian's chromium driven by Playwright, and axe-core in the page.

Playwright's own browser download cannot be reached here, so it drives the system
chromium (``MEDBRIEF_CHROMIUM`` overrides the path).  axe-core comes bundled in the
``axe-playwright-python`` package (the ``test`` extra).  Without chromium or Playwright the
tests skip, and fail when ``MEDBRIEF_REQUIRE_TOOLS=1`` (as in CI).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from importlib import resources

import pytest

from medbrief import environment
from tools import tool

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _required(module: str):
    try:
        return __import__(module, fromlist=["_"])
    except ImportError:
        if environment.tools_required():
            pytest.fail(f"{module} is required (MEDBRIEF_REQUIRE_TOOLS=1) but is not installed")
        pytest.skip(f"{module} is not installed (pip install -e '.[test]')")


@contextlib.contextmanager
def chromium() -> Iterator[object]:
    """A headless chromium Browser (Playwright sync API)."""
    path = os.environ.get("MEDBRIEF_CHROMIUM") or tool("chromium")
    sync_api = _required("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def axe_source() -> str:
    _required("axe_playwright_python")
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text("utf-8")


def axe_violations(page, source: str) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations in ``page`` (injected by the test only)."""
    page.add_script_tag(content=source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return result["violations"]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if n["target"] else "?" for n in v["nodes"][:3])
        for v in violations
    )
