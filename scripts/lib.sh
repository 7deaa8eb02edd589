# scripts/lib.sh -- shared helpers for the project's scripts (sourced, not run).
#
# Provides: package installation, running commands as the unprivileged
# PostgreSQL OS user, and a throwaway cluster on a free loopback port that is
# stopped by its own pg_ctl (never pkill) when the calling script exits.

set -euo pipefail

POTHOS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PG_MAJOR=${PG_MAJOR:-15}
PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/$PG_MAJOR/bin}
PG_OS_USER=${PG_OS_USER:-postgres}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Every Debian package the build, the tests, the demo and the benchmarks use.
POTHOS_PACKAGES=(
    postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR postgresql-contrib
    postgresql-$PG_MAJOR-pg-qualstats libpq-dev
    g++ make cmake pkg-config libgtest-dev libgmock-dev libbenchmark-dev
    nlohmann-json3-dev libcli11-dev
    libipc-run-perl prometheus curl util-linux procps libxml2-utils libssl-dev
    jq chromium fonts-dejavu-core
)

install_packages() {
    local missing=() p
    for p in "${POTHOS_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        log "all packages present"
        return 0
    fi
    [ "$(id -u)" = 0 ] || die "missing packages (${missing[*]}); run as root to install them"
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${POTHOS_PACKAGES[@]}"
}

# Run a command as the PostgreSQL OS user (directly when we already are not root).
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$PG_OS_USER" -- env PATH="$PG_BINDIR:$PATH" "$@"
    else
        env PATH="$PG_BINDIR:$PATH" "$@"
    fi
}

# A directory the PostgreSQL OS user owns; removed by the caller's cleanup.
make_pg_tmpdir() {
    local d
    d=$(mktemp -d "${TMPDIR:-/tmp}/pothos.XXXXXX")
    chmod 755 "$d"
    if [ "$(id -u)" = 0 ]; then chown "$PG_OS_USER" "$d"; fi
    echo "$d"
}

free_port() {
    local p
    for p in $(seq "${1:-54320}" 65000); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"; return 0
        fi
    done
    die "no free port"
}

# build_all: the extension (PGXS) installed into the server, and the CMake tree.
# POTHOS_SKIP_EXTENSION_BUILD=1 uses the extension already installed.
build_extension() {
    if [ "${POTHOS_SKIP_EXTENSION_BUILD:-0}" = 1 ]; then
        log "using the installed extension (POTHOS_SKIP_EXTENSION_BUILD=1)"
        return 0
    fi
    log "building and installing the extension"
    make -C "$POTHOS_ROOT" -s -j"$(nproc)"
    make -C "$POTHOS_ROOT" -s install
}

build_cmake() {
    local bdir=${1:-$POTHOS_ROOT/build}
    shift || true
    log "building the CMake tree in $bdir"
    cmake -S "$POTHOS_ROOT" -B "$bdir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$bdir" -j"$(nproc)"
}

# configure_and_start DIR DATA [postgresql.conf lines...]: appends the lines
# (and unix_socket_directories = DIR) to DATA's postgresql.conf, then starts
# the server with its log in DIR/server.log.
configure_and_start() {
    local dir=$1 data=$2 line; shift 2
    {
        echo "unix_socket_directories = '$dir'"
        for line in "$@"; do echo "$line"; done
    } | as_pg tee -a "$data/postgresql.conf" >/dev/null
    as_pg "$PG_BINDIR/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 start >/dev/null \
        || { cat "$dir/server.log" >&2; die "server in $data failed to start"; }
}

# n_plus_one_sql PARENT CHILD: three units of work (transactions), each one
# query of PARENT (id) returning 8 rows and then one lookup of CHILD by id per
# row: an N+1 loop (CHILD has columns id and v).
n_plus_one_sql() {
    local unit id
    for unit in 0 1 2; do
        echo "BEGIN;"
        echo "SELECT id FROM $1 WHERE id > $unit ORDER BY id LIMIT 8;"
        for id in $(seq $((unit + 1)) $((unit + 8))); do echo "SELECT v FROM $2 WHERE id = $id;"; done
        echo "COMMIT;"
    done
}

# cluster_start DIR [extra postgresql.conf lines...]
# Sets PGHOST PGPORT PGUSER PGDATABASE DATABASE_URL POTHOS_PGDATA for the caller.
cluster_start() {
    local dir=$1; shift
    POTHOS_PGDATA=$dir/data
    PGPORT=$(free_port "${POTHOS_PORT_BASE:-54320}")
    as_pg "$PG_BINDIR/initdb" -D "$POTHOS_PGDATA" -U postgres --auth=trust -E UTF8 \
        --locale=C --no-instructions >"$dir/initdb.log"
    configure_and_start "$dir" "$POTHOS_PGDATA" "listen_addresses = '127.0.0.1'" "port = $PGPORT" \
        "shared_preload_libraries = 'pothos_perf'" "max_connections = 100" "fsync = off" "$@"
    export PGHOST=127.0.0.1 PGPORT PGUSER=postgres PGDATABASE=postgres POTHOS_PGDATA
    export DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/postgres"
    log "cluster up on 127.0.0.1:$PGPORT (data $POTHOS_PGDATA)"
}

# standby_start DIR [extra postgresql.conf lines...]: a streaming standby of
# the cluster cluster_start started (pg_basebackup -R from 127.0.0.1:$PGPORT,
# which needs wal_level = replica), in DIR/data on its own free port; it
# keeps the primary's settings, the extra lines override them. Sets
# STANDBY_PORT and STANDBY_PGDATA; stop it with cluster_stop "$STANDBY_PGDATA".
standby_start() {
    local dir=$1; shift
    as_pg mkdir -p "$dir"
    STANDBY_PORT=$(free_port $((PGPORT + 1)))
    as_pg "$PG_BINDIR/pg_basebackup" -h 127.0.0.1 -p "$PGPORT" -U postgres -D "$dir/data" -R -X stream -c fast
    STANDBY_PGDATA=$dir/data
    configure_and_start "$dir" "$STANDBY_PGDATA" "port = $STANDBY_PORT" "$@"
    [ "$(as_pg "$PG_BINDIR/psql" -X -At -h 127.0.0.1 -p "$STANDBY_PORT" -U postgres -d postgres \
          -c 'SELECT pg_is_in_recovery()')" = t ] || die "the standby on port $STANDBY_PORT is not in recovery"
    export STANDBY_PORT STANDBY_PGDATA
    log "standby up on 127.0.0.1:$STANDBY_PORT (data $STANDBY_PGDATA)"
}

# wait_replayed: waits (up to 30 s) until the standby has replayed everything
# the primary wrote so far.
wait_replayed() {
    local lsn i
    lsn=$(as_pg "$PG_BINDIR/psql" -X -At -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres \
          -c 'SELECT pg_current_wal_lsn()')
    for i in $(seq 150); do
        [ "$(as_pg "$PG_BINDIR/psql" -X -At -h 127.0.0.1 -p "$STANDBY_PORT" -U postgres -d postgres \
              -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] && return 0
        sleep 0.2
    done
    die "the standby did not replay up to $lsn"
}

cluster_stop() {
    local data=${1:-${POTHOS_PGDATA:-}}
    [ -n "$data" ] && [ -f "$data/postmaster.pid" ] || return 0
    as_pg "$PG_BINDIR/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 \
        || as_pg "$PG_BINDIR/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
}

# An EXIT trap for scripts that start one cluster (cluster_start), and maybe
# its standby (standby_start), in a work directory held in $WORK: stops them
# by their pg_ctl, removes $WORK, keeps the script's exit status.
# Use: WORK=""; trap stop_cluster_and_clean EXIT
stop_cluster_and_clean() {
    local rc=$?
    cluster_stop "${STANDBY_PGDATA:-}"
    cluster_stop "${POTHOS_PGDATA:-}"
    [ -n "${WORK:-}" ] && [ -d "$WORK" ] && rm -rf "$WORK"
    exit $rc
}
