"""Airflow DAGs `extract_<venue>`, one per venue adapter in the registry.

Each lands the venue's raw API responses for its data interval in the `landing` schema;
see prediction_markets.dag_factory for the task layout.
"""

from prediction_markets.adapters import sources
from prediction_markets.dag_factory import build_extract_dag

for _source in sources():
    globals()[f"extract_{_source}"] = build_extract_dag(_source)
