"""Comparing what landed with what the simulator served."""

from __future__ import annotations

from collections import Counter

from tests.support.sim import landed_request_key, request_key, venue_requests


def landed(wh, run_id=None):
    """Landed responses: (method, url, request_body, status, response, resource, scope)."""
    where = "where run_id = %s" if run_id else ""
    return wh.rows(
        "select method, url, request_body, status_code, response, resource, scope, record_count "
        f"from landing.raw_api_responses {where} order by landing_id", (run_id,) if run_id else None)


def served(sim, since, until=None, prefix=""):
    """Requests the simulator logged after sequence number `since` (up to `until`)."""
    return [r for r in venue_requests(sim, prefix) if r["seq"] > since and (until is None or r["seq"] <= until)]


def assert_every_served_page_is_landed(sim, since, until=None, *, rows):
    """Every request the simulator answered in (since, until] is one landed row, and vice versa."""
    window = served(sim, since, until)
    service_base = {r["service"]: sim.url(r["service"]) for r in window}
    served_keys = Counter((r["service"],) + request_key(r["method"], r["path"], r["query"]) + (repr(r["body"]),)
                          for r in window)
    landed_keys = Counter()
    for method, url, body, *_ in rows:
        service = next(s for s, base in service_base.items() if url.startswith(base + "/"))
        landed_keys[(service,) + landed_request_key(method, url, service_base[service]) + (repr(body),)] += 1
    assert landed_keys == served_keys, {
        "served, not landed": list((served_keys - landed_keys).elements())[:5],
        "landed, not served": list((landed_keys - served_keys).elements())[:5],
    }
