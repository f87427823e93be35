"""The screenshots of the docs site in docs/ (referenced from the README) show the marts as they
are: their fingerprint (each mart's columns and types, the lineage edges) matches the project."""

from __future__ import annotations

import json

from docs_site.screenshots import COMMAND, FINGERPRINT, LINEAGE, MART_PAGE, SCREENSHOTS, fingerprint
from tests.docs.conftest import ROOT


def test_screenshots_are_referenced_from_the_readme():
    readme = (ROOT / "README.md").read_text()
    for name in (MART_PAGE, LINEAGE):
        assert (SCREENSHOTS / name).stat().st_size > 10_000, name
        assert f"docs/screenshots/{name}" in readme, name


def test_screenshots_show_the_current_marts(manifest):
    taken = json.loads((SCREENSHOTS / FINGERPRINT).read_text())
    now = fingerprint(manifest)
    changes = []
    for mart in sorted(set(taken["marts"]) | set(now["marts"])):
        before, after = taken["marts"].get(mart), now["marts"].get(mart)
        if before is None or after is None:
            changes.append(f"mart {mart} {'added' if before is None else 'removed'}")
        elif before != after:
            old, new = {tuple(c) for c in before}, {tuple(c) for c in after}
            changes.append(f"{mart}: columns added {sorted(new - old)}, removed {sorted(old - new)}"
                           if old != new else f"{mart}: columns reordered")
    edges_before, edges_now = {tuple(e) for e in taken["lineage"]}, {tuple(e) for e in now["lineage"]}
    if edges_before != edges_now:
        changes.append(f"lineage edges added {sorted(edges_now - edges_before)}, "
                       f"removed {sorted(edges_before - edges_now)}")
    assert not changes, ("the marts changed since docs/screenshots/ were taken:\n  " + "\n  ".join(changes)
                         + f"\nrun `{COMMAND}` against a built warehouse and commit docs/screenshots/")
