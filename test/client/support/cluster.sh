#!/usr/bin/env bash
# Test fixture for the client tests: extra throwaway PostgreSQL clusters run by
# the postgres OS user on free loopback ports (the server refuses root).
#   cluster.sh start [conf lines...]      -> prints "DIR PORT"
#   cluster.sh replica PRIMARY_PORT       -> streaming replica via pg_basebackup: "DIR PORT"
#   cluster.sh stop|start|restart DIR
#   cluster.sh hba DIR LINE               -> put LINE first in pg_hba.conf and reload
#   cluster.sh remove DIR                 -> stop and delete
source "$(dirname "$0")/../../../scripts/lib.sh"
export POTHOS_PORT_BASE=$((55000 + RANDOM % 8000))
# The client tests do not need the extension: do not preload it here.
NO_PRELOAD="shared_preload_libraries = ''"

cmd=${1:-}; shift || true
case $cmd in
    start)
        dir=$(make_pg_tmpdir)
        cluster_start "$dir" "$NO_PRELOAD" "$@" 2>"$dir/fixture.log" >&2 \
            || { cat "$dir/fixture.log" >&2; exit 1; }
        echo "$dir $PGPORT" ;;
    replica)
        primary=$1
        dir=$(make_pg_tmpdir)
        port=$(free_port "$POTHOS_PORT_BASE")
        as_pg "$PG_BINDIR/pg_basebackup" -h 127.0.0.1 -p "$primary" -U postgres -D "$dir/data" \
            -R -X stream -c fast >"$dir/basebackup.log" 2>&1 \
            || { cat "$dir/basebackup.log" >&2; exit 1; }
        printf '%s\n' "port = $port" "unix_socket_directories = '$dir'" "$NO_PRELOAD" \
            | as_pg tee -a "$dir/data/postgresql.conf" >/dev/null
        as_pg "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
            || { cat "$dir/server.log" >&2; exit 1; }
        echo "$dir $port" ;;
    stop) cluster_stop "$1/data" ;;
    start-again)
        as_pg "$PG_BINDIR/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 60 start >/dev/null ;;
    restart)
        as_pg "$PG_BINDIR/pg_ctl" -D "$1/data" -l "$1/server.log" -m fast -w -t 60 restart >/dev/null ;;
    hba)
        { echo "$2"; cat "$1/data/pg_hba.conf"; } >"$1/pg_hba.new"
        as_pg cp "$1/pg_hba.new" "$1/data/pg_hba.conf"
        as_pg "$PG_BINDIR/pg_ctl" -D "$1/data" reload >/dev/null ;;
    remove)
        cluster_stop "$1/data"
        case $1 in "${TMPDIR:-/tmp}"/pothos.*) rm -rf "$1" ;; esac ;;
    *) die "usage: cluster.sh start|replica|stop|start-again|restart|hba|remove ..." ;;
esac
