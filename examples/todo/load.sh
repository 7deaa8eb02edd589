#!/usr/bin/env bash
# examples/todo/load.sh -- create the todo schema and load its deterministic
# data into the database named by the libpq environment
# (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, or a DATABASE_URL).
#
#   examples/todo/load.sh            scale 1: 40k users, 100k lists, 400k todos
#   examples/todo/load.sh 0.05       small data set for tests
#
# Drops and recreates the five todo tables in schema public of that database.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scale=${1:-${TODO_SCALE:-1}}

usage() { sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
case $scale in
    -h|--help) usage; exit 0 ;;
esac
# a plain positive decimal number (it is spliced into SQL)
if ! [[ $scale =~ ^[0-9]+(\.[0-9]+)?$ ]] || [[ $scale =~ ^0+(\.0+)?$ ]]; then
    echo "load.sh: scale must be a positive number, got '$scale'" >&2
    exit 2
fi

psql_args=(-X -q -v ON_ERROR_STOP=1)
# libpq does not read DATABASE_URL itself
if [ -z "${PGDATABASE:-}" ] && [ -n "${DATABASE_URL:-}" ]; then
    psql_args+=(-d "$DATABASE_URL")
fi

start=$(date +%s.%N)
psql "${psql_args[@]}" -f "$here/schema.sql"
psql "${psql_args[@]}" -v scale="$scale" -f "$here/seed.sql"
end=$(date +%s.%N)

psql "${psql_args[@]}" -At -F ' ' -c "
    SELECT 'rows: users=' || (SELECT count(*) FROM users)
        || ' todo_lists=' || (SELECT count(*) FROM todo_lists)
        || ' todos=' || (SELECT count(*) FROM todos)
        || ' list_members=' || (SELECT count(*) FROM list_members)
        || ' login_logs=' || (SELECT count(*) FROM login_logs)
        || ' size=' || pg_size_pretty(sum(pg_total_relation_size(c.oid)))
    FROM pg_class c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
      AND c.relname IN ('users','todo_lists','todos','list_members','login_logs')"
awk -v s="$start" -v e="$end" -v sc="$scale" 'BEGIN { printf "loaded todo data at scale %s in %.1f s\n", sc, e - s }'
