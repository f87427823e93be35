"""Create (or repair) the platform's roles and databases; run with the administrator connection.

    include/bin/bootstrap-postgres [--database prediction_markets] [--metadata-database NAME | --no-metadata]

Environment: PM_PG_ADMIN_DSN (administrator, default: postgres over 127.0.0.1 with trust),
PM_PG_ROLE / PM_PG_PASSWORD (runtime role, default pm), PM_AIRFLOW_DB_ROLE /
PM_AIRFLOW_DB_PASSWORD (metadata owner, default pm_airflow). A password given in the environment
is (re)set on its role; otherwise an existing role keeps its password. Idempotent: run it again
after an upgrade, or to strip an over-privileged runtime role (CREATEROLE, CREATEDB, SUPERUSER,
server file/program roles) back to what it needs.
"""

from __future__ import annotations

import argparse
import os
import sys

from local_stack import warehouse
from local_stack.roles import ANALYST_ROLE


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database", default=os.environ.get("PM_DATABASE", "prediction_markets"),
                   help="warehouse database (owned by the runtime role)")
    p.add_argument("--metadata-database", help="Airflow metadata database (default: <database>_airflow)")
    p.add_argument("--no-metadata", action="store_true", help="no Airflow metadata database (SQLite metadata)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        db = warehouse.ensure_database(args.database, reset_password="PM_PG_PASSWORD" in os.environ)
        print(f"warehouse  {db.name}  owner {db.role} (no CREATEROLE, CREATEDB, SUPERUSER); "
              f"{ANALYST_ROLE} may connect")
        if not args.no_metadata:
            meta = warehouse.ensure_metadata_database(args.metadata_database or f"{args.database}_airflow",
                                                      reset_password="PM_AIRFLOW_DB_PASSWORD" in os.environ)
            print(f"metadata   {meta.name}  owner {meta.role}; no other role may connect")
    except warehouse.WarehouseUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
