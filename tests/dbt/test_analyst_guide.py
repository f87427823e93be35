"""docs/analysts.md works as written: the DBA's statements give a login role access through
`pm_analyst`, and every example query runs as that role against the demo warehouse (the phase 1
build) and returns rows."""

from __future__ import annotations

import re

import psycopg
import pytest
from psycopg import sql

from local_stack.warehouse import ADMIN_DSN
from tests.dbt.conftest import ROOT

pytestmark = pytest.mark.slow

GUIDE = ROOT / "docs" / "analysts.md"
EXAMPLES_HEADING = "## Ten example queries"


def sql_blocks(markdown: str) -> list[str]:
    return re.findall(r"```sql\n(.*?)```", markdown, re.DOTALL)


def examples() -> list[tuple[str, str]]:
    """(title, query) of each example: the bold numbered line above its ```sql block."""
    section = GUIDE.read_text().split(EXAMPLES_HEADING, 1)[1]
    return re.findall(r"\*\*(\d+\. [^*]+)\*\*.*?```sql\n(.*?)```", section, re.DOTALL)


@pytest.fixture(scope="module")
def analyst(first_build, warehouse):
    """A login role made with the guide's own statements, dropped afterwards: roles are cluster-wide,
    and pm_analyst is granted to nobody but for the length of this module."""
    role = f"{warehouse.db.name}_analyst"
    setup = sql_blocks(GUIDE.read_text().split(EXAMPLES_HEADING, 1)[0])
    assert len(setup) == 1 and "grant pm_analyst to alice" in setup[0]
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(role)))
        for statement in filter(str.strip, setup[0].replace("alice", role).split(";")):
            admin.execute(statement)
        try:
            yield psycopg.conninfo.make_conninfo(host=warehouse.db.host, port=warehouse.db.port,
                                                 dbname=warehouse.db.name, user=role, password="change-me")
        finally:
            admin.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(role)))


def test_the_guide_has_ten_numbered_examples():
    titles = [title for title, _ in examples()]
    assert [int(t.split(".")[0]) for t in titles] == list(range(1, 11)), titles
    assert len(sql_blocks(GUIDE.read_text().split(EXAMPLES_HEADING, 1)[1])) == 10


def test_the_login_role_reads_through_pm_analyst_only(analyst, warehouse):
    with psycopg.connect(analyst) as conn:
        user, member, superuser = conn.execute(
            "select session_user, pg_has_role(session_user, 'pm_analyst', 'member'), rolsuper "
            "from pg_roles where rolname = session_user").fetchone()
        assert user == f"{warehouse.db.name}_analyst" and member and not superuser
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select 1 from landing.raw_api_responses limit 1")


@pytest.mark.parametrize("title,query", examples(), ids=[t.split(".")[0] for t, _ in examples()])
def test_example_query_returns_rows_as_an_analyst(analyst, title, query):
    with psycopg.connect(analyst) as conn:
        conn.execute("set statement_timeout = '60s'")
        cur = conn.execute(query)
        rows = cur.fetchall()
        columns = [c.name for c in cur.description]
    assert rows, f"{title}: no rows"
    if "both venues" in title:
        assert {dict(zip(columns, r))["source"] for r in rows} == {"polymarket", "kalshi"}
