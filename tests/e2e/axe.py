"""axe-core in the browser tests: the critical and serious findings on the open page, at
a phone's and a desktop's width (WCAG 2.1 AA). axe-core comes inside the
axe-playwright-python package: nothing is downloaded."""

from axe_playwright_python.base import AXE_SCRIPT

WIDTHS = {"phone": 375, "desktop": 1280}
BLOCKING = ("critical", "serious")


def _blocking_violations(page) -> list[dict]:
    # the ~600 KB script once per page, not once per run (Axe.run injects it each time)
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in BLOCKING]


def _describe(where: str, violation: dict) -> str:
    lines = [f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}"]
    for node in violation["nodes"][:5]:
        lines.append(f"    {' '.join(map(str, node['target']))}")
        lines.append(f"      {node['failureSummary'].replace(chr(10), ' / ')}")
    if len(violation["nodes"]) > 5:
        lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def serious_problems(page, url: str) -> list[str]:
    """axe-core's critical and serious findings on the open page at each width, readably;
    on the phone with the menu open, so its links are checked too."""
    found = []
    for name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        if name == "phone":
            # opened as Bootstrap leaves it, without waiting for its animation (clicking
            # the button is tested in test_security.py)
            page.evaluate("() => document.getElementById('wy-nav')?.classList.add('show')")
        found += [_describe(f"{name} {url}", v) for v in _blocking_violations(page)]
    return found
