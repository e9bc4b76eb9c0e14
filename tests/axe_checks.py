"""axe-core (from npm, tests/node_modules) run inside a Playwright page: the WCAG 2.2 AA rules the
browser tests hold every page to. The tab needs ``bypass_csp=True`` so the script can be injected."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_script() -> Path:
    """axe.min.js; fails (under VOCAPP_REQUIRE_BROWSER, as in CI) or skips the test when it is missing."""
    if not AXE.exists():
        message = f"{AXE} missing: run `npm ci --prefix tests`"
        if os.environ.get("VOCAPP_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE


def serious_violations(page) -> list:
    """axe's serious and critical findings on the page's current document: (rule, impact, first targets)."""
    # a click that submits a form returns once the next document has begun to load, before it has a <head>:
    # wait for it, or the script tag has nowhere to go
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(axe_script()))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
            if v["impact"] in ("serious", "critical")]
