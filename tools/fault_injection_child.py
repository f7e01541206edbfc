"""The process ``fault_injection.py`` kills: opens a workshop and edits it until killed.

    python tools/fault_injection_child.py FILE SEED FIRST_EDIT_NUMBER
    python tools/fault_injection_child.py --merge INTO FROM     (a merge, killed midway)

Prints ``READY`` once the workshop is open, then ``COMMITTED <n> <digest>`` after each
edit's service call has returned (that is, after it was committed), flushed at once.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fault_injection import edit_until_killed, merge_until_killed  # noqa: E402

if __name__ == "__main__":
    if sys.argv[1] == "--merge":
        merge_until_killed(Path(sys.argv[2]), Path(sys.argv[3]), sys.stdout)
    else:
        edit_until_killed(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.stdout)
