#!/usr/bin/env bash
# Refresh the pinned versions in requirements/ from pyproject.toml (see requirements/README.md).
#
#   bash scripts/lock.sh              keep today's pins where pyproject still allows them
#   bash scripts/lock.sh --upgrade    move every pin to the newest version pyproject allows
#
# The pins hold on Windows and Linux alike (uv's --universal writes platform markers) for
# every Python the project supports; each line carries the hashes of its files, so pip
# installs exactly those files.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UV_VERSION="0.13.9"  # the resolver's version: another may order or mark lines differently

TOOLS="$(mktemp -d)"
trap 'rm -rf "$TOOLS"' EXIT
"${PYTHON:-python3}" -m venv "$TOOLS/venv"
"$TOOLS/venv/bin/python" -m pip install -q "uv==$UV_VERSION"
UV="$TOOLS/venv/bin/uv"

cd "$ROOT"
COMMON=(--universal --python-version 3.11 --generate-hashes --quiet "$@")
# Everything: the app, its test tools and the frozen build's tools (bootstrap --test, CI,
# packaging/build.py, the Windows workflow).
"$UV" pip compile pyproject.toml --extra test --extra build "${COMMON[@]}" \
  --custom-compile-command "bash scripts/lock.sh" -o requirements/lock.txt
# The app alone (scripts/run-demo.sh), at exactly the versions of lock.txt.
"$UV" pip compile pyproject.toml --constraint requirements/lock.txt "${COMMON[@]}" \
  --custom-compile-command "bash scripts/lock.sh" -o requirements/app.txt
echo "Wrote requirements/lock.txt and requirements/app.txt; commit them with pyproject.toml."
