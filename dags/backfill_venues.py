"""Airflow DAGs `backfill_<venue>` (the full sync), one per venue adapter in the registry.

Each walks every market the venue lists with its whole history; see
prediction_markets.backfill_factory for the task layout and params.
"""

from prediction_markets.adapters import sources
from prediction_markets.backfill_factory import build_backfill_dag

for _source in sources():
    globals()[f"backfill_{_source}"] = build_backfill_dag(_source)
