"""Key drift of a venue for the run log: the keys of landed entities that staging does not read, and
the keys it reads that stopped arriving, as the dbt model `marts.landing_key_drift` lists them.

Read-only and optional: before dbt has built the model there is nothing to report, and a failure
here is a warning, never a failed task."""

from __future__ import annotations

import logging

from psycopg import sql

log = logging.getLogger(__name__)

DRIFT_RELATION = ("marts", "landing_key_drift")


def key_drift(conn, source: str, relation: tuple[str, str] = DRIFT_RELATION) -> dict[str, dict[str, list[str]]] | None:
    """{resource: {status: [keys]}} for a venue, or None when the relation does not exist. Runs in
    a read-only transaction of its own (the connection's open transaction is rolled back first)."""
    conn.rollback()
    try:
        with conn.cursor() as cur:
            cur.execute("set transaction read only")
            cur.execute("select to_regclass(%s)", (".".join(sql.Identifier(p).as_string(conn) for p in relation),))
            if cur.fetchone()[0] is None:
                return None
            cur.execute(
                sql.SQL("select resource, status, key from {} where source = %s order by resource, status, key")
                .format(sql.Identifier(*relation)),
                (source,),
            )
            rows = cur.fetchall()
    finally:
        conn.rollback()
    drift: dict[str, dict[str, list[str]]] = {}
    for resource, status, key in rows:
        drift.setdefault(resource, {}).setdefault(status, []).append(key)
    return drift


def describe(source: str, drift: dict[str, dict[str, list[str]]]) -> str:
    if not drift:
        return f"{source} key drift: none"
    parts = [f"{resource} {status}: {', '.join(keys)}"
             for resource, statuses in sorted(drift.items()) for status, keys in sorted(statuses.items())]
    return f"{source} key drift ({DRIFT_RELATION[0]}.{DRIFT_RELATION[1]}): " + "; ".join(parts)


def log_key_drift(conn, source: str, relation: tuple[str, str] = DRIFT_RELATION) -> dict | None:
    """Logs one line with the venue's drifted keys (a warning when there are any); nothing when the
    relation does not exist. Never raises: the drift, or None."""
    try:
        drift = key_drift(conn, source, relation)
    except Exception as exc:  # noqa: BLE001 - the run log is best effort: never fail the task on it
        log.warning("%s key drift not checked: %s", source, exc)
        return None
    if drift is not None:
        log.log(logging.WARNING if drift else logging.INFO, describe(source, drift))
    return drift
