"""Landing Assets. Each extract task emits the Asset of each resource it wrote (lineage); once a
venue's whole extraction has landed, the DAG emits the venue's Asset, which schedules the dbt DAG
(one transform per complete extraction, not one per task)."""

from __future__ import annotations

from airflow.sdk import Asset


def landing_asset(source: str, resource: str) -> Asset:
    return Asset(
        name=f"landing.{source}.{resource}",
        uri=f"landing://{source}/{resource}",
        group="landing",
        extra={"table": "landing.raw_api_responses", "source": source, "resource": resource},
    )


def venue_landing_asset(source: str) -> Asset:
    return Asset(
        name=f"landing.{source}",
        uri=f"landing://{source}",
        group="landing",
        extra={"table": "landing.raw_api_responses", "source": source},
    )
