"""Helpers of the browser tests: accessibility checks with axe-core and screenshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # no Playwright: conftest skips every browser test with the reason
    expect = None  # type: ignore[assignment]  # conftest skips before use

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "artifacts" / "screenshots"
AXE_REPORTS = REPO / "artifacts" / "accessibility"
# WCAG 2.2 AA, as axe-core tags its rules: every level-A and level-AA rule up to 2.2.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}

AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                              summary: n.failureSummary})),
  }));
}"""


def notice(page: Any) -> Any:
    """The banner that tells the user what just happened, not the urgent-concern banner a lead's
    page also carries while its case or inspection has a concern needing a lead."""
    return page.locator(".govuk-notification-banner:not(.app-urgent-banner)")


def axe_violations(page: Any, name: str) -> list[dict[str, Any]]:
    """Run axe-core on the page; save every violation to artifacts/accessibility/NAME.json."""
    if not AXE.exists():
        pytest.skip(f"axe-core not installed at {AXE}: run `npm ci` (make install)")
    page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = page.evaluate(AXE_RUN, WCAG_TAGS)
    AXE_REPORTS.mkdir(parents=True, exist_ok=True)
    report = {"url": page.url, "tags": WCAG_TAGS, "violations": violations}
    (AXE_REPORTS / f"{name}.json").write_text(json.dumps(report, indent=2))
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and element: rule, impact, what to fix, where."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} "
                f"at `{node['target']}`: {node['html']}"
            )
    return "\n".join(lines)


def assert_accessible(page: Any, name: str) -> None:
    """No serious or critical axe-core violation of WCAG 2.2 AA on the page as it is now."""
    blocking = [v for v in axe_violations(page, name) if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"{name} ({page.url}) fails WCAG 2.2 AA:\n{describe(blocking)}"


def save_screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as artifacts/screenshots/NAME.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    # Long pages on a busy machine can take longer than an action's 10 seconds to capture whole.
    page.screenshot(path=str(path), full_page=True, timeout=30_000)
    return path
