"""docker-compose.yaml would run: it resolves with the .env that include/bin/compose-env writes,
its services, volumes and dependencies hang together, every AIRFLOW__ setting is an option of the
installed Airflow 3 (and its Celery and cosmos providers), the Airflow services share one Fernet
key, JWT secret and API secret key, the connections point where the project expects, secrets
come only from .env, and the init step runs the least-privilege bootstrap. No Docker engine here:
the file is read as `docker compose` reads it (tests/deploy/compose.py)."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from local_stack.env import LIVE_HOSTS, SIMULATED_HOSTS
from prediction_markets.adapters import get_adapter, sources
from prediction_markets.hooks.venue_http import base_url_from_connection
from prediction_markets.operators.extract import WAREHOUSE_CONN_ID
from tests.deploy.compose import (
    ENV_EXAMPLE, ROOT, InterpolationError, commented_assignments, environment, load_compose, parse_dotenv,
    raw_compose, variables,
)

AIRFLOW_COMPONENTS = {"api-server", "scheduler", "dag-processor", "triggerer", "celery worker"}
SERVICE_KEYS = {  # the service attributes of the Compose specification this file may use
    "build", "image", "command", "entrypoint", "environment", "env_file", "volumes", "ports", "expose",
    "depends_on", "healthcheck", "profiles", "restart", "user", "secrets", "configs", "networks",
    "init", "stop_grace_period", "stop_signal", "working_dir", "hostname", "labels", "read_only",
    "tmpfs", "deploy", "logging", "ulimits", "shm_size", "cap_drop", "cap_add", "security_opt",
}
HEALTHCHECK_KEYS = {"test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|_DSN$|SQL_ALCHEMY_CONN|BROKER_URL|RESULT_BACKEND|CONN_WAREHOUSE")


def generated_env(tmp_path: Path, name: str = ".env") -> dict[str, str]:
    """The .env that include/bin/compose-env writes (the real command)."""
    out = tmp_path / name
    proc = subprocess.run([str(ROOT / "include/bin/compose-env"), "--output", str(out)], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_mode & 0o077 == 0, "the secrets file must be private to its owner"
    return parse_dotenv(out.read_text())


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    return generated_env(tmp_path_factory.mktemp("compose"))


@pytest.fixture(scope="module")
def compose(env) -> dict:
    return load_compose(env)


@pytest.fixture(scope="module")
def airflow_services(compose) -> dict[str, dict]:
    """Services running Airflow (every service with an Airflow executor setting)."""
    return {n: s for n, s in compose["services"].items() if "AIRFLOW__CORE__EXECUTOR" in environment(s)}


def command_of(service: dict) -> str:
    cmd = service.get("command", "")
    return " ".join(cmd) if isinstance(cmd, list) else cmd


def dsn_parts(dsn: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in shlex.split(dsn))


def init_script(compose) -> str:
    init = compose["services"]["airflow-init"]
    assert init["entrypoint"] == "/bin/bash" and init["command"][0] == "-c"
    return init["command"][1]


def bootstrap_args(compose) -> list[str]:
    line = next(line for line in init_script(compose).splitlines() if "local_stack.bootstrap_postgres" in line)
    return shlex.split(line)[3:]


# --- secrets and .env -------------------------------------------------------------------------

def test_env_example_commits_no_secret_and_env_is_ignored():
    values = parse_dotenv(ENV_EXAMPLE.read_text())
    assert values and all(v == "" for v in values.values()), {k: v for k, v in values.items() if v}
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT).returncode == 0
    example_ignored = subprocess.run(["git", "check-ignore", "-q", ".env.example"], cwd=ROOT).returncode == 0
    assert ignored and not example_ignored


def test_every_required_variable_is_listed_in_env_example():
    used = variables(raw_compose())
    required = {name for name, ops in used.items() if ops & {"", ":?", "?"}}
    listed = set(parse_dotenv(ENV_EXAMPLE.read_text()))
    assert required == listed
    optional = {name for name, ops in used.items() if not ops & {"", ":?", "?"}}
    assert optional <= {k for k, _ in commented_assignments(ENV_EXAMPLE.read_text())}


def test_without_env_the_file_refuses_to_resolve():
    with pytest.raises(InterpolationError, match="required variable"):
        load_compose({})


def test_secrets_come_from_env_and_nothing_else(tmp_path, compose):
    """Two generated .env files give two different values to every secret setting of every service."""
    other = load_compose(generated_env(tmp_path, "other.env"))
    for name, service in compose["services"].items():
        mine, theirs = environment(service), environment(other["services"][name])
        secret_keys = {k for k in mine if SECRET_NAME.search(k) and not k.endswith("_FILE")}
        assert secret_keys or not mine, name
        assert {k for k in secret_keys if mine[k] == theirs[k]} == set(), name


def test_admin_password_reaches_only_postgres_and_the_init_step(compose, env):
    holders = {name for name, service in compose["services"].items()
               if any(env["POSTGRES_PASSWORD"] in v for v in environment(service).values())}
    assert holders == {"postgres", "airflow-init"}
    simulator = environment(compose["services"]["venue-simulator"])
    assert not [v for v in env.values() if v and any(v in s for s in simulator.values())]


# --- structure --------------------------------------------------------------------------------

def test_services_use_known_attributes_only(compose):
    assert set(compose) <= {"services", "volumes", "networks", "configs", "secrets", "name"} | {
        k for k in compose if k.startswith("x-")}
    for name, service in compose["services"].items():
        assert set(service) <= SERVICE_KEYS, (name, set(service) - SERVICE_KEYS)
        assert set(service.get("healthcheck", {})) <= HEALTHCHECK_KEYS, name
        assert service.get("restart", "no") in ("no", "always", "on-failure", "unless-stopped"), name
        assert "image" in service or "build" in service, name
        for port in service.get("ports", []):
            assert re.fullmatch(r"(\d+\.\d+\.\d+\.\d+:)?\d+:\d+", port), (name, port)


def test_dependencies_exist_wait_correctly_and_have_no_cycle(compose):
    services = compose["services"]
    for name, service in services.items():
        for dep, spec in (service.get("depends_on") or {}).items():
            assert dep in services and dep != name, (name, dep)
            assert spec["condition"] in CONDITIONS, (name, dep)
            if spec["condition"] == "service_healthy":
                assert "healthcheck" in services[dep], f"{name} waits for {dep}, which has no healthcheck"
            if spec["condition"] == "service_completed_successfully":
                assert services[dep].get("restart", "no") == "no", f"{dep} is one-shot: it must not restart"
            assert not services[dep].get("profiles") or service.get("profiles"), (name, dep)

    def reach(name, seen=()):
        assert name not in seen, f"dependency cycle through {seen}"
        for dep in services[name].get("depends_on") or {}:
            reach(dep, (*seen, name))

    for name in services:
        reach(name)


def test_volumes_and_build_paths_exist(compose):
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, service in compose["services"].items():
        build = service.get("build")
        if build:
            assert (ROOT / build["context"] / build["dockerfile"]).is_file(), name
        for volume in service.get("volumes", []):
            source, target = volume.split(":")[:2]
            if source.startswith((".", "/")):
                assert (ROOT / source).exists(), (name, source)
            else:
                assert source in declared, (name, source)
                used.add(source)
            assert target.startswith("/"), (name, volume)
    assert used == declared


def test_airflow_runs_every_component_on_celery(airflow_services):
    commands = {command_of(s) for n, s in airflow_services.items() if n != "airflow-init"}
    assert commands == AIRFLOW_COMPONENTS
    assert {environment(s)["AIRFLOW__CORE__EXECUTOR"] for s in airflow_services.values()} == {"CeleryExecutor"}


def test_airflow_services_share_one_fernet_key_jwt_secret_and_settings(airflow_services):
    """Every AIRFLOW__ setting and connection is the same on every Airflow service: a worker's task
    token must verify on the api-server, a connection encrypted by one must decrypt on another."""
    envs = {n: environment(s) for n, s in airflow_services.items()}
    shared = {k for e in envs.values() for k in e if k.startswith(("AIRFLOW__", "AIRFLOW_CONN_"))}
    for key in sorted(shared):
        assert len({e.get(key) for e in envs.values()}) == 1, f"{key} differs between Airflow services"
    first = next(iter(envs.values()))
    Fernet(first["AIRFLOW__CORE__FERNET_KEY"].encode())  # a valid key
    assert len(first["AIRFLOW__API_AUTH__JWT_SECRET"]) >= 32 and len(first["AIRFLOW__API__SECRET_KEY"]) >= 32
    assert first["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-api-server:8080/execution/"


# --- Airflow settings -------------------------------------------------------------------------

def cosmos_options() -> set[str]:
    """What cosmos reads from its section (its provider description lists only a few)."""
    import cosmos.settings

    source = Path(cosmos.settings.__file__).read_text()
    return set(re.findall(r"conf\.get\w*\(\s*\"cosmos\",\s*\"(\w+)\"", source))


def test_airflow_settings_are_options_of_the_installed_airflow(compose):
    """Names checked against the installed Airflow's configuration description (its
    config_templates/config.yml plus the Celery provider's options; for cosmos, what it reads),
    and never an Airflow 2 name that Airflow 3 renamed."""
    from airflow.configuration import conf

    described = {section: set(spec.get("options", {})) for section, spec in conf.configuration_description.items()}
    described["cosmos"] = described.get("cosmos", set()) | cosmos_options()
    assert "enable_telemetry" in described["cosmos"] and "broker_url" in described["celery"]
    renamed = set(conf.deprecated_options.values())
    settings = {k for s in compose["services"].values() for k in environment(s) if k.startswith("AIRFLOW__")}
    assert settings
    for setting in sorted(settings):
        section, key = (part.lower() for part in setting.removeprefix("AIRFLOW__").split("__", 1))
        assert key in described.get(section, set()), f"{setting}: no such Airflow option"
        assert not [r for r in renamed if r[:2] == (section, key)], f"{setting} is a deprecated name"


def test_a_scheduler_with_the_compose_environment_loads_celery_and_lints_clean(compose, tmp_path):
    """Airflow itself, under the scheduler's environment: the executor class loads, the broker and
    result backend are read, and `airflow config lint` finds no Airflow 2 setting."""
    env = {**environment(compose["services"]["airflow-scheduler"]), "AIRFLOW_HOME": str(tmp_path),
           "PATH": str(Path(sys.executable).parent), "PYTHONWARNINGS": "ignore"}
    probe = ("from airflow.configuration import conf\n"
             "from airflow.executors.executor_loader import ExecutorLoader\n"
             "cls, _ = ExecutorLoader.import_default_executor_cls()\n"
             "print(cls.__name__, conf.get('celery', 'broker_url').split('@')[1], "
             "conf.get('celery', 'result_backend').split('@')[1])")
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.split()[-3:] == ["CeleryExecutor", "redis:6379/0", "postgres:5432/airflow"]
    # `executor` is reported only because its default changed (SequentialExecutor -> LocalExecutor).
    lint = subprocess.run([sys.executable, "-m", "airflow", "config", "lint", "--ignore-option", "executor"],
                          env=env, capture_output=True, text=True)
    assert lint.returncode == 0 and "No issues found" in lint.stdout, lint.stdout[-3000:] + lint.stderr[-2000:]


def test_image_matches_the_lock():
    dockerfile = (ROOT / "include/docker/Dockerfile").read_text()
    airflow, python = re.search(r"^FROM apache/airflow:([\d.]+)-python([\d.]+)$", dockerfile, re.M).groups()
    lock = (ROOT / "requirements.txt").read_text()
    assert f"\napache-airflow=={airflow}\n" in lock and "\napache-airflow-providers-celery==" in lock
    assert f'requires-python = ">={python}' in (ROOT / "pyproject.toml").read_text()
    assert "-r /requirements.txt" in dockerfile


def test_code_is_mounted_where_airflow_and_the_project_look(compose):
    """dags and plugins where Airflow's defaults put them under /opt/airflow, and the repository
    layout kept (the dbt project and landing migrations are found relative to the plugins)."""
    from airflow.configuration import conf

    core = conf.configuration_description["core"]["options"]
    home = "/opt/airflow"
    assert core["dags_folder"]["default"] == "{AIRFLOW_HOME}/dags"
    assert core["plugins_folder"]["default"] == "{AIRFLOW_HOME}/plugins"
    pythonpath = re.search(r"^ENV PYTHONPATH=(\S+)$", (ROOT / "include/docker/Dockerfile").read_text(), re.M)[1]
    assert {f"{home}/plugins", f"{home}/include"} <= set(pythonpath.split(":"))
    for name in ("airflow-scheduler", "airflow-worker", "airflow-dag-processor", "airflow-api-server"):
        mounts = {v.split(":")[0]: v.split(":")[1] for v in compose["services"][name]["volumes"]}
        for folder in ("dags", "plugins", "include", "dbt_project"):
            assert mounts.get(f"./{folder}") == f"{home}/{folder}", (name, folder)


# --- connections ------------------------------------------------------------------------------

def connection(conn_id: str, value: str):
    from airflow.models.connection import Connection

    if value.lstrip().startswith("{"):
        return Connection.from_json(value, conn_id=conn_id)
    return Connection(conn_id=conn_id, uri=value)


def venue_conn_ids() -> set[str]:
    ids = set()
    for source in sources():
        adapter = get_adapter(source)
        ids |= set(adapter.conn_ids([*adapter.reference_resources, *adapter.market_resources]))
    return ids


def test_connections_are_the_project_connection_ids(airflow_services):
    worker = environment(airflow_services["airflow-worker"])
    ids = {k.removeprefix("AIRFLOW_CONN_").lower() for k in worker if k.startswith("AIRFLOW_CONN_")}
    assert ids == venue_conn_ids() | {WAREHOUSE_CONN_ID}
    assert venue_conn_ids() == set(LIVE_HOSTS)


def test_venue_connections_reach_the_live_apis_by_default(airflow_services):
    worker = environment(airflow_services["airflow-worker"])
    for conn_id, url in LIVE_HOSTS.items():
        assert base_url_from_connection(connection(conn_id, worker[f"AIRFLOW_CONN_{conn_id.upper()}"])) == url


def test_env_example_points_the_venues_at_the_compose_simulator(env, compose):
    """The simulator overrides shown in .env.example resolve to the simulator service's paths."""
    simulator = compose["services"]["venue-simulator"]
    port = simulator["command"][simulator["command"].index("--port") + 1]
    assert f"127.0.0.1:{port}:{port}" in simulator["ports"]
    examples = commented_assignments(ENV_EXAMPLE.read_text())
    resolved = load_compose({**env, **{k: v for k, v in examples if "venue-simulator" in v}})
    worker = environment(resolved["services"]["airflow-worker"])
    for conn_id, path in SIMULATED_HOSTS.items():
        url = base_url_from_connection(connection(conn_id, worker[f"AIRFLOW_CONN_{conn_id.upper()}"]))
        assert url == f"http://venue-simulator:{port}/{path}"


def test_env_example_kalshi_signing_connection_parses():
    (example,) = [v for k, v in commented_assignments(ENV_EXAMPLE.read_text())
                  if k == "AIRFLOW_CONN_KALSHI" and v.startswith("{")]
    conn = connection("kalshi", example)
    assert base_url_from_connection(conn) == LIVE_HOSTS["kalshi"]
    assert conn.login and conn.password.startswith("-----BEGIN PRIVATE KEY-----\n")


def test_warehouse_and_metadata_connections_match_the_bootstrap(compose, env, airflow_services):
    """The init step creates the databases and roles the connections log in with."""
    args = bootstrap_args(compose)
    database = args[args.index("--database") + 1]
    metadata = args[args.index("--metadata-database") + 1]
    init = environment(compose["services"]["airflow-init"])
    worker = environment(airflow_services["airflow-worker"])
    warehouse = connection(WAREHOUSE_CONN_ID, worker["AIRFLOW_CONN_WAREHOUSE"])
    assert (warehouse.host, warehouse.port, warehouse.schema) == ("postgres", 5432, database)
    assert (warehouse.login, warehouse.password) == (init["PM_PG_ROLE"], env["PM_PG_PASSWORD"])
    assert init["PM_PG_PASSWORD"] == env["PM_PG_PASSWORD"]
    for key in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__RESULT_BACKEND"):
        login, rest = worker[key].split("://", 1)[1].split("@")
        assert login == f"{init['PM_AIRFLOW_DB_ROLE']}:{env['AIRFLOW_DB_PASSWORD']}"
        assert rest == f"postgres:5432/{metadata}"
    admin = dsn_parts(init["PM_PG_ADMIN_DSN"])
    assert admin == {"host": "postgres", "port": "5432", "dbname": "postgres", "user": "postgres",
                     "password": env["POSTGRES_PASSWORD"]}
    assert "postgres" in compose["services"] and warehouse.login != admin["user"]


# --- the init step ----------------------------------------------------------------------------

def test_init_bootstraps_least_privilege_before_anything_else(compose):
    from local_stack.bootstrap_postgres import parse_args

    script = [line.strip() for line in init_script(compose).splitlines() if line.strip()]
    assert script[0] == "set -euo pipefail"
    assert script[1].startswith("python -m local_stack.bootstrap_postgres ")
    assert script.index("airflow db migrate") > 1
    parsed = parse_args(bootstrap_args(compose))
    assert parsed.database and parsed.metadata_database and not parsed.no_metadata
    pools = {shlex.split(line)[3] for line in script if line.startswith("airflow pools set ")}
    # One pool per venue for the hourly DAG, one for its full sync (the pools the DAGs name).
    assert pools == set(sources()) | {f"{s}_backfill" for s in sources()}
    # The superuser password serves only the bootstrap: no init SQL with its own roles.
    postgres = compose["services"]["postgres"]
    assert not [v for v in postgres.get("volumes", []) if "docker-entrypoint-initdb.d" in v]
    assert (ROOT / "include/local_stack/bootstrap_postgres.py").is_file()
