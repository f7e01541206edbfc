# CareQual Desktop: common tasks. `make help` lists them.
PYTHON ?= .venv/bin/python

.PHONY: help test lock build frozen-check installer installer-check iscc-tools

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-16s %s\n", $$1, $$2}'

test:  ## ruff, mypy and the whole test suite (the README's test command)
	bash scripts/test.sh

lock:  ## refresh requirements/lock.txt and app.txt from pyproject.toml (requirements/README.md)
	bash scripts/lock.sh

build:  ## PyInstaller one-folder build into packaging/dist/CareQual (~1 min)
	$(PYTHON) packaging/build.py

frozen-check:  ## build, then run the frozen app: --version, --smoke --demo, import-json, export-docx + validator (~2 min)
	$(PYTHON) packaging/build.py --check

iscc-tools:  ## install wine (with i386) and Inno Setup's ISCC into packaging/.tools (needs root; ~1-2 min)
	bash packaging/install-iscc.sh

installer: iscc-tools  ## build, then compile installer.iss with ISCC under wine (~3-4 min)
	$(PYTHON) packaging/build.py --installer

installer-check: iscc-tools  ## ISCC without output on the existing build: syntax and paths (~3 s)
	$(PYTHON) packaging/build.py --installer-check --no-build
