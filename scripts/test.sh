#!/usr/bin/env bash
# One command: install CareQual with its test tools, run the checks, then the whole test suite.
#
#   bash scripts/test.sh                 everything: ruff check, ruff format --check, mypy, pytest
#   bash scripts/test.sh -q tests/ui     extra arguments go to pytest
#
# Any check that fails fails the run (after all of them have reported). The suite runs on
# every core with pytest-xdist; pass -n 0 to run it in one process.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/bootstrap.sh" --test
cd "$ROOT"
export QT_QPA_PLATFORM=offscreen

failed=()
check() {
  local name="$1"
  shift
  echo "== $name"
  if ! "$@"; then
    failed+=("$name")
  fi
}
check "ruff check" .venv/bin/ruff check .
check "ruff format" .venv/bin/ruff format --check .
check "mypy" .venv/bin/mypy  # files and strictness: [tool.mypy] in pyproject.toml
if ((${#failed[@]})); then
  echo "FAILED before the tests: ${failed[*]}" >&2
  exit 1
fi

echo "== pytest"
exec .venv/bin/python -m pytest -n auto --dist loadfile "$@"
