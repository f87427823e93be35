"""Where include/bin/export and include/bin/docs find the warehouse: --dsn, else the PM_PG_* variables
of the dbt profile, else the `warehouse` Connection as AIRFLOW_CONN_WAREHOUSE, else the profile's
defaults."""

from __future__ import annotations

import json

from prediction_markets.export.connection import DEFAULTS, profile_env, warehouse_params


def test_an_explicit_dsn_wins():
    env = {"PM_PG_DATABASE": "other", "AIRFLOW_CONN_WAREHOUSE": "postgresql://a:b@h:1/c"}
    assert warehouse_params("host=db.example port=6543 user=u dbname=w", env) == {
        "host": "db.example", "port": "6543", "user": "u", "dbname": "w"}


def test_profile_variables_fill_in_the_profile_defaults():
    params = warehouse_params(None, {"PM_PG_DATABASE": "pm_x", "AIRFLOW_CONN_WAREHOUSE": "postgresql://a:b@h:1/c"})
    assert params == {**DEFAULTS, "dbname": "pm_x"}
    assert profile_env(params)["PM_PG_DATABASE"] == "pm_x"


def test_the_airflow_connection_as_a_uri_or_as_json():
    assert warehouse_params(None, {"AIRFLOW_CONN_WAREHOUSE": "postgresql://pm:secret@wh:5433/prediction_markets"}) \
        == {"host": "wh", "port": "5433", "user": "pm", "password": "secret", "dbname": "prediction_markets"}
    value = json.dumps({"conn_type": "postgres", "host": "wh", "login": "pm", "password": "s", "schema": "db",
                        "port": 5432})
    assert warehouse_params(None, {"AIRFLOW_CONN_WAREHOUSE": value}) == {
        "host": "wh", "port": "5432", "user": "pm", "password": "s", "dbname": "db"}


def test_nothing_set_means_the_local_defaults():
    assert warehouse_params(None, {}) == DEFAULTS
