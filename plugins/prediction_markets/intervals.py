"""The data interval an extract run covers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pendulum

from prediction_markets.adapters.base import Interval


def run_interval(context: Mapping[str, Any]) -> Interval:
    """Scheduled runs, and manual runs given a logical date, carry their data interval. Airflow 3
    triggers manual runs without one by default (UI, CLI, REST): such a run covers the last
    complete schedule period up to the moment it was triggered, so "run now" lands everything
    up to now. The overlap with scheduled intervals is harmless: reruns change nothing."""
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is not None and end is not None:
        return Interval(start, end)
    run_after = pendulum.instance(context["dag_run"].run_after)
    inferred = context["dag"].timetable.infer_manual_data_interval(run_after=run_after)
    return Interval(inferred.start, run_after)
