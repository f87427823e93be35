"""The docs site pictures in docs/screenshots/ (a mart's page, the lineage from landing to the marts)
and the fingerprint of what they show: the marts, their columns and the lineage graph. A test
compares the fingerprint with the project's manifest and asks for `include/bin/docs --screenshots`
when they differ."""

from __future__ import annotations

import json
from pathlib import Path

from docs_site.browser import browser_page, open_from_sidebar, open_lineage

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
MART_PAGE = "mart_trades.png"
LINEAGE = "lineage.png"
FINGERPRINT = "fingerprint.json"
COMMAND = "include/bin/docs --screenshots"
PICTURED_MART = "trades"
LINEAGE_SELECT = "+path:models/marts+"  # the marts, everything upstream of them, and their exposures


def mart_nodes(manifest: dict) -> dict[str, dict]:
    return {uid: node for uid, node in manifest["nodes"].items()
            if node["resource_type"] == "model" and node["original_file_path"].startswith("models/marts/")}


def lineage_edges(manifest: dict) -> set[tuple[str, str]]:
    """Edges of the graph LINEAGE_SELECT draws: every model and source upstream of a mart, the marts,
    and the exposures reading them (tests are not drawn)."""
    parents = manifest["parent_map"]
    marts = set(mart_nodes(manifest))
    drawn, todo = set(marts), list(marts)
    while todo:
        for parent in parents.get(todo.pop(), []):
            if parent.split(".")[0] in ("model", "source", "seed", "snapshot") and parent not in drawn:
                drawn.add(parent)
                todo.append(parent)
    drawn |= {uid for uid in manifest.get("exposures", {}) if set(parents.get(uid, [])) & marts}
    return {(p, child) for child in drawn for p in parents.get(child, []) if p in drawn}


def fingerprint(manifest: dict) -> dict:
    """What the pictures depend on: each mart's columns (name and type) and the lineage edges."""
    marts = {node["name"]: [[name, (col.get("data_type") or "").lower()] for name, col in node["columns"].items()]
             for node in mart_nodes(manifest).values()}
    return {"regenerate_with": COMMAND, "marts": dict(sorted(marts.items())),
            "lineage": sorted([p, c] for p, c in lineage_edges(manifest))}


def take(static_page: Path, manifest: dict, out: Path = SCREENSHOTS) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    with browser_page(1400, 820, scale=1.5) as page:
        page.goto(static_page.as_uri())
        open_from_sidebar(page, "Project", ["prediction_markets", "models", "marts", PICTURED_MART])
        # Scrolled to the description (the grain) and the columns below it.
        page.evaluate("() => document.getElementById('description').scrollIntoView()")
        page.mouse.move(1, 1)  # no hover highlight in the picture
        page.wait_for_timeout(300)
        page.screenshot(path=out / MART_PAGE)
        open_lineage(page, LINEAGE_SELECT)
        page.screenshot(path=out / LINEAGE)
    (out / FINGERPRINT).write_text(json.dumps(fingerprint(manifest), indent=1) + "\n")
    return [out / MART_PAGE, out / LINEAGE, out / FINGERPRINT]
