"""Exit with a clear message (not a stack trace) when the warehouse Postgres is down."""

import sys

from local_stack.warehouse import WarehouseUnavailable, admin_connect

if __name__ == "__main__":
    try:
        admin_connect().close()
    except WarehouseUnavailable as exc:
        sys.exit(f"error: {exc}")
