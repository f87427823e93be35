"""Reading docker-compose.yaml as `docker compose` does, without a Docker engine: the .env file
format, variable interpolation (the Compose specification's rules) and the YAML merge keys."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"

# $$ | $NAME | ${NAME} | ${NAME<op>word} with op in :- - :? ? :+ +
_VAR = re.compile(r"\$(?:(\$)|([A-Za-z_][A-Za-z0-9_]*)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\})")


class InterpolationError(ValueError):
    pass


def parse_dotenv(text: str) -> dict[str, str]:
    """KEY=VALUE lines; # comments; 'single quotes' literal, "double quotes" with \\n escapes."""
    values = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == "'":
            value = value[1:-1]
        elif len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].encode().decode("unicode_escape")
        else:
            value = value.split(" #", 1)[0].rstrip()
        values[key.strip()] = value
    return values


def commented_assignments(text: str) -> list[tuple[str, str]]:
    """The optional settings a file shows as commented-out `# KEY=value` lines (a key may be
    shown more than once, with alternative values)."""
    lines = [line.strip()[1:].strip() for line in text.splitlines() if line.strip().startswith("#")]
    return [next(iter(parse_dotenv(line).items())) for line in lines if re.match(r"^[A-Z][A-Z0-9_]*=\S", line)]


def interpolate(value: str, env: dict[str, str]) -> str:
    def substitute(match: re.Match) -> str:
        escaped, bare, name, op, word = match.groups()
        if escaped:
            return "$"
        name = name or bare
        is_set, value = name in env, env.get(name, "")
        if op in (":?", "?"):
            if (op == ":?" and not value) or not is_set:
                raise InterpolationError(f"required variable {name} is missing a value: {word}")
            return value
        if op == ":-":
            return value or word
        if op == "-":
            return value if is_set else word
        if op == ":+":
            return word if value else ""
        if op == "+":
            return word if is_set else ""
        return value

    return _VAR.sub(substitute, value)


def _walk(node: Any, env: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {k: _walk(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [_walk(v, env) for v in node]
    return interpolate(node, env) if isinstance(node, str) else node


def raw_compose() -> dict:
    """The file as YAML (merge keys applied), before interpolation."""
    return yaml.safe_load(COMPOSE_FILE.read_text())


def load_compose(env: dict[str, str]) -> dict:
    return _walk(raw_compose(), env)


def variables(node: Any) -> dict[str, set[str]]:
    """Every variable the file refers to -> the operators it is used with ('' for none)."""
    found: dict[str, set[str]] = {}
    if isinstance(node, dict):
        for v in node.values():
            for k, ops in variables(v).items():
                found.setdefault(k, set()).update(ops)
    elif isinstance(node, list):
        for v in node:
            for k, ops in variables(v).items():
                found.setdefault(k, set()).update(ops)
    elif isinstance(node, str):
        for escaped, bare, name, op, _ in _VAR.findall(node):
            if not escaped:
                found.setdefault(name or bare, set()).add(op or "")
    return found


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}
