"""Least-privilege roles and databases of the platform, applied through an administrator
connection. Every statement is idempotent and also repairs an existing role or database that
has drifted (an over-privileged runtime role, a database open to PUBLIC).

- runtime role (`pm`): extracts and runs dbt. LOGIN, and nothing cluster-wide: no SUPERUSER,
  CREATEROLE (on PG15 that lets a role grant itself pg_execute_server_program), CREATEDB,
  REPLICATION or BYPASSRLS, and in none of the server file/program roles. Owns the warehouse.
- `pm_analyst`: NOLOGIN group role for people (a DBA grants it to their login roles). May
  connect to the warehouse; what it reads there (schema `marts`) dbt grants on every run.
- metadata owner (`pm_airflow`): owns Airflow's metadata database; nobody else may connect.

Nobody but the owner may create temporary tables in either database (TEMP is revoked from
PUBLIC; a DBA can grant it back to pm_analyst if a BI tool insists on temp tables).
"""

from __future__ import annotations

from psycopg import sql

ANALYST_ROLE = "pm_analyst"
# Built-in roles that read/write server files or run programs as the server's OS user.
SERVER_ACCESS_ROLES = ("pg_execute_server_program", "pg_read_server_files", "pg_write_server_files")
RUNTIME_ATTRIBUTES = "nosuperuser nocreaterole nocreatedb noreplication nobypassrls"
BOOTSTRAP_COMMAND = "include/bin/bootstrap-postgres"


def _exists(cur, query: str, name: str) -> bool:
    cur.execute(query, (name,))
    return cur.fetchone() is not None


def role_exists(cur, role: str) -> bool:
    return _exists(cur, "select 1 from pg_catalog.pg_roles where rolname = %s", role)


def database_exists(cur, name: str) -> bool:
    return _exists(cur, "select 1 from pg_catalog.pg_database where datname = %s", name)


def ensure_login_role(cur, role: str, password: str | None, *, reset_password: bool = False) -> None:
    """A LOGIN role without cluster-wide privileges (created, or stripped of them).
    The password is set when the role is created, or when reset_password asks for it."""
    cur.execute("select current_user")
    if cur.fetchone()[0] == role:
        raise ValueError(f"the role {role!r} is the administrator's own: pick another runtime role")
    ident = sql.Identifier(role)
    if not role_exists(cur, role):
        cur.execute(sql.SQL("create role {} login " + RUNTIME_ATTRIBUTES).format(ident))
        reset_password = True
    else:
        cur.execute(sql.SQL("alter role {} login " + RUNTIME_ATTRIBUTES).format(ident))
    if reset_password and password:
        cur.execute(sql.SQL("alter role {} password {}").format(ident, sql.Literal(password)))
    for server_role in SERVER_ACCESS_ROLES:
        cur.execute(
            "select 1 from pg_catalog.pg_auth_members m join pg_catalog.pg_roles r on r.oid = m.roleid "
            "join pg_catalog.pg_roles u on u.oid = m.member where r.rolname = %s and u.rolname = %s",
            (server_role, role))
        if cur.fetchone():
            cur.execute(sql.SQL("revoke {} from {}").format(sql.Identifier(server_role), ident))


def ensure_analyst_role(cur, role: str = ANALYST_ROLE) -> None:
    ident = sql.Identifier(role)
    if not role_exists(cur, role):
        cur.execute(sql.SQL("create role {} nologin").format(ident))
    cur.execute(sql.SQL("alter role {} nologin " + RUNTIME_ATTRIBUTES).format(ident))
    cur.execute(sql.SQL("comment on role {} is {}").format(ident, sql.Literal(
        "Read-only access to the marts schema (analysts, BI tools, Parquet export); granted to login roles")))


def ensure_database(cur, name: str, owner: str, *, recreate: bool = False) -> None:
    ident = sql.Identifier(name)
    if recreate:
        cur.execute(sql.SQL("drop database if exists {} with (force)").format(ident))
    if not database_exists(cur, name):
        cur.execute(sql.SQL("create database {} owner {}").format(ident, sql.Identifier(owner)))
    cur.execute(sql.SQL("alter database {} owner to {}").format(ident, sql.Identifier(owner)))
    # PUBLIC gets CONNECT and TEMP on every new database: take both back.
    cur.execute(sql.SQL("revoke all on database {} from public").format(ident))


def secure_warehouse(cur, name: str, owner: str, analyst: str = ANALYST_ROLE) -> None:
    """Database-level rights on the warehouse (run on any connection)."""
    cur.execute(sql.SQL("grant connect on database {} to {}").format(sql.Identifier(name), sql.Identifier(analyst)))


def secure_warehouse_inside(cur, owner: str) -> None:
    """Rights inside the warehouse (run connected to it): nothing in `public` for PUBLIC, and no
    EXECUTE for PUBLIC on the functions the owner creates later (Postgres grants it by default)."""
    if _exists(cur, "select 1 from pg_catalog.pg_namespace where nspname = %s", "public"):
        cur.execute("revoke all on schema public from public")
    cur.execute(sql.SQL("alter default privileges for role {} revoke execute on functions from public")
                .format(sql.Identifier(owner)))
