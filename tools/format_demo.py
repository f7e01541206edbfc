"""Tidy and check the demo workshop after editing it by hand.

``resources/demo/demo-workshop.json`` is the demo's source, in the exchange format
(version 1, docs/exchange-format.md); nothing generates it. This rewrites it in the
canonical layout (two-space indent, UTF-8 text rather than escapes, one newline at the
end) so that diffs stay readable, and checks it against the exchange schema and the
importer's rules. What the demo promises (22 indicators, 40 evidence items of every
kind, 16 SMART actions, 2 overdue, ...) is checked by ``tests/services/test_demo.py``.

Usage: python tools/format_demo.py [--check]    (--check: change nothing, exit 1 if untidy)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_JSON = ROOT / "resources" / "demo" / "demo-workshop.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report; change nothing")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from carequal_desktop.errors import UserError
    from carequal_desktop.services.exchange import validate_document

    text = DEMO_JSON.read_text(encoding="utf-8")
    try:
        doc = json.loads(text)
        validate_document(doc)
    except (ValueError, UserError) as exc:
        print(f"{DEMO_JSON.name}: {exc}", file=sys.stderr)
        return 1
    canonical = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if text == canonical:
        print(f"{DEMO_JSON.name} is valid and tidy.")
        return 0
    if args.check:
        print(f"{DEMO_JSON.name} is valid but not tidy: run python tools/format_demo.py")
        return 1
    DEMO_JSON.write_text(canonical, encoding="utf-8", newline="\n")
    print(f"{DEMO_JSON.name} is valid; tidied.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
