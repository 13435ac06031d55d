"""`check_accessibility(page, name)`: axe-core on the page as it is, failing on any
serious or critical WCAG 2.2 AA violation.

axe is evaluated into the page over the DevTools protocol (`page.evaluate`), which the
app's Content-Security-Policy does not govern; `page.add_script_tag` (path or content)
adds an inline <script> that the CSP rightly blocks. So the page keeps its real CSP
while it is checked."""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
AXE_JS = ROOT / "build" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}


def missing(reason: str):
    """A browser prerequisite is missing: fail in CI (the `CI` variable is set), skip elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this fails rather than skips)", pytrace=False)
    pytest.skip(reason)


@lru_cache(maxsize=1)
def axe_source() -> str:
    if not AXE_JS.is_file():
        missing(f"No axe-core at {AXE_JS.relative_to(ROOT)}: run `make axe`")
    return AXE_JS.read_text(encoding="utf-8")


def inject_axe(page) -> None:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source() + "\n;undefined")


def run_axe(page) -> list[dict]:
    """Every WCAG 2.0-2.2 A/AA violation axe finds on the page (all impacts)."""
    inject_axe(page)
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
             .then(r => r.violations.map(v => ({
               id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
               nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html,
                                         summary: n.failureSummary}))})))""",
        TAGS)


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"  [{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for n in v["nodes"]:
            lines.append(f"      at {n['target']}: {n['html'][:160]}")
            if n.get("summary"):
                lines.extend(f"        {s}" for s in n["summary"].splitlines())
    return "\n".join(lines)


# One known, deliberate exception. GOV.UK Frontend's JS puts aria-expanded on a radio or
# checkbox that conditionally reveals a question; ARIA 1.2 does not list it for those
# roles, so axe reports aria-allowed-attr (critical). The Design System keeps it on
# purpose because screen readers announce it (alphagov/govuk-frontend#979, a documented
# known issue, #1280). Only that node is excused: any other attribute, or aria-expanded
# anywhere else, still fails.
GOVUK_REVEAL = re.compile(r'^<input class="govuk-(radios|checkboxes)__input"[^>]* aria-controls="conditional-')
ONLY_EXPANDED = re.compile(r'^Fix (all|any) of the following:\n\s*ARIA attribute is not allowed: aria-expanded="(true|false)"$')


def _excused(violation: dict, node: dict) -> bool:
    return (violation["id"] == "aria-allowed-attr" and bool(GOVUK_REVEAL.match(node["html"]))
            and bool(ONLY_EXPANDED.match((node.get("summary") or "").strip())))


def without_known_exceptions(violations: list[dict]) -> list[dict]:
    kept = []
    for v in violations:
        nodes = [n for n in v["nodes"] if not _excused(v, n)]
        if nodes:
            kept.append({**v, "nodes": nodes})
    return kept


def check_accessibility(page, name: str) -> list[dict]:
    """Fail when `page` scrolls sideways at 320px (`assert_reflows`), or on serious or critical
    violations on it (named `name` in the message), bar the one known exception above; return every violation found, the lesser ones and
    the excused included, for whoever wants them."""
    # A click that follows a link returns before the next page has loaded; measuring then
    # can find a document with no root element yet (a flaky failure seen in CI).
    page.wait_for_load_state("load")
    assert_reflows(page, name)
    violations = run_axe(page)
    blocking = [v for v in without_known_exceptions(violations) if v["impact"] in BLOCKING]
    assert not blocking, f"axe: {name} ({page.url}) has serious or critical violations:\n{describe(blocking)}"
    return violations


# Reflow (WCAG 2.2 1.4.10): content readable at 320 CSS pixels wide without scrolling sideways.
REFLOW_WIDTH = 320
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5
               && !e.closest('.hearth-table-scroll, .govuk-visually-hidden, .govuk-skip-link'))
  .slice(-3).map(e => `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}.${[...e.classList].join('.')}`
                      + ` (right edge ${Math.round(e.getBoundingClientRect().right)}px): ${(e.textContent || '').trim().slice(0, 60)}`)"""


def assert_reflows(page, name: str) -> None:
    """Fail when the page, as it stands in a viewport `REFLOW_WIDTH` pixels wide, scrolls
    sideways; the message names the elements that stick out. The viewport is put back after."""
    size = page.viewport_size
    if size["width"] != REFLOW_WIDTH:
        page.set_viewport_size({"width": REFLOW_WIDTH, "height": size["height"]})
    try:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= REFLOW_WIDTH, (f"reflow: {name} ({page.url}) is {width}px wide at {REFLOW_WIDTH}px: "
                                       + "; ".join(page.evaluate(WIDEST)))
    finally:
        if size["width"] != REFLOW_WIDTH:
            page.set_viewport_size(size)
