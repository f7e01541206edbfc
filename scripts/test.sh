#!/usr/bin/env bash
# One command: install CareQual with its test tools and run the whole test suite.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/bootstrap.sh" --test
cd "$ROOT"
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest "$@"
