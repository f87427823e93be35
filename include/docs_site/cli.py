"""`include/bin/docs`: generate the dbt docs site against a warehouse, then print the path of its
static page, serve it, or refresh the screenshots in docs/screenshots/."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from docs_site import screenshots, site
from prediction_markets.export.connection import describe, warehouse_params


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="include/bin/docs",
        description="Generate the dbt docs site (dbt docs generate --static) and print the path of the page to "
                    "open, or serve it.")
    parser.add_argument("--serve", action="store_true", help="serve the site over HTTP until interrupted")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind when serving (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8081, help="port to bind when serving (default 8081; 0: any free)")
    parser.add_argument("--screenshots", action="store_true",
                        help="refresh docs/screenshots/ (a mart's page, the lineage graph, their fingerprint)")
    parser.add_argument("--target-dir", type=Path, default=site.DEFAULT_TARGET,
                        help="where dbt writes the site (default dbt_project/target)")
    parser.add_argument("--no-generate", action="store_true", help="use the site already in --target-dir")
    parser.add_argument("--dsn", help="libpq connection string or URI of the warehouse (default: the PM_PG_* "
                                      "variables, else AIRFLOW_CONN_WAREHOUSE, else the local defaults)")
    args = parser.parse_args(argv)

    target = args.target_dir.resolve()
    page = target / site.STATIC_FILE
    if not args.no_generate:
        params = warehouse_params(args.dsn)
        print(f"docs: dbt docs generate --static against {describe(params)}", flush=True)
        page = site.generate(params, target)
    if not page.exists():
        parser.error(f"{page} does not exist: run without --no-generate")
    print(f"docs: {page}  (one self-contained file: open it in a browser)", flush=True)
    if args.screenshots:
        manifest = json.loads((target / "manifest.json").read_text())
        for path in screenshots.take(page, manifest):
            print(f"docs: wrote {path.relative_to(screenshots.ROOT)}", flush=True)
    if args.serve:
        server = site.server(target, args.host, args.port)
        host, port = server.server_address[:2]
        print(f"docs: serving http://{host}:{port}/ (Ctrl-C stops)", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
