#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine with Swift: installs the system
# packages when missing, builds everything (failing on any compiler warning in our own
# sources), then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
./Scripts/install-system-packages.sh

build_log=$(mktemp)
trap 'rm -f "$build_log"' EXIT
swift build --build-tests 2>&1 | tee "$build_log"
# Our own code builds without warnings (dependencies' warnings are theirs).
root=$(pwd)
if grep -E "^${root}/(Sources|Tests|Examples)/.*: warning:" "$build_log"; then
    echo "error: the build above has warnings in our own sources" >&2
    exit 1
fi

swift test --skip-build
