#!/usr/bin/env bash
# The SDK's main job on a fresh Debian/Ubuntu machine with Swift: installs the system
# packages when missing, builds `mlpipe` in release mode, then runs the breast cancer
# pipeline of Examples/BreastCancer (dataset generation, a 6-combination random forest
# grid, testing, automatic deployment), predicts new records into a CSV, prints the
# models with their scores and which one is deployed, writes the pipeline's HTML report,
# then serves the deployed model over HTTP (`mlpipe serve`) and asks it for a prediction
# with curl (and once with a wrong token).
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
# The pipeline's report: one HTML file with the models, the score chart, the confusion
# matrix, the ROC curve and the feature importances (open it in any browser, offline).
"$mlpipe" report --store "$store" --pipeline breast-cancer --output .mlpipe/report.html
echo

# The spec declares the API endpoint `breast-cancer`: give it a token, serve it, ask it.
token=$("$mlpipe" tokens create --store "$store" --endpoint breast-cancer --label quickstart --json 2>/dev/null \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')
"$mlpipe" serve --store "$store" --port 0 --json > .mlpipe/serve.out 2> .mlpipe/serve.log &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q listening .mlpipe/serve.out 2>/dev/null && break; sleep 0.1; done
url=$(python3 -c 'import json; print(json.load(open(".mlpipe/serve.out"))["listening"])')
# The first new patient, with the features the deployed model reads (from GET /v1/endpoints/NAME).
record=$(URL="$url" TOKEN="$token" python3 - <<'PY'
import csv, json, os, urllib.request
request = urllib.request.Request(os.environ["URL"] + "/v1/endpoints/breast-cancer",
                                 headers={"Authorization": "Bearer " + os.environ["TOKEN"]})
features = [f["name"] for f in json.load(urllib.request.urlopen(request))["model"]["schema"]["features"]]
with open("Examples/BreastCancer/data/new_patients.csv") as f:
    row = next(csv.DictReader(f))
print(json.dumps({"records": [{name: float(row[name]) for name in features}]}))
PY
)
echo "POST $url/v1/endpoints/breast-cancer/predictions"
curl -sS -H "Authorization: Bearer $token" -H "Content-Type: application/json" -d "$record" \
    "$url/v1/endpoints/breast-cancer/predictions"
echo
echo "the same with a wrong token:"
curl -sS -o /dev/null -w "HTTP %{http_code}\n" -H "Authorization: Bearer mlpt_wrong" -d "$record" \
    "$url/v1/endpoints/breast-cancer/predictions"
kill "$server"
echo
echo "quickstart finished in $(( $(date +%s) - start )) s after the build"
