#!/usr/bin/env bash
# One command: install CareQual and open it on the bundled demo workshop.
# Without a screen (a server, a container), it runs on a virtual 1366x768 screen and
# saves a picture of the window to screenshots/demo.png instead.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/bootstrap.sh"
cd "$ROOT"
if [[ -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ]]; then
  exec .venv/bin/python main.py --demo "$@"
fi
mkdir -p screenshots
echo "No screen found: opening the demo on a virtual 1366x768 screen."
xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python main.py --demo --screenshot screenshots/demo.png "$@"
echo "The window opened on the demo workshop; its picture is in screenshots/demo.png"
