#!/usr/bin/env bash
# Reports in a real browser, end to end: runs the breast cancer example into a fresh store,
# writes its report file and checks it in headless Chromium (offline, no console error, the
# charts Documentation/Reports.md names, a models table row per model); then serves the
# store with `mlpipe serve`, checks the registry's and the pipeline's pages with a viewer
# token, and undeploys the model from another process: the open page must reload itself.
# Screenshots (light and dark) land in Screenshots/ (ignored by git).
#
#   Scripts/browser/report-e2e.sh [--mlpipe PATH]     (default: the debug build's mlpipe)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
mlpipe=""
if [ "${1:-}" = "--mlpipe" ]; then mlpipe="$2"; fi
[ -n "$mlpipe" ] || mlpipe="$(swift build --show-bin-path)/mlpipe"

work=$(mktemp -d "${TMPDIR:-/tmp}/mlpipe-report-e2e.XXXXXX")
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
cp -R Examples/BreastCancer/. "$work/"
cd "$work"

"$mlpipe" run --spec spec.json > run.log
"$mlpipe" report --pipeline breast-cancer --output breast-cancer-report.html
charts=(--require-chart score-history --require-chart confusion-matrix --require-chart roc --require-chart feature-importances)
"$root/Scripts/browser/check.sh" "$work/breast-cancer-report.html" --min-charts 5 "${charts[@]}"

token=$("$mlpipe" tokens create --viewer --label report-e2e --json 2>/dev/null \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])')
"$mlpipe" serve --port 0 --json > serve.out 2> serve.log &
server=$!
url=""
for _ in $(seq 300); do
    url=$(python3 -c 'import json; print(json.loads(open("serve.out").readline())["listening"])' 2>/dev/null || true)
    [ -n "$url" ] && break
    sleep 0.1
done
if [ -z "$url" ]; then
    echo "error: mlpipe serve did not start:" >&2
    cat serve.log >&2
    exit 1
fi
"$root/Scripts/browser/check.sh" "$url/" --token "$token"
"$root/Scripts/browser/check.sh" "$url/pipelines/breast-cancer" --token "$token" --min-charts 5 "${charts[@]}" \
    --reload-after "cd '$work' && '$mlpipe' undeploy --pipeline breast-cancer"
