#!/usr/bin/env bash
# Several hosts for real: the store on one network namespace, `mlpipe` processes on another,
# joined by a veth pair (Documentation/Testing.md, "Two hosts over a veth link").
#
#   Scripts/two-hosts.sh [--mlpipe PATH]
#
#   --mlpipe PATH   the mlpipe binary to test (default: `swift build --product mlpipe`, then
#                   $(swift build --show-bin-path)/mlpipe)
#
# Creates namespaces mlpipe-db-PID (10.231.0.1/24) and mlpipe-app-PID (10.231.0.2/24) joined
# by a veth pair, starts a throwaway PostgreSQL server inside the first (Scripts/postgres.sh
# with MLPIPE_POSTGRES_LISTEN=10.231.0.1), and runs every `mlpipe` in the second, so each one
# reaches the store over the link only. Then:
#   1. deploy race: two concurrent loops of 15 `mlpipe deploy` each (alternating the two
#      models of a pipeline) while a third lists the models: every deploy exits 0, every
#      listing shows exactly one deployed model, the deployment history chains;
#   2. workers: 20 runs queued (`mlpipe run --queue`, of two pipelines alternately), drained
#      by two `mlpipe worker` processes; worker A is killed (SIGKILL) mid-run; each queued run
#      ends finished with exactly one succeeded run, the one A held is retried by B and A's
#      run marked failed.
# Everything (processes, server, namespaces) is removed on exit, however the script ends;
# so are the temporary files, unless it fails: then it names the directory holding the
# outputs of every mlpipe command and worker.
#
# Exit status: 0 when every check passes, and also when network namespaces are not
# permitted here (not root and no CAP_NET_ADMIN, `ip netns add` refused, e.g. in an
# unprivileged container): then it prints one line `two-hosts: SKIPPED: <reason>` and does
# nothing else. 1 when a check fails (each failure is printed as `two-hosts: FAILED: …`),
# 2 for a usage error. Needs root (or CAP_NET_ADMIN and CAP_SYS_ADMIN), iproute2 and jq
# (installed with apt-get when missing and root) and PostgreSQL
# (Scripts/install-system-packages.sh). TWO_HOSTS_TIMEOUT (seconds, default 300) bounds the
# wait for the workers to drain the queue.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd -P)

readonly subnet_db=10.231.0.1
readonly subnet_app=10.231.0.2
readonly deployers=2 deploys_per_loop=15 queued_runs=20
readonly drain_timeout=${TWO_HOSTS_TIMEOUT:-300}

say() { echo "two-hosts: $*"; }
note() { echo "two-hosts: $*" >&2; }
skip() {
    echo "two-hosts: SKIPPED: $*"
    exit 0
}
die() {
    echo "two-hosts: error: $*" >&2
    exit 1
}
failures=0
fail() {
    echo "two-hosts: FAILED: $*"
    failures=$((failures + 1))
}
usage() {
    sed -n '5,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

mlpipe=""
while [ $# -gt 0 ]; do
    case "$1" in
        --mlpipe)
            [ $# -ge 2 ] && [ -n "$2" ] || usage
            mlpipe=$2
            shift 2
            ;;
        --mlpipe=*)
            mlpipe=${1#--mlpipe=}
            shift
            ;;
        -h|--help) usage ;;
        *) usage ;;
    esac
done
[[ "$drain_timeout" =~ ^[1-9][0-9]*$ ]] || die "TWO_HOSTS_TIMEOUT must be a whole number of seconds, not '$drain_timeout'"
if [ -n "$mlpipe" ]; then
    [ -x "$mlpipe" ] || die "--mlpipe $mlpipe is not an executable file"
    mlpipe=$(cd "$(dirname "$mlpipe")" && pwd -P)/$(basename "$mlpipe")
fi

# --- May we create network namespaces? -------------------------------------------------

# Whether the effective capability set holds capability number $1.
has_capability() {
    local hex
    hex=$(awk '/^CapEff:/ {print $2}' /proc/self/status 2>/dev/null || true)
    [ -n "$hex" ] && (( (16#$hex >> $1) & 1 ))
}

# Installs Debian package $2 when command $1 is missing (root only); false when still missing.
ensure_command() {
    local command=$1 package=$2
    command -v "$command" >/dev/null 2>&1 && return 0
    [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
    note "installing $package (for $command)"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >&2 \
        || return 1
    command -v "$command" >/dev/null 2>&1
}

if [ "$(id -u)" -ne 0 ] && ! { has_capability 12 && has_capability 21; }; then
    skip "network namespaces need root (or CAP_NET_ADMIN and CAP_SYS_ADMIN); running as $(id -un) without them"
fi
ensure_command ip iproute2 || skip "the ip command (Debian's iproute2) is missing and cannot be installed here"
ensure_command jq jq || die "jq is missing and cannot be installed here (apt-get install jq)"
# PostgreSQL is a test dependency like the others, not a reason to skip.
if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && ! command -v initdb >/dev/null 2>&1; then
    die "PostgreSQL is not installed; run Scripts/install-system-packages.sh"
fi

db_ns=mlpipe-db-$$
app_ns=mlpipe-app-$$
namespaces=()
postgres_dir=""
work=""
background=()   # every process started in the background, killed on exit when still running

cleanup() {
    local status=$? pid
    trap - EXIT INT TERM HUP
    for pid in "${background[@]}"; do
        kill -9 "$pid" 2>/dev/null || true
    done
    for pid in "${background[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ ${#namespaces[@]} -gt 0 ]; then
        # Anything still running in the app namespace was started by this script.
        for pid in $(ip netns pids "$app_ns" 2>/dev/null || true); do
            kill -9 "$pid" 2>/dev/null || true
        done
    fi
    if [ -n "$postgres_dir" ]; then
        "$root/Scripts/postgres.sh" stop "$postgres_dir" \
            || echo "two-hosts: warning: could not stop the PostgreSQL server in $postgres_dir" >&2
    fi
    for ns in "${namespaces[@]}"; do
        # Deleting a namespace deletes its end of the veth pair, and so the pair.
        ip netns del "$ns" 2>/dev/null || echo "two-hosts: warning: could not delete network namespace $ns" >&2
    done
    if [ -n "$work" ] && [ "$status" -ne 0 ]; then
        echo "two-hosts: the logs and mlpipe outputs are kept in $work" >&2
    elif [ -n "$work" ]; then
        rm -rf -- "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if ! error=$(ip netns add "$db_ns" 2>&1); then
    skip "cannot create a network namespace here (ip netns add: ${error//$'\n'/ })"
fi
namespaces+=("$db_ns")
ip netns add "$app_ns" || die "could not create network namespace $app_ns"
namespaces+=("$app_ns")

# --- The link -----------------------------------------------------------------------------

started=$SECONDS
# The pair is made inside the db namespace, so its names never meet the host's interfaces.
ip -n "$db_ns" link add veth-db type veth peer name veth-app netns "$app_ns" \
    || die "could not create the veth pair between $db_ns and $app_ns"
ip -n "$db_ns" addr add "$subnet_db/24" dev veth-db
ip -n "$app_ns" addr add "$subnet_app/24" dev veth-app
for ns in "$db_ns" "$app_ns"; do
    ip -n "$ns" link set lo up
done
ip -n "$db_ns" link set veth-db up
ip -n "$app_ns" link set veth-app up
say "namespaces $db_ns ($subnet_db) and $app_ns ($subnet_app) joined by a veth pair"

# --- mlpipe ----------------------------------------------------------------------------

if [ -z "$mlpipe" ]; then
    note "building mlpipe (swift build --product mlpipe)"
    swift build --product mlpipe >&2 || die "swift build --product mlpipe failed"
    mlpipe=$(swift build --show-bin-path)/mlpipe
    [ -x "$mlpipe" ] || die "no mlpipe at $mlpipe after the build"
fi

# --- The store, in the db namespace ----------------------------------------------------------

postgres_dir=$(mktemp -d "${TMPDIR:-/tmp}/mlpipe-pg.XXXXXX")
url=$(MLPIPE_POSTGRES_LISTEN=$subnet_db ip netns exec "$db_ns" "$root/Scripts/postgres.sh" start "$postgres_dir") \
    || die "could not start PostgreSQL in $db_ns (Scripts/postgres.sh, above)"
port=${url##*:}
port=${port%%/*}
case "$url" in
    "postgres://mlpipe@$subnet_db:$port/mlpipe_test") ;;
    *) die "Scripts/postgres.sh printed an unexpected URL: $url" ;;
esac

# Runs "$@" in the app namespace.
app() { ip netns exec "$app_ns" "$@"; }

# The app side reaches the server over the link, and nothing on its own loopback: the
# store really is on another "host".
if ! app timeout 5 bash -c "exec 3<>/dev/tcp/$subnet_db/$port" 2>/dev/null; then
    die "$app_ns cannot reach $subnet_db:$port over the veth link"
fi
if app timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
    die "$app_ns reaches 127.0.0.1:$port: the namespaces are not separate"
fi
client=""
if command -v psql >/dev/null 2>&1; then
    client=$(app psql -X -q -At -d "$url" -c 'select inet_client_addr()') || die "psql in $app_ns cannot log in to $url"
    [ "$client" = "$subnet_app" ] || die "the server sees $app_ns's connection coming from $client, not $subnet_app"
fi
say "PostgreSQL in $db_ns at $url; $app_ns reaches it over the link only${client:+ (the server sees it as $client)}"

work=$(mktemp -d "${TMPDIR:-/tmp}/mlpipe-two-hosts.XXXXXX")
cp -R "$root/Examples/BreastCancer" "$work/example"
cd "$work/example"

# mlpipe in the app namespace; stdout to the caller, stderr to $work/mlpipe.err, shown on failure.
mlp() { app "$mlpipe" "$@"; }
# Runs mlpipe; dies with its stderr when it fails.
mlp_or_die() {
    local output
    if ! output=$(mlp "$@" 2>"$work/last.err"); then
        cat "$work/last.err" >&2
        die "mlpipe $* failed"
    fi
    printf '%s\n' "$output"
}

# --- 1. The deploy race -------------------------------------------------------------------

race_started=$SECONDS
race_store="$url?schema=race&sslmode=disable"
mlp_or_die run --spec spec.json --json --store "$race_store" >"$work/first.json"
mlp_or_die run --spec spec.json --json --jobs training,testing --store "$race_store" >"$work/second.json"
mapfile -t models < <(jq -r '.models[].id' "$work/second.json")
[ ${#models[@]} -eq 2 ] || die "expected two models after two runs, found ${#models[@]}"
history_before=$(mlp_or_die history --pipeline breast-cancer --json --store "$race_store" | jq length)
note "deploy race: models ${models[0]} and ${models[1]}; $deployers loops of $deploys_per_loop deploys and a lister"

mkdir "$work/race"
deploy_loop() {
    local loop=$1 round model status
    for ((round = 0; round < deploys_per_loop; round++)); do
        model=${models[$(((loop + round) % 2))]}
        status=0
        mlp deploy --pipeline breast-cancer "$model" --json --store "$race_store" \
            >"$work/race/deploy-$loop-$round.json" 2>"$work/race/deploy-$loop-$round.err" || status=$?
        echo "$status $model" >"$work/race/deploy-$loop-$round.status"
    done
}
list_loop() {
    local index=0 status
    while [ ! -e "$work/race/done" ]; do
        status=0
        mlp models list --pipeline breast-cancer --json --store "$race_store" \
            >"$work/race/list-$index.json" 2>"$work/race/list-$index.err" || status=$?
        echo "$status" >"$work/race/list-$index.status"
        index=$((index + 1))
    done
}
list_loop &
lister=$!
background+=("$lister")
loops=()
for ((loop = 0; loop < deployers; loop++)); do
    deploy_loop "$loop" &
    loops+=($!)
    background+=($!)
done
for pid in "${loops[@]}"; do
    wait "$pid" || true
done
touch "$work/race/done"
wait "$lister" || true

deploys=0 succeeded=0 changing=0
for status_file in "$work"/race/deploy-*.status; do
    deploys=$((deploys + 1))
    read -r status model <"$status_file"
    base=${status_file%.status}
    if [ "$status" -ne 0 ]; then
        fail "deploy of $model exited $status: $(tr '\n' ' ' <"$base.err")"
        continue
    fi
    succeeded=$((succeeded + 1))
    deployed=$(jq -r .model "$base.json")
    [ "$deployed" = "$model" ] || fail "deploy of $model reported model $deployed"
    if [ "$(jq -r .changed "$base.json")" = true ]; then
        changing=$((changing + 1))
        [ "$(jq -r .previous "$base.json")" != "$model" ] || fail "a changing deploy of $model replaced $model itself"
    fi
done
[ "$deploys" -eq $((deployers * deploys_per_loop)) ] || fail "$deploys deploys ran, not $((deployers * deploys_per_loop))"
listings=0
for status_file in "$work"/race/list-*.status; do
    listings=$((listings + 1))
    base=${status_file%.status}
    if [ "$(cat "$status_file")" -ne 0 ]; then
        fail "mlpipe models list exited $(cat "$status_file"): $(tr '\n' ' ' <"$base.err")"
        continue
    fi
    count=$(jq length "$base.json")
    deployed_count=$(jq '[.[] | select(.deployed == true)] | length' "$base.json")
    [ "$count" -eq 2 ] || fail "a listing shows $count models, not 2"
    [ "$deployed_count" -eq 1 ] || fail "a listing shows $deployed_count deployed models"
done
[ "$listings" -gt 0 ] || fail "no listing was taken during the race"
history=$(mlp_or_die history --pipeline breast-cancer --json --store "$race_store")
history_count=$(jq length <<<"$history")
[ $((history_count - history_before)) -eq "$changing" ] \
    || fail "the history gained $((history_count - history_before)) records for $changing changing deploys"
[ "$changing" -ge 1 ] || fail "no deploy changed the deployment"
broken=$(jq '[. as $h | range(1; length) | select($h[.].previous != $h[. - 1].model or $h[.].model == $h[.].previous)] | length' <<<"$history")
[ "$broken" -eq 0 ] || fail "$broken history record(s) do not replace the model deployed before them"
deployed_now=$(mlp_or_die models list --pipeline breast-cancer --deployed --json --store "$race_store" | jq -r '[.[].id] | join(",")')
[ "$deployed_now" = "$(jq -r '.[-1].model' <<<"$history")" ] \
    || fail "the deployed model ($deployed_now) is not the history's last ($(jq -r '.[-1].model' <<<"$history"))"
say "deploy race: $succeeded of $deploys deploys ($changing changed the deployment), $listings listings, one deployed model in each; history of $history_count records chains ($((SECONDS - race_started)) s)"

# --- 2. Workers ---------------------------------------------------------------------------------

workers_started=$SECONDS
store="$url?schema=workers&sslmode=disable"
# Two pipelines, their runs queued alternately: a pipeline never runs twice at once, so with
# one pipeline the two workers would only take turns (a worker waits for the pipeline).
jq '.pipeline += "-2" | .deployment.consumers |= map(if type == "object" and has("endpoint") then .endpoint += "-2" else . end)' \
    spec.json >spec-2.json   # endpoint names are unique in a store
specs=(spec.json spec-2.json)
pipelines=(breast-cancer breast-cancer-2)
# The datasets first, here: the queued runs train and test on them.
for spec in "${specs[@]}"; do
    mlp_or_die run --spec "$spec" --jobs dataset --json --store "$store" >/dev/null
done
queued=()
for ((index = 0; index < queued_runs; index++)); do
    queued+=("$(mlp_or_die run --spec "${specs[$((index % 2))]}" --queue --jobs training,testing --json --store "$store" \
        | jq -r .queued)")
done
note "workers: queued $queued_runs runs of ${pipelines[*]} (${queued[0]} … ${queued[-1]})"

worker_a_out=$work/worker-a.json worker_b_out=$work/worker-b.json
ip netns exec "$app_ns" "$mlpipe" worker --store "$store" --lease 6 --poll 0.2 --json >"$worker_a_out" 2>"$work/worker-a.err" &
worker_a=$!
background+=("$worker_a")
ip netns exec "$app_ns" "$mlpipe" worker --store "$store" --lease 6 --poll 0.2 --json >"$worker_b_out" 2>"$work/worker-b.err" &
worker_b=$!
background+=("$worker_b")

lines() { if [ -e "$1" ]; then wc -l <"$1"; else echo 0; fi; }

# Let A run a few, then kill it while it holds a claim on a run it has started.
deadline=$((SECONDS + drain_timeout))
while [ "$(lines "$worker_a_out")" -lt 3 ] && [ $(($(lines "$worker_a_out") + $(lines "$worker_b_out"))) -lt 6 ]; do
    kill -0 "$worker_a" 2>/dev/null || die "worker A exited early: $(tr '\n' ' ' <"$work/worker-a.err")"
    [ "$SECONDS" -lt "$deadline" ] || die "the workers ran fewer than 6 runs in $drain_timeout s"
    sleep 0.2
done
held="" held_run=""
while [ -z "$held" ]; do
    [ "$SECONDS" -lt "$deadline" ] || die "worker A (pid $worker_a) was never seen running a queued run"
    snapshot=$(mlp queue --pending --json --store "$store" 2>/dev/null || echo '[]')
    held=$(jq -r --arg pid "pid $worker_a " \
        '[.[] | select(.state == "claimed" and ((.worker // "") | contains($pid)) and (.runs | length) > 0)][0] // empty | "\(.id) \(.runs[-1])"' \
        <<<"$snapshot")
    if [ -n "$held" ]; then
        kill -9 "$worker_a"
        wait "$worker_a" 2>/dev/null || true
        read -r held held_run <<<"$held"
    else
        sleep 0.1
    fi
done
finished_by_a=$(lines "$worker_a_out")
note "workers: killed worker A (pid $worker_a) holding queued run $held (its run $held_run) after $finished_by_a runs"

while :; do
    pending=$(mlp queue --pending --json --store "$store" 2>/dev/null | jq length || echo "?")
    [ "$pending" = 0 ] && break
    if [ "$SECONDS" -ge "$deadline" ]; then
        fail "$pending queued run(s) still pending after $drain_timeout s"
        break
    fi
    kill -0 "$worker_b" 2>/dev/null || { fail "worker B exited: $(tr '\n' ' ' <"$work/worker-b.err")"; break; }
    sleep 0.5
done
kill -TERM "$worker_b" 2>/dev/null || true
wait "$worker_b" 2>/dev/null || true

queue=$(mlp_or_die queue --json --store "$store")
# Every run of both pipelines: its id → its status.
runs=$(for pipeline in "${pipelines[@]}"; do
    mlp_or_die pipelines show "$pipeline" --json --store "$store"
done | jq -s '[.[].runs[] | {(.id): .status}] | add // {}')
total=$(jq length <<<"$queue")
[ "$total" -eq "$queued_runs" ] || fail "the queue holds $total runs, not $queued_runs"
unfinished=$(jq '[.[] | select(.state != "finished")] | length' <<<"$queue")
[ "$unfinished" -eq 0 ] || fail "$unfinished queued run(s) not finished: $(jq -c '[.[] | select(.state != "finished") | {id, state, error}]' <<<"$queue")"
for id in "${queued[@]}"; do
    jq -e --arg id "$id" 'any(.[]; .id == $id)' <<<"$queue" >/dev/null || fail "queued run $id is missing from mlpipe queue"
done
# Each queued run: exactly one of its runs succeeded (the pipeline's run records say).
not_once=$(jq --argjson runs "$runs" '[.[] | select(([.runs[] | select($runs[.] == "succeeded")] | length) != 1) | .id]' <<<"$queue")
[ "$(jq length <<<"$not_once")" -eq 0 ] || fail "queued runs without exactly one succeeded run: $(jq -c . <<<"$not_once")"
succeeded_runs=$(jq --argjson runs "$runs" '[.[].runs[] | select($runs[.] == "succeeded")] | length' <<<"$queue")
retried=$(jq -r '[.[] | select(.attempts == 2) | .id] | join(" ")' <<<"$queue")
retried_count=$(jq '[.[] | select(.attempts == 2)] | length' <<<"$queue")
outcome=""
if [ "$retried_count" -eq 1 ]; then
    # The run A held: its first run (A's) was marked failed, its second (B's) succeeded.
    first_run=$(jq -r --arg id "$retried" '.[] | select(.id == $id) | .runs[0]' <<<"$queue")
    status=$(jq -r --arg run "$first_run" '.[$run] // "missing"' <<<"$runs")
    [ "$status" = failed ] || fail "the run A left running ($first_run, of queued run $retried) is $status, not failed"
    b_status=$(jq -rs --arg id "$retried" '[.[] | select(.id == $id)][-1].status // "missing"' "$worker_b_out")
    [ "$b_status" = succeeded ] || fail "worker B's run of queued run $retried is $b_status, not succeeded"
    a_runs=$(jq -s --arg id "$retried" '[.[] | select(.id == $id)] | length' "$worker_a_out")
    [ "$a_runs" -eq 0 ] || fail "worker A reported queued run $retried, which it was killed running"
    if [ "$retried" = "$held" ] && [ "$first_run" = "$held_run" ]; then
        outcome="worker A killed mid-run, its run retried by B (A's run marked failed)"
    else
        # A finished the run it was seen with and started the next just before the kill.
        outcome="worker A killed mid-run (in $retried, started just after the look at $held), its run retried by B (A's run marked failed)"
    fi
elif [ "$retried_count" -eq 0 ]; then
    # A finished the run it was seen with between the look at the queue and the kill.
    outcome="worker A killed between runs (it finished $held just before), so no run was retried"
else
    fail "$retried_count queued runs took two attempts ($retried), not one"
    outcome="worker A killed; $retried_count runs retried"
fi
say "workers: $total runs, each once ($succeeded_runs succeeded runs); $outcome; A ran $finished_by_a, B $(lines "$worker_b_out") ($((SECONDS - workers_started)) s)"

if [ "$failures" -gt 0 ]; then
    say "$failures check(s) FAILED ($((SECONDS - started)) s)"
    exit 1
fi
say "passed ($((SECONDS - started)) s)"
