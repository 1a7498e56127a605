#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine with Swift: installs the system
# packages when missing, builds everything (failing on any compiler warning in our own
# sources), then runs every test. Unless MLPIPE_TEST_POSTGRES_URL already names a server,
# the tests get a throwaway PostgreSQL server (Scripts/postgres.sh), stopped on exit; and
# MLPIPE_TEST_POSTGRES_REQUIRED=1, so the PostgreSQL tests fail rather than skip without one.
# Then Scripts/two-hosts.sh runs the store and mlpipe in two network namespaces, and
# Scripts/browser/report-e2e.sh checks the reports in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
./Scripts/install-system-packages.sh

# Debian 12's OpenBLAS 0.3.21 does not know CPUs released after it and falls back to its
# generic Prescott kernels, 2.5-3.5x slower (Documentation/Performance.md, "The machine"):
# choose the kernels the CPU supports, unless the caller chose already.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ -r /proc/cpuinfo ]; then
    if grep -qw avx512f /proc/cpuinfo; then
        export OPENBLAS_CORETYPE=SkylakeX
    elif grep -qw avx2 /proc/cpuinfo; then
        export OPENBLAS_CORETYPE=Haswell
    fi
fi

build_log=$(mktemp)
postgres_dir=""
cleanup() {
    rm -f "$build_log"
    if [ -n "$postgres_dir" ]; then
        ./Scripts/postgres.sh stop "$postgres_dir" \
            || echo "warning: could not stop the test PostgreSQL server in $postgres_dir" >&2
    fi
}
trap cleanup EXIT

if [ -z "${MLPIPE_TEST_POSTGRES_URL:-}" ]; then
    postgres_dir=$(mktemp -d "${TMPDIR:-/tmp}/mlpipe-pg.XXXXXX")
    if ! MLPIPE_TEST_POSTGRES_URL=$(./Scripts/postgres.sh start "$postgres_dir"); then
        echo "error: could not start the test PostgreSQL server (Scripts/postgres.sh, above)" >&2
        exit 1
    fi
    export MLPIPE_TEST_POSTGRES_URL
fi
export MLPIPE_TEST_POSTGRES_REQUIRED=1

swift build --build-tests 2>&1 | tee "$build_log"
# Our own code builds without warnings (dependencies' warnings are theirs).
root=$(pwd)
if grep -E "^${root}/(Sources|Tests|Examples)/.*: warning:" "$build_log"; then
    echo "error: the build above has warnings in our own sources" >&2
    exit 1
fi

swift test --skip-build

# Several hosts for real: PostgreSQL in one network namespace, mlpipe processes in another
# (the deploy race and two workers over a veth link); says SKIPPED where namespaces are not permitted.
./Scripts/two-hosts.sh --mlpipe "$(swift build --show-bin-path)/mlpipe"

# Reports in a real browser: headless Chromium on the breast cancer example's report file and
# on the pages `mlpipe serve` shows, which must reload themselves when the deployment changes
# (installs Debian's chromium and a Python venv with Playwright when missing).
./Scripts/browser/report-e2e.sh --mlpipe "$(swift build --show-bin-path)/mlpipe"
