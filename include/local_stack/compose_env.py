"""Write the .env of docker-compose.yaml from .env.example, with every empty value generated.

    include/bin/compose-env [--output .env] [--force]

The Fernet key is a Fernet key; every other secret is 32 random bytes, URL-safe (it goes into
connection URIs). Lines with a value and comments are copied as they are. An existing file is
kept unless --force: regenerating the passwords of a running deployment locks it out.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet

from local_stack.env import ROOT

TEMPLATE = ROOT / ".env.example"
EMPTY = re.compile(r"^([A-Z][A-Z0-9_]*)=\s*$")


def generated(name: str) -> str:
    if name.endswith("FERNET_KEY"):
        return Fernet.generate_key().decode()
    return secrets.token_urlsafe(32)


def render(template: str) -> str:
    lines = []
    for line in template.splitlines():
        match = EMPTY.match(line)
        lines.append(f"{match.group(1)}={generated(match.group(1))}" if match else line)
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--output", type=Path, default=ROOT / ".env")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    args = p.parse_args(argv)
    if args.output.exists() and not args.force:
        print(f"{args.output} exists; kept (--force regenerates every secret)", file=sys.stderr)
        return 1
    fd = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(render(TEMPLATE.read_text()))
    os.chmod(args.output, 0o600)
    print(f"wrote {args.output} (mode 600); keep it out of version control")
    return 0


if __name__ == "__main__":
    sys.exit(main())
