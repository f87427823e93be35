"""Headless Chromium (Debian's /usr/bin/chromium, driven through playwright's bundled driver: no
browser is downloaded) and the moves a person makes on the dbt docs site: open a model from the
sidebar, read its description and columns, open the lineage graph."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

CHROMIUM = os.environ.get("PM_CHROMIUM", "/usr/bin/chromium")
# No network beyond the page, no background services, no first-run dialogs; a fresh profile each
# launch (playwright passes --user-data-dir for the persistent context below).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]


@contextmanager
def browser_page(width: int = 1400, height: int = 900, scale: float = 1) -> Iterator:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} not found: apt-get install chromium (or set PM_CHROMIUM)")
    with tempfile.TemporaryDirectory(prefix="pm-chromium-") as profile, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": width, "height": height}, device_scale_factor=scale)
        try:
            page = context.new_page()
            page.set_default_timeout(30_000)
            yield page
        finally:
            context.close()


def _tree_item(page, label: str):
    """The visible sidebar entry showing `label` (folder names are split in spans for ellipsis)."""
    entries = page.locator(".app-menu a[ng-click='onFolderClick(item)'], .app-menu a[ng-click='activate(item)']")
    entries = entries.filter(visible=True)
    texts = entries.evaluate_all("els => els.map(e => e.getAttribute('title') || e.textContent.replace(/\\s+/g, ''))")
    matches = [i for i, text in enumerate(texts) if text == label]
    if not matches:
        raise LookupError(f"no visible sidebar entry {label!r} among {texts}")
    return entries.nth(matches[0])


def open_from_sidebar(page, tab: str, path: Sequence[str]) -> None:
    """Click through the sidebar: the `Project` or `Database` tab, then each folder of `path`
    (unless already open), then its last entry."""
    page.locator(".app-menu .switch-label", has_text=tab).click()
    for i, label in enumerate(path):
        last = i == len(path) - 1
        if not last:
            try:
                _tree_item(page, path[i + 1])
                continue  # the folder is already open
            except LookupError:
                pass
        _tree_item(page, label).click()
    page.wait_for_selector("h1 >> text=" + path[-1])


def section_text(page, title: str) -> str:
    """The text of a section of a model page (Description, Columns, ...)."""
    return page.locator(".section-content", has=page.locator("h6", has_text=title)).first.inner_text()


def column_rows(page) -> list[dict[str, str]]:
    """The Columns table of the model page shown: name, type and the description's text."""
    return page.locator("column-details tr.column-row").evaluate_all(
        "rows => rows.map(r => { const td = r.querySelectorAll('td');"
        " return {name: td[0].innerText.trim(), type: td[1].innerText.trim(), description: td[2].innerText.trim()} })")


def expand_column(page, name: str) -> str:
    """Click a column's row and return the description shown in full below it."""
    row = page.locator("column-details tr.column-row").filter(has=page.get_by_text(name, exact=True)).first
    row.click()
    expanded = row.locator("xpath=following-sibling::tr[1]")
    expanded.wait_for(state="visible")
    return expanded.inner_text()


def open_lineage(page, select: str | None = None) -> None:
    """Open the lineage graph full screen, optionally with a selector typed in its --select field."""
    page.get_by_title("View Lineage Graph").click()
    fullscreen = page.get_by_title("View Fullscreen").filter(visible=True)
    if fullscreen.count():  # from a model page the graph opens in a side panel first
        fullscreen.first.click()
    if select is not None:
        page.locator(".launcher-footer label.field", has_text="--select").locator("input").fill(select)
        page.locator("#submit-graph-selection").click()
    page.wait_for_function("() => { const el = document.getElementById('cy');"
                           " return el && el._cyreg && el._cyreg.cy.nodes(':visible').length > 0 }")
    page.wait_for_timeout(800)  # the layout settles (an animation) before it is read or pictured


def visible_graph(page) -> dict:
    """What the lineage graph draws: visible nodes (id, label, position on the canvas), edges, size."""
    return page.evaluate(
        "() => { const cy = document.getElementById('cy')._cyreg.cy;"
        " return {width: cy.width(), height: cy.height(),"
        " nodes: cy.nodes(':visible').map(n => ({id: n.id(), label: n.data('label'),"
        "   x: n.renderedPosition('x'), y: n.renderedPosition('y')})),"
        " edges: cy.edges(':visible').map(e => [e.source().id(), e.target().id()])} }")
