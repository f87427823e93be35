"""The analyst guide's SQL follows the project's SQL style (dbt_project/.sqlfluff, postgres)."""

from __future__ import annotations

import re

from sqlfluff.core import FluffConfig, Linter

from tests.docs.conftest import PROJECT, ROOT


def test_example_queries_are_lint_clean():
    guide = (ROOT / "docs" / "analysts.md").read_text()
    queries = re.findall(r"```sql\n(.*?)```", guide.split("## Ten example queries", 1)[1], re.DOTALL)
    assert len(queries) == 10
    linter = Linter(config=FluffConfig.from_path(str(PROJECT)))
    problems = [f"query {i}, line {v.line_no}: {v.rule_code()} {v.desc()}"
                for i, query in enumerate(queries, 1) for v in linter.lint_string(query).get_violations()]
    assert not problems, "\n".join(problems)
