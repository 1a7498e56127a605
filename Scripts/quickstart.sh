#!/usr/bin/env bash
# The SDK's main job on a fresh Debian/Ubuntu machine with Swift: installs the system
# packages when missing, builds `mlpipe` in release mode, then runs the breast cancer
# pipeline of Examples/BreastCancer (dataset generation, a 6-combination random forest
# grid, testing, automatic deployment), predicts new records into a CSV, and prints the
# models with their scores and which one is deployed.
set -euo pipefail
cd "$(dirname "$0")/.."
./Scripts/install-system-packages.sh
swift build -c release --product mlpipe
mlpipe="$(swift build -c release --show-bin-path)/mlpipe"

store=.mlpipe/quickstart.sqlite
rm -f "$store" "$store-wal" "$store-shm"   # start afresh, so the output is the tutorial's
start=$(date +%s)

"$mlpipe" run --store "$store" --spec Examples/BreastCancer/spec.json
echo
"$mlpipe" predict --store "$store" --pipeline breast-cancer \
    --input Examples/BreastCancer/data/new_patients.csv --output .mlpipe/predictions.csv
head -n 6 .mlpipe/predictions.csv
echo "…"
echo
"$mlpipe" history --store "$store" --pipeline breast-cancer
echo
echo "quickstart finished in $(( $(date +%s) - start )) s after the build"
