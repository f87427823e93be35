"""Landing Assets: one per (venue, landing resource). Extract DAGs emit them; the dbt DAG is
scheduled on them."""

from __future__ import annotations

from airflow.sdk import Asset


def landing_asset(source: str, resource: str) -> Asset:
    return Asset(
        name=f"landing.{source}.{resource}",
        uri=f"landing://{source}/{resource}",
        group="landing",
        extra={"table": "landing.raw_api_responses", "source": source, "resource": resource},
    )
