#!/usr/bin/env bash
# The SDK's main job on a fresh Debian/Ubuntu machine with Swift: installs the system
# packages when missing, then builds and runs the example (a least-squares fit through
# LAPACK) in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."
./Scripts/install-system-packages.sh
swift run -c release LeastSquaresExample
