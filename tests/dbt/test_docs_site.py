"""The dbt docs site of the built warehouse, as a person uses it: `include/bin/docs` generates it and
prints the page to open (or serves it); headless Chromium opens it, finds the marts in the sidebar,
reads each one's grain and documented columns, and opens the lineage graph from landing to the
marts. Expectations come from the project's manifest (the YAML docs and tests)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from docs_site.browser import (
    browser_page,
    column_rows,
    expand_column,
    open_from_sidebar,
    open_lineage,
    section_text,
    visible_graph,
)
from tests.dbt.conftest import ROOT

pytestmark = pytest.mark.slow

DOCS = ROOT / "include" / "bin" / "docs"


@pytest.fixture(scope="module")
def site(first_build, dbt, tmp_path_factory):
    """`include/bin/docs` against the phase 1 warehouse; the page it says to open and the manifest."""
    target = tmp_path_factory.mktemp("docs") / "target"
    proc = subprocess.run([str(DOCS), "--target-dir", str(target)], env=dbt.env, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = Path(re.search(r"docs: (\S+static_index\.html)", proc.stdout).group(1))
    assert page == target / "static_index.html" and page.stat().st_size > 1_000_000
    return {"page": page, "target": target, "manifest": json.loads((target / "manifest.json").read_text())}


def marts(manifest: dict) -> dict[str, dict]:
    return {n["name"]: n for n in manifest["nodes"].values()
            if n["resource_type"] == "model" and n["original_file_path"].startswith("models/marts/")}


def grain(manifest: dict, model: dict) -> list[str]:
    """The documented grain: the columns of the model's first unique_combination_of_columns test."""
    for test in manifest["nodes"].values():
        meta = test.get("test_metadata") or {}
        if meta.get("name") == "unique_combination_of_columns" and test["attached_node"] == model["unique_id"]:
            return meta["kwargs"]["combination_of_columns"]
    raise AssertionError(f"{model['name']} has no grain test")


def plain(markdown: str) -> str:
    return " ".join(markdown.split())


def test_a_person_finds_each_mart_its_grain_and_its_documented_columns(site, warehouse):
    manifest = site["manifest"]
    expected = marts(manifest)
    assert len(expected) >= 6
    with browser_page() as page:
        page.goto(site["page"].as_uri())
        overview = page.locator("[ui-view]").first.inner_text()
        assert all(f"marts.{name}" in overview for name in expected), overview
        for name, model in sorted(expected.items()):
            # Database tab: the warehouse, its schema `marts`, the table.
            open_from_sidebar(page, "Database", [warehouse.db.name, "marts", name])
            assert page.locator("h1").first.inner_text().split()[0] == name
            description = " ".join(section_text(page, "Description").split())
            key = grain(manifest, model)
            assert re.search(r"Grain: .*\(" + re.escape(", ".join(key)) + r"\)", description), (name, description)
            rows = column_rows(page)
            assert [r["name"] for r in rows] == list(model["columns"]), name
            for row in rows:
                documented = model["columns"][row["name"]]
                assert row["description"] and plain(row["description"]) == plain(documented["description"]), row
                # The type comes from the warehouse's catalog: the table was built with its contract.
                assert row["type"].lower() == documented["data_type"].lower(), row
        # A person reads one description in full: the price's unit.
        open_from_sidebar(page, "Database", [warehouse.db.name, "marts", "trades"])
        assert "probability in [0, 1]" in expand_column(page, "price")


def test_the_lineage_graph_leads_from_landing_to_every_mart(site):
    manifest = site["manifest"]
    expected = {m["unique_id"] for m in marts(manifest).values()}
    # The landing tables: the landed pages, and the extraction's gaps (open_gaps reads only those).
    sources = {uid for uid, s in manifest["sources"].items() if s["schema"] == "landing"}
    upstream = {p for uid in expected for p in manifest["parent_map"][uid] if p.startswith(("model.", "source."))}
    with browser_page(1600, 1000) as page:
        page.goto(site["page"].as_uri())
        open_from_sidebar(page, "Project", ["prediction_markets", "models", "marts", "trades"])
        open_lineage(page, "+path:models/marts+")
        graph = visible_graph(page)
    drawn = {n["id"]: n for n in graph["nodes"]}
    assert expected | sources | upstream <= set(drawn), set(drawn)
    # Every node is on the canvas, labelled.
    for node in drawn.values():
        assert 0 <= node["x"] <= graph["width"] and 0 <= node["y"] <= graph["height"] and node["label"], node
    # Following the drawn edges from the landing tables reaches every mart.
    children: dict[str, set[str]] = {}
    for parent, child in graph["edges"]:
        children.setdefault(parent, set()).add(child)
    reached, todo = set(sources), list(sources)
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in reached:
                reached.add(child)
                todo.append(child)
    assert expected <= reached, expected - reached
    assert any(n.startswith("model.prediction_markets.stg_") for n in reached)
    assert any(n.startswith("model.prediction_markets.int_") for n in reached)


def test_the_command_serves_the_site_on_the_port_given(site):
    proc = subprocess.Popen([str(DOCS), "--serve", "--port", "0", "--no-generate", "--target-dir", str(site["target"])],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "serving http://" in line:
                break
        url = re.search(r"serving (http://127\.0\.0\.1:\d+/)", "".join(lines))
        assert url, "".join(lines)
        with browser_page() as page:
            page.goto(url.group(1))  # index.html, which loads manifest.json and catalog.json over HTTP
            open_from_sidebar(page, "Project", ["prediction_markets", "models", "marts", "markets"])
            assert [r["name"] for r in column_rows(page)][:2] == ["market_id", "source"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
