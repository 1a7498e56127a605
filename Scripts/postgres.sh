#!/usr/bin/env bash
# Starts and stops a throwaway PostgreSQL server for the tests (Documentation/Testing.md,
# "PostgreSQL tests"). Needs the Debian package `postgresql` (Scripts/install-system-packages.sh
# installs it); the highest version under /usr/lib/postgresql is used, else `initdb` on PATH.
#
#   Scripts/postgres.sh start DIR     new cluster in DIR (created when missing, else must be
#                                     empty); prints ONE line on stdout, its URL:
#                                     postgres://mlpipe@127.0.0.1:PORT/mlpipe_test
#   Scripts/postgres.sh url DIR       prints the URL of the server running in DIR again
#   Scripts/postgres.sh stop DIR      stops that server and removes DIR (no error when either
#                                     is already gone)
#   Scripts/postgres.sh shell [CMD…]  starts a server in a temporary directory, runs CMD (or
#                                     $SHELL) with MLPIPE_TEST_POSTGRES_URL exported, then
#                                     stops it, e.g.  Scripts/postgres.sh shell swift test --filter Postgres
#
# The server listens on 127.0.0.1 on a free port and on a Unix socket in DIR/socket (named
# .s.PGSQL.PORT, so pass -p PORT with -h DIR/socket), and nowhere else. Role `mlpipe` (the
# superuser) logs in without a password (trust), owning database `mlpipe_test`; anyone on this
# machine can therefore connect while it runs, which is fine for test data only. The files in
# DIR: data/ (the cluster), socket/, server.log, port, host, user (who runs the server),
# initdb.log.
#
# MLPIPE_POSTGRES_LISTEN=ADDR (an IPv4 address of this host, e.g. 10.231.0.1) makes `start`
# listen on ADDR as well, trust clients from ADDR's /24 (or from MLPIPE_POSTGRES_ALLOW=CIDR),
# and print (as `url` does later) postgres://mlpipe@ADDR:PORT/mlpipe_test. Scripts/two-hosts.sh
# uses it to serve another network namespace; anyone who can reach ADDR may then connect,
# so use an address on a private link only. Unset, nothing changes.
#
# PostgreSQL refuses to run as root: as root the server runs as `postgres` (made by the
# Debian package) or else as the system user `mlpipe-pg`, created on first use; otherwise as
# the current user. Nothing here touches any other cluster on the machine: every command acts
# on DIR only.
set -euo pipefail

readonly role=mlpipe
readonly database=mlpipe_test
readonly marker=.mlpipe-postgres   # in DIR: made by `start`, so `stop` only removes such a DIR
readonly fallback_user=mlpipe-pg

script=$(basename "$0")

die() {
    echo "$script: error: $*" >&2
    exit 1
}

usage() {
    sed -n '5,14p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

# The directory holding initdb, pg_ctl, createdb, psql and pg_isready.
find_bindir() {
    local best="" version
    if [ -d /usr/lib/postgresql ]; then
        version=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' \
            | awk -F/ '{print $5}' | sort -V | tail -n 1)
        if [ -n "$version" ]; then
            best=/usr/lib/postgresql/$version/bin
        fi
    fi
    if [ -z "$best" ] && command -v initdb >/dev/null 2>&1; then
        best=$(dirname "$(command -v initdb)")
    fi
    [ -n "$best" ] || die "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb, no initdb on PATH); run Scripts/install-system-packages.sh"
    echo "$best"
}

# The unprivileged user that runs the server.
server_user() {
    if [ "$(id -u)" -ne 0 ]; then
        id -un
    elif id -u postgres >/dev/null 2>&1; then
        echo postgres
    else
        if ! id -u "$fallback_user" >/dev/null 2>&1; then
            echo "$script: creating system user $fallback_user to run PostgreSQL" >&2
            useradd --system --user-group --no-create-home --home-dir /nonexistent \
                --shell /usr/sbin/nologin "$fallback_user" >&2 \
                || die "could not create the system user $fallback_user"
        fi
        echo "$fallback_user"
    fi
}

# Runs "$@" as $pg_user: through runuser when we are root, from / (the server user may not
# be able to enter the current directory), with a locale every machine has.
as_user() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && LC_ALL=C runuser -u "$pg_user" -- "$@")
    else
        LC_ALL=C "$@"
    fi
}

# A free TCP port on $host (the kernel's choice when python3 works, else a random one
# that `ss` does not show in use). Another process may still take it before the server
# does: `start` then tries again with a new port.
free_port() {
    local port
    if port=$(python3 -c 'import socket, sys
s = socket.socket()
s.bind((sys.argv[1], 0))
print(s.getsockname()[1])' "$host" 2>/dev/null) && [ -n "$port" ]; then
        echo "$port"
        return
    fi
    command -v ss >/dev/null 2>&1 || die "need python3 or ss to find a free TCP port"
    for _ in $(seq 1 200); do
        port=$((49152 + RANDOM % 16000))
        if [ -z "$(ss -Hltn "sport = :$port")" ]; then
            echo "$port"
            return
        fi
    done
    die "found no free TCP port"
}

absolute() {
    (cd "$1" && pwd -P)
}

tail_log() {
    local file=$1 lines=${2:-30}
    if [ -s "$file" ]; then
        echo "--- last lines of $file ---" >&2
        tail -n "$lines" "$file" >&2
        echo "---" >&2
    fi
}

# The address clients use ($host), the server's listen_addresses ($listen) and the range
# pg_hba.conf trusts beyond this host ($allow): 127.0.0.1 and nothing, unless
# MLPIPE_POSTGRES_LISTEN names another address.
read_listen_settings() {
    host=127.0.0.1
    listen=127.0.0.1
    allow=""
    local address=${MLPIPE_POSTGRES_LISTEN:-}
    [ -n "$address" ] && [ "$address" != 127.0.0.1 ] || return 0
    [[ "$address" =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.[0-9]{1,3}$ ]] \
        || die "MLPIPE_POSTGRES_LISTEN must be an IPv4 address (like 10.231.0.1), not '$address'"
    host=$address
    listen="127.0.0.1,$address"
    allow=${MLPIPE_POSTGRES_ALLOW:-${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[3]}.0/24}
    [[ "$allow" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}/[0-9]{1,2}$ ]] \
        || die "MLPIPE_POSTGRES_ALLOW must be an IPv4 range (like 10.231.0.0/24), not '$allow'"
}

cmd_start() {
    local dir=$1 bindir port url attempt socket_path started=0 host listen allow
    bindir=$(find_bindir)
    pg_user=$(server_user)
    read_listen_settings

    case "$dir" in
        *\'*|*$'\n'*) die "the directory's path must not contain a quote or a newline: $dir" ;;
    esac
    mkdir -p "$dir" || die "could not create $dir"
    dir=$(absolute "$dir")
    # Empty only: DIR is handed to the server's user and removed by `stop`.
    [ -z "$(ls -A "$dir")" ] || die "$dir is not empty: give start a new or empty directory"
    # The socket's path (DIR/socket/.s.PGSQL.PORT) must fit in sun_path (107 bytes).
    socket_path="$dir/socket/.s.PGSQL.65535"
    [ ${#socket_path} -le 107 ] || die "the path $dir is too long for a Unix socket under it; use a shorter one"
    touch "$dir/$marker"
    echo "$pg_user" >"$dir/user"
    if [ "$(id -u)" -eq 0 ]; then
        chown "$pg_user:" "$dir" || die "could not give $dir to $pg_user"
    fi
    as_user test -w "$dir" -a -x "$dir" \
        || die "$pg_user cannot write to $dir (is a parent directory closed to it? use a directory under /tmp)"
    as_user mkdir -p "$dir/socket"

    if ! as_user "$bindir/initdb" -D "$dir/data" -U "$role" --auth=trust -E UTF8 --locale=C \
        --no-sync >"$dir/initdb.log" 2>&1; then
        tail_log "$dir/initdb.log"
        die "initdb failed in $dir/data"
    fi

    # Test server only: nothing in it outlives the test run, so it need not survive a
    # crash. Skipping fsync and friends makes it faster, mostly on slow disks. Parallel
    # query is off: the test machine has few cores and /dev/shm is small in containers.
    cat >>"$dir/data/postgresql.conf" <<EOF

# --- Scripts/postgres.sh: throwaway test server ---
include_if_exists = 'port.conf'
listen_addresses = '$listen'
unix_socket_directories = '$dir/socket'
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
max_parallel_workers_per_gather = 0
timezone = 'UTC'
log_timezone = 'UTC'
EOF
    if [ -n "$allow" ]; then
        # MLPIPE_POSTGRES_LISTEN: clients from that network log in as from 127.0.0.1 (trust).
        printf '\n# --- Scripts/postgres.sh: MLPIPE_POSTGRES_LISTEN=%s ---\nhost all all %s trust\n' \
            "$host" "$allow" | as_user tee -a "$dir/data/pg_hba.conf" >/dev/null
    fi

    for attempt in 1 2 3 4 5; do
        port=$(free_port)
        echo "port = $port" | as_user tee "$dir/data/port.conf" >/dev/null
        if as_user "$bindir/pg_ctl" -w -t 60 -D "$dir/data" -l "$dir/server.log" start \
            >>"$dir/pg_ctl.log" 2>&1; then
            started=1
            break
        fi
        # Someone took the port between our check and the server's bind: try another one.
        if grep -q "could not bind\|Address already in use" "$dir/server.log" 2>/dev/null \
            && [ "$attempt" -lt 5 ]; then
            echo "$script: port $port was taken, trying another" >&2
            continue
        fi
        break
    done
    if [ "$started" -ne 1 ]; then
        tail_log "$dir/pg_ctl.log" 3
        tail_log "$dir/server.log"
        # pg_ctl may have given up waiting on a server that is still starting.
        as_user "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
        die "the PostgreSQL server in $dir/data did not start (see $dir/server.log)"
    fi
    echo "$port" >"$dir/port"
    echo "$host" >"$dir/host"

    url="postgres://$role@$host:$port/$database"
    if ! as_user "$bindir/createdb" -h "$dir/socket" -p "$port" -U "$role" -O "$role" \
            "$database" >&2 \
        || ! as_user "$bindir/psql" -X -q -At -d "$url" -c 'select 1' >/dev/null; then
        tail_log "$dir/server.log"
        as_user "$bindir/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
        die "the server in $dir started, but creating or reaching database $database failed"
    fi
    echo "$script: PostgreSQL $("$bindir/pg_ctl" --version | awk '{print $3}') running as $pg_user in $dir, port $port" >&2
    echo "$url"
}

cmd_url() {
    local dir=$1 bindir port host
    [ -f "$dir/$marker" ] && [ -s "$dir/port" ] || die "$dir holds no cluster made by '$script start'"
    dir=$(absolute "$dir")
    bindir=$(find_bindir)
    port=$(cat "$dir/port")
    host=$(cat "$dir/host" 2>/dev/null || true)
    "$bindir/pg_isready" -q -h "$dir/socket" -p "$port" \
        || die "the server in $dir is not running (see $dir/server.log)"
    echo "postgres://$role@${host:-127.0.0.1}:$port/$database"
}

cmd_stop() {
    local dir=$1 bindir status
    if [ ! -e "$dir" ]; then
        return 0
    fi
    dir=$(absolute "$dir")
    if [ ! -f "$dir/$marker" ]; then
        # An empty directory (start failed before writing anything) is ours to remove;
        # anything else we did not make is not.
        rmdir "$dir" 2>/dev/null \
            || die "refusing to remove $dir: it was not made by '$script start'"
        return 0
    fi
    if [ -f "$dir/data/postmaster.pid" ]; then
        bindir=$(find_bindir)
        pg_user=$(cat "$dir/user" 2>/dev/null || true)
        [ -n "$pg_user" ] || pg_user=$(server_user)
        status=0
        as_user "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 || status=$?
        if [ "$status" -eq 0 ]; then
            as_user "$bindir/pg_ctl" -s -w -t 60 -D "$dir/data" -m fast stop >&2 \
                || die "could not stop the server in $dir/data; $dir is left in place"
        fi
    fi
    rm -rf -- "$dir"
}

cmd_shell() {
    local dir status
    dir=$(mktemp -d "${TMPDIR:-/tmp}/mlpipe-pg.XXXXXX")
    # shellcheck disable=SC2064 # expand $0 and $dir now
    trap "$(printf '%q ' "$0" stop "$dir")" EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    MLPIPE_TEST_POSTGRES_URL=$("$0" start "$dir")
    export MLPIPE_TEST_POSTGRES_URL
    echo "$script: MLPIPE_TEST_POSTGRES_URL=$MLPIPE_TEST_POSTGRES_URL" >&2
    if [ $# -eq 0 ]; then
        set -- "${SHELL:-/bin/bash}"
    fi
    status=0
    "$@" || status=$?
    exit "$status"
}

[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
    start|stop|url)
        [ $# -eq 1 ] && [ -n "$1" ] || usage
        "cmd_$command" "$1"
        ;;
    shell)
        cmd_shell "$@"
        ;;
    -h|--help|help)
        usage
        ;;
    *)
        usage
        ;;
esac
