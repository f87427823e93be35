"""Least privilege on the warehouse Postgres.

The runtime role (extracts, dbt) holds no cluster-wide power; `pm_analyst`, granted to a person's
login role, reads `marts` and nothing else and can create nothing; dbt grants but creates no role;
the bootstrap command is idempotent and strips an over-privileged runtime role."""

from __future__ import annotations

import os
import subprocess
import uuid

import psycopg
import pytest
from psycopg import sql

from local_stack.roles import ANALYST_ROLE, BOOTSTRAP_COMMAND, SERVER_ACCESS_ROLES
from local_stack.warehouse import Database, admin_connect
from tests.conftest import WAREHOUSE_DB
from tests.security.conftest import ROOT, run_dbt
from tests.support.warehouse import login_role

PRIVATE = ("landing.raw_api_responses", "landing.sync_state", "staging.probe", "intermediate.probe")


def role_flags(role: str) -> dict:
    with admin_connect() as admin:
        row = admin.execute("select rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin "
                            "from pg_roles where rolname = %s", (role,)).fetchone()
        assert row, f"role {role} does not exist"
        flags = dict(zip(("super", "createrole", "createdb", "replication", "bypassrls", "login"), row))
        flags["server_roles"] = [r for r in SERVER_ACCESS_ROLES if admin.execute(
            "select pg_has_role(%s, %s, 'MEMBER')", (role, r)).fetchone()[0]]
    return flags


def test_runtime_role_has_no_cluster_wide_privileges(warehouse):
    flags = role_flags(warehouse.db.role)
    assert flags == {"super": False, "createrole": False, "createdb": False, "replication": False,
                     "bypassrls": False, "login": True, "server_roles": []}


def test_runtime_role_cannot_escalate(warehouse):
    """What CREATEROLE allowed on PG15: grant itself pg_execute_server_program (COPY ... PROGRAM
    runs shell commands as the server's OS user), or create roles and databases."""
    attempts = [
        sql.SQL("grant pg_execute_server_program to {}").format(sql.Identifier(warehouse.db.role)),
        sql.SQL("create role {}").format(sql.Identifier(f"{WAREHOUSE_DB}_escalated")),
        sql.SQL("create database {}").format(sql.Identifier(f"{WAREHOUSE_DB}_escalated")),
        sql.SQL("copy (select 1) to program 'true'"),
    ]
    for statement in attempts:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            warehouse.execute(statement)


@pytest.fixture(scope="module")
def granted(warehouse, tmp_path_factory):
    """One object in each dbt schema, then a real dbt invocation (`dbt seed`: its on-run-end hook
    runs grant_analyst_access), then a mart table created after the grants."""
    warehouse.drop_models()
    for schema in ("staging", "intermediate", "marts"):
        warehouse.execute(f"create schema {schema}")
        warehouse.execute(f"create table {schema}.probe as select 1 as x")
    result = run_dbt(warehouse.db, "seed", work_dir=tmp_path_factory.mktemp("dbt-seed"))
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    warehouse.execute("create table marts.later as select 2 as x")  # default privileges cover it
    yield warehouse
    warehouse.drop_models()


@pytest.fixture(scope="module")
def analyst(granted):
    with login_role(f"{WAREHOUSE_DB}_analyst_login", ANALYST_ROLE, database=granted.db.name) as db:
        yield db


def test_analyst_reads_marts(analyst):
    with analyst.connect() as conn:
        assert conn.execute("select x from marts.probe").fetchall() == [(1,)]
        assert conn.execute("select x from marts.later").fetchall() == [(2,)]


@pytest.mark.parametrize("relation", PRIVATE)
def test_analyst_is_refused_landing_staging_intermediate(analyst, relation):
    with analyst.connect() as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(f"select * from {relation} limit 1")


def test_analyst_cannot_call_landing_functions(analyst):
    with analyst.connect() as conn:
        functions = conn.execute(
            "select p.oid::regprocedure::text, has_function_privilege(p.oid, 'execute') "
            "from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'landing'").fetchall()
    assert functions and not [f for f, allowed in functions if allowed]


def test_analyst_is_refused_the_airflow_metadata_database(analyst, metadata_database):
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(Database(metadata_database.name, role=analyst.role, password=analyst.password).dsn).close()


def test_runtime_role_is_refused_the_airflow_metadata_database(warehouse, metadata_database):
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        psycopg.connect(Database(metadata_database.name).dsn).close()
    with psycopg.connect(metadata_database.dsn) as conn:  # its owner connects
        assert conn.execute("select current_user").fetchone() == (metadata_database.role,)


@pytest.mark.parametrize("statement", [
    "create table marts.mine (x int)",
    "create view marts.mine as select 1",
    "create table public.mine (x int)",
    "create schema mine",
    "create temporary table mine (x int)",
    "create function marts.mine() returns int language sql as 'select 1'",
])
def test_analyst_cannot_create_objects(analyst, statement):
    with analyst.connect() as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)


def test_analyst_holds_no_create_or_temp_privilege_anywhere(analyst):
    """Catalog view of the same: no CREATE on any schema of the warehouse nor on any database of
    the server, no TEMP on the warehouse."""
    with analyst.connect() as conn:
        schemas = conn.execute("select nspname from pg_namespace where has_schema_privilege(oid, 'create')").fetchall()
        databases = conn.execute(
            "select datname from pg_database where has_database_privilege(datname, 'create')").fetchall()
        temp = conn.execute("select has_database_privilege(current_database(), 'temporary')").fetchone()[0]
    assert (schemas, databases, temp) == ([], [], False)


def test_grants_fail_clearly_when_the_analyst_role_is_missing(granted, tmp_path):
    """dbt creates no role (its role cannot): a missing group role fails the run with the command
    that creates it."""
    missing = f"{WAREHOUSE_DB}_no_such_role"
    result = run_dbt(granted.db, "seed", "--vars", f"{{analyst_role: {missing}}}", work_dir=tmp_path)
    assert result.returncode != 0
    assert f"role {missing} does not exist" in result.stdout and BOOTSTRAP_COMMAND in result.stdout
    with admin_connect() as admin:
        assert admin.execute("select 1 from pg_roles where rolname = %s", (missing,)).fetchone() is None


@pytest.fixture
def scratch_names():
    """Names of a runtime role, an owner role and two databases for one bootstrap; dropped after."""
    tag = uuid.uuid4().hex[:6]
    names = {"runtime": f"{WAREHOUSE_DB}_rt_{tag}", "owner": f"{WAREHOUSE_DB}_meta_{tag}",
             "warehouse": f"{WAREHOUSE_DB}_wh_{tag}", "metadata": f"{WAREHOUSE_DB}_wh_{tag}_airflow"}
    yield names
    with admin_connect() as admin:
        for db in (names["warehouse"], names["metadata"]):
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(db)))
        for role in (names["runtime"], names["owner"]):
            admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(role)))


def test_bootstrap_command_repairs_an_over_privileged_runtime_role_and_is_idempotent(scratch_names):
    """The runtime role as this project used to create it (CREATEROLE CREATEDB), plus the grant
    CREATEROLE made possible; the bootstrap, run twice, leaves it and both databases least-privileged."""
    runtime, owner = scratch_names["runtime"], scratch_names["owner"]
    with admin_connect() as admin:
        admin.execute(sql.SQL("create role {} login password 'old' createrole createdb")
                      .format(sql.Identifier(runtime)))
        admin.execute(sql.SQL("grant pg_execute_server_program, pg_read_server_files to {}").format(
            sql.Identifier(runtime)))
    env = {**os.environ, "PM_PG_ROLE": runtime, "PM_PG_PASSWORD": "new-secret", "PM_AIRFLOW_DB_ROLE": owner}
    env.pop("PM_AIRFLOW_DB_PASSWORD", None)
    for _ in range(2):
        proc = subprocess.run([str(ROOT / BOOTSTRAP_COMMAND), "--database", scratch_names["warehouse"]],
                              env=env, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    flags = role_flags(runtime)
    assert not any(flags[k] for k in ("super", "createrole", "createdb", "replication", "bypassrls"))
    assert flags["login"] and flags["server_roles"] == []
    assert role_flags(owner)["login"] and not role_flags(owner)["createrole"]
    assert role_flags(ANALYST_ROLE)["login"] is False
    with admin_connect() as admin:
        dbs = dict(admin.execute(
            "select datname, pg_get_userbyid(datdba) from pg_database where datname = any(%s)",
            ([scratch_names["warehouse"], scratch_names["metadata"]],)).fetchall())
        assert dbs == {scratch_names["warehouse"]: runtime, scratch_names["metadata"]: owner}
        privileges = {
            (db, role, priv): admin.execute("select has_database_privilege(%s, %s, %s)", (role, db, priv)).fetchone()[0]
            for db in dbs for role in ("public", ANALYST_ROLE) for priv in ("connect", "temporary")
        }
    assert privileges == {
        (scratch_names["warehouse"], "public", "connect"): False,
        (scratch_names["warehouse"], "public", "temporary"): False,
        (scratch_names["warehouse"], ANALYST_ROLE, "connect"): True,
        (scratch_names["warehouse"], ANALYST_ROLE, "temporary"): False,
        (scratch_names["metadata"], "public", "connect"): False,
        (scratch_names["metadata"], "public", "temporary"): False,
        (scratch_names["metadata"], ANALYST_ROLE, "connect"): False,
        (scratch_names["metadata"], ANALYST_ROLE, "temporary"): False,
    }
