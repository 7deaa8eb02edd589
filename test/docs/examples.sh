#!/usr/bin/env bash
# test/docs/examples.sh WORKDIR -- the examples of the user guide that are not
# SQL, run by scripts/test-docs.sh while its throwaway cluster is up (PG*,
# DATABASE_URL set; database "todo" with pothos_perf and the todo data).
# Prints one ok/FAIL line per example; exits 1 if any failed.
#
# How each kind of example is checked:
#   docs/client.md ```cpp    each block is the body of main() in
#                            test/docs/harness.cpp (which supplies `pool` and
#                            `options` for the fragments), compiled against the
#                            client library installed by `cmake --install` to a
#                            temporary prefix (pkg-config pothos-client), and run
#                            against the cluster.
#   docs/client.md ```cmake  a tiny project (the block + add_executable(app) of
#                            the first cpp block) configured with
#                            CMAKE_PREFIX_PATH=prefix, built and run.
#   docs/client.md ```sh     run as shown (app.cpp = the first cpp block) with
#                            PKG_CONFIG_PATH=prefix; the program it builds is run.
#   docs/cli.md ```sh        each command run with build/pothos-perf on PATH; the
#                            doc's DATABASE_URL / -h -p -U -d are replaced by the
#                            cluster's, /tmp/ by the work directory; `db ...`
#                            commands run against a database todo_test.
#   docs/cli.md ```json      each parses (python3 -m json.tool) and has the same
#                            top-level keys as `pothos-perf <its section> --json`.
#   docs/install.md, docs/metrics.md ```ini
#                            appended to a second throwaway cluster's
#                            postgresql.conf (the metrics port replaced by a free
#                            one); it must start and SHOW each setting's value.
#   docs/metrics.md ```sh    the curl command run against that cluster's
#                            metrics port; it must print the metric.
#   docs/install.md ```sh    install commands for a fresh machine, not run: each
#                            apt-get package must be in lib.sh's POTHOS_PACKAGES,
#                            each -D option must be an option() of CMakeLists.txt,
#                            and the make/cmake commands must be what lib.sh runs.
#   docs/benchmarks.md ```sh benchmark commands (minutes), not run: bash -n, each
#                            referenced script exists, and each VAR= it sets
#                            is read by that script (or a file it sources).
source "$(dirname "$0")/../../scripts/lib.sh"

W=$1
mkdir -p "$W"
BUILD=${POTHOS_BUILD_DIR:-$POTHOS_ROOT/build}
DOCS=$POTHOS_ROOT/docs
failed=0
ok()   { log "ok   $*"; }
fail() { log "FAIL $*"; failed=$((failed + 1)); }

# blocks FILE LANG DIR: DIR/NNN.txt per ```LANG block (fence indentation
# stripped) and "NNN LINE" per block on stdout.
blocks() {
    mkdir -p "$3"
    awk -v lang="$2" -v out="$3" '
        !b && $0 ~ "^[[:space:]]*```" lang "[[:space:]]*$" { b = 1; n++; f = sprintf("%s/%03d.txt", out, n)
            match($0, /^[[:space:]]*/); ind = RLENGTH; printf "" > f; printf "%03d %d\n", n, NR; next }
        b && /^[[:space:]]*```/ { b = 0; close(f); next }
        b { l = $0; i = 0; while (i < ind && substr(l, 1, 1) == " ") { l = substr(l, 2); i++ }; print l > f }' "$1"
}

# ---- docs/client.md -------------------------------------------------------
export DATABASE_URL="postgresql://postgres@127.0.0.1:$PGPORT/todo" PGDATABASE=todo   # its examples query todos
PREFIX=$W/prefix
if cmake --install "$BUILD" --prefix "$PREFIX" >"$W/install.log" 2>&1; then
    export PKG_CONFIG_PATH=$(dirname "$(find "$PREFIX" -name pothos-client.pc | head -1)")
    ok "client library installed to a temporary prefix (cmake --install)"
    # Portable: the installed package names no library path of this machine.
    if grep -rn -e '/libpq\.' -e "$(pkg-config --variable=libdir libpq)/" \
            "$PREFIX"/lib*/cmake/pothos/ >"$W/paths.out"; then
        fail "the installed CMake package hard-codes a library path"; sed 's/^/    ! /' "$W/paths.out" >&2
    else
        ok "the installed CMake package names no library path of this machine"
    fi
else
    fail "cmake --install $BUILD"; cat "$W/install.log" >&2
fi
first_cpp=""
while read -r n line; do
    d=$W/cpp-$n; mkdir -p "$d"
    cp "$W/client-cpp/$n.txt" "$d/block.inc"
    [ -z "$first_cpp" ] && first_cpp=$d
    if ! g++ -std=c++17 -I"$d" "$POTHOS_ROOT/test/docs/harness.cpp" -o "$d/prog" \
            $(pkg-config --cflags --libs pothos-client) >"$d/out" 2>&1; then
        fail "docs/client.md:$line cpp block does not compile"; sed 's/^/    ! /' "$d/out" | head -30 >&2
    elif ! timeout 60 "$d/prog" >"$d/out" 2>&1; then
        fail "docs/client.md:$line cpp block fails when run"; sed 's/^/    ! /' "$d/out" | head -30 >&2
    else
        ok "docs/client.md:$line cpp block (compiled and run)"
    fi
done < <(blocks "$DOCS/client.md" cpp "$W/client-cpp")

# the first block as a whole program, for the build examples
app_cpp() {
    { echo '#include <pothos/pothos.hpp>'; echo '#include <iostream>'; echo 'int main() {'
      cat "$W/client-cpp/001.txt"; echo '}'; } >"$1/app.cpp"
}
while read -r n line; do
    d=$W/cmake-$n; mkdir -p "$d"; app_cpp "$d"
    { echo 'cmake_minimum_required(VERSION 3.16)'; echo 'project(app CXX)'
      echo 'set(CMAKE_CXX_STANDARD 17)'; echo 'add_executable(app app.cpp)'
      cat "$W/client-cmake/$n.txt"; } >"$d/CMakeLists.txt"
    if cmake -S "$d" -B "$d/b" -DCMAKE_PREFIX_PATH="$PREFIX" >"$d/out" 2>&1 \
       && cmake --build "$d/b" >>"$d/out" 2>&1 && timeout 60 "$d/b/app" >>"$d/out" 2>&1; then
        ok "docs/client.md:$line cmake block (project built against the install prefix, run)"
    else
        fail "docs/client.md:$line cmake block"; tail -30 "$d/out" | sed 's/^/    ! /' >&2
    fi
done < <(blocks "$DOCS/client.md" cmake "$W/client-cmake")
while read -r n line; do
    d=$W/clientsh-$n; mkdir -p "$d"; app_cpp "$d"
    if (cd "$d" && bash -e "$W/client-sh/$n.txt" && timeout 60 ./a.out) >"$d/out" 2>&1; then
        ok "docs/client.md:$line sh block (built with pkg-config, run)"
    else
        fail "docs/client.md:$line sh block"; tail -30 "$d/out" | sed 's/^/    ! /' >&2
    fi
done < <(blocks "$DOCS/client.md" sh "$W/client-sh")

# ---- docs/cli.md ----------------------------------------------------------
# The command as built from this tree (src/cli/ of the build), never one
# installed elsewhere on PATH.
cmake --build "$BUILD" -j2 --target pothos-perf >/dev/null
export PATH=$BUILD/src/cli:$PATH
[ "$(command -v pothos-perf)" = "$BUILD/src/cli/pothos-perf" ] || fail "docs/cli.md: pothos-perf of $BUILD not first on PATH"
psql -X -q -d postgres -c "CREATE DATABASE todo_test" >/dev/null
TODO_URL="postgresql://postgres@127.0.0.1:$PGPORT/todo"
while read -r n line; do
    f=$W/cli-sh/$n.txt
    while IFS= read -r cmd; do
        [ -z "${cmd// }" ] && continue
        c=$(sed -E "s#DATABASE_URL=[^ ]+#DATABASE_URL=$TODO_URL#; s#-h [^ ]+ -p [0-9]+ -U [^ ]+ -d [^ ]+#-h 127.0.0.1 -p $PGPORT -U postgres -d todo#; s#/tmp/#$W/#g" <<<"$cmd")
        db=todo; case $c in *" db "*) db=todo_test ;; esac
        if (cd "$POTHOS_ROOT" && PGDATABASE=$db DATABASE_URL=${TODO_URL%/todo}/$db timeout 120 bash -c "$c") \
               </dev/null >"$W/cli.out" 2>&1; then
            ok "docs/cli.md:$line $cmd"
        else
            fail "docs/cli.md:$line $cmd"; tail -20 "$W/cli.out" | sed 's/^/    ! /' >&2
        fi
    done <"$f"
done < <(blocks "$DOCS/cli.md" sh "$W/cli-sh")
[ -f "$W/pothos-report.html" ] && ! xmllint --noout --html "$W/pothos-report.html" 2>/dev/null \
    && fail "docs/cli.md: the --html report is not well-formed"

# json blocks: the section each is in names the command
awk '/^#+ /{ h = $0 } /^```json/{ gsub(/^#+ |`/, "", h); print FNR "|" h }' "$DOCS/cli.md" >"$W/json-sections"
exec 3<"$W/json-sections"
while read -r n line; do
    IFS='|' read -r _ section <&3
    j=$W/cli-json/$n.txt
    if ! python3 -m json.tool "$j" >/dev/null 2>"$W/json.err"; then
        fail "docs/cli.md:$line json block does not parse"; sed 's/^/    ! /' "$W/json.err" >&2; continue
    fi
    case $section in
        advise) args=(advise --apply --yes); db=todo ;;   # the block shows "applied"
        explain*) args=(explain "SELECT count(*) FROM todos WHERE id = 1"); db=todo ;;
        "db reset") args=(db reset --dir examples/todo/migrations --force); db=todo_test ;;
        db*) args=($section --dir examples/todo/migrations); db=todo_test ;;
        *) args=($section); db=todo ;;
    esac
    if ! (cd "$POTHOS_ROOT" && PGDATABASE=$db DATABASE_URL=${TODO_URL%/todo}/$db \
            timeout 120 pothos-perf "${args[@]}" --json) </dev/null >"$W/real.json" 2>"$W/real.err"; then
        fail "docs/cli.md:$line json block: pothos-perf ${args[*]} --json failed"; tail -5 "$W/real.err" >&2; continue
    fi
    keys() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(" ".join(sorted(d)) if isinstance(d, dict) else type(d).__name__)' "$1"; }
    want=$(keys "$j"); got=$(keys "$W/real.json" 2>&1 || true)
    if [ "$want" = "$got" ]; then
        ok "docs/cli.md:$line json block parses, same keys as pothos-perf ${args[*]} --json"
    else
        fail "docs/cli.md:$line json block: keys [$want], pothos-perf ${args[*]} --json gives [$got]"
    fi
done < <(blocks "$DOCS/cli.md" json "$W/cli-json")
exec 3<&-

# ---- ```ini of docs/install.md and docs/metrics.md, the curl of metrics.md --
C=$W/ini-cluster
INI_DATA=""
stop_ini() { [ -n "$INI_DATA" ] && as_pg "$PG_BINDIR/pg_ctl" -D "$INI_DATA" -m fast -w stop >/dev/null 2>&1 || true; }
trap stop_ini EXIT
mkdir -p "$C"; [ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$C" "$W"
ini_port=$(free_port $((PGPORT + 1)))
metrics_port=$(free_port $((ini_port + 1)))
as_pg "$PG_BINDIR/initdb" -D "$C/data" -U postgres --auth=trust -E UTF8 --locale=C --no-instructions >"$W/ini-initdb.log"
INI_DATA=$C/data
printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\nfsync = off\n" "$ini_port" "$C" \
    | as_pg tee -a "$INI_DATA/postgresql.conf" >/dev/null
: >"$W/ini-expect"
for doc in install.md metrics.md; do
    while read -r n line; do
        sed "s/'9187'/'$metrics_port'/" "$W/ini-$doc/$n.txt" | as_pg tee -a "$INI_DATA/postgresql.conf" >/dev/null
        # name = value lines, the value as SHOW gives it (quotes removed)
        sed -E 's/#.*//' "$W/ini-$doc/$n.txt" | sed -nE "s/^[[:space:]]*([a-z_.]+)[[:space:]]*=[[:space:]]*'?([^']*[^' ])'?[[:space:]]*$/\1 \2/p" \
            | sed "s/ 9187\$/ $metrics_port/" | sed "s#^#docs/$doc:$line #" >>"$W/ini-expect"
    done < <(blocks "$DOCS/$doc" ini "$W/ini-$doc")
done
if as_pg "$PG_BINDIR/pg_ctl" -D "$INI_DATA" -l "$C/server.log" -w -t 60 start >/dev/null; then
    # as docs/metrics.md says: the extension is created in metrics_database
    psql -X -q -h 127.0.0.1 -p "$ini_port" -U postgres -d postgres -c "CREATE EXTENSION pothos_perf" >/dev/null
    while read -r where name value; do
        got=$(psql -X -At -h 127.0.0.1 -p "$ini_port" -U postgres -d postgres -c "SHOW $name" 2>&1 || true)
        if [ "$value" = auto ] && [ "$name" = compute_query_id ]; then
            # pothos_perf turns "auto" on, as the doc says: either is the setting taking effect
            case $got in auto|on) got=$value ;; esac
        fi
        if [ "$got" = "$value" ]; then ok "$where ini: $name = $value (SHOW after a start)"
        else fail "$where ini: $name should be '$value', SHOW gives '$got'"; fi
    done <"$W/ini-expect"
    while read -r n line; do
        sed "s/:9187/:$metrics_port/g" "$W/msh/$n.txt" >"$W/msh/$n.sh"
        for i in $(seq 50); do curl -sf "http://127.0.0.1:$metrics_port/metrics" >/dev/null 2>&1 && break; sleep 0.2; done
        if bash -o pipefail "$W/msh/$n.sh" >"$W/msh.out" 2>&1 && [ -s "$W/msh.out" ]; then
            ok "docs/metrics.md:$line sh block (curl of the metrics endpoint)"
        else
            fail "docs/metrics.md:$line sh block"; sed 's/^/    ! /' "$W/msh.out" >&2
        fi
    done < <(blocks "$DOCS/metrics.md" sh "$W/msh")
else
    fail "docs/install.md / docs/metrics.md ini blocks: the server does not start with them"
    tail -20 "$C/server.log" | sed 's/^/    ! /' >&2
fi
stop_ini; INI_DATA=""

# ---- docs/install.md ```sh: install commands, compared with what scripts/ use --
libsh=$POTHOS_ROOT/scripts/lib.sh
while read -r n line; do
    f=$W/install-sh/$n.txt; bad=""
    for p in $(sed -nE 's/#.*//; s/^apt-get install (-[a-z] )*//p' "$f"); do
        case $p in -*) continue ;; esac
        grep -qwF -e "$p" -e "${p//15/\$PG_MAJOR}" "$libsh" || bad+=" package $p not in POTHOS_PACKAGES;"
    done
    for o in $(grep -oE -- '-D[A-Z_]+' "$f" | sed 's/^-D//'); do
        grep -qE "option\($o[[:space:]]" "$POTHOS_ROOT/CMakeLists.txt" || bad+=" -D$o is no option of CMakeLists.txt;"
    done
    grep -q 'make -C "$POTHOS_ROOT" -s install' "$libsh" && grep -q 'cmake --build "$bdir"' "$libsh" \
        || bad+=" lib.sh no longer builds with make install / cmake --build;"
    bash -n "$f" 2>>"$W/install.err" || bad+=" bash -n fails;"
    if [ -z "$bad" ]; then ok "docs/install.md:$line sh block (install commands: packages, CMake options and build commands are those of scripts/, not run)"
    else fail "docs/install.md:$line sh block:$bad"; fi
done < <(blocks "$DOCS/install.md" sh "$W/install-sh")

# ---- docs/benchmarks.md ```sh: syntax, scripts exist, variables are read ----
while read -r n line; do
    f=$W/bench-sh/$n.txt; bad=""
    bash -n "$f" 2>"$W/bench.err" || bad+=" bash -n: $(head -1 "$W/bench.err");"
    scripts=$(grep -oE 'bench/[A-Za-z0-9_/.-]+\.sh' "$f" | sort -u)
    [ -n "$scripts" ] || bad+=" no bench/ script named;"
    for s in $scripts; do [ -f "$POTHOS_ROOT/$s" ] || bad+=" $s does not exist;"; done
    for v in $(sed 's/#.*//' "$f" | grep -oE '(^|[[:space:]])[A-Z][A-Z0-9_]+=' | tr -d ' =' | sort -u); do
        found=""
        for s in $scripts; do
            dir=$(dirname "$POTHOS_ROOT/$s")
            grep -qw "$v" "$POTHOS_ROOT/$s" "$dir"/*.sh 2>/dev/null && found=1
        done
        [ -n "$found" ] || bad+=" $v is read by none of $scripts;"
    done
    if [ -z "$bad" ]; then ok "docs/benchmarks.md:$line sh block (bash -n, scripts exist, variables read; not run)"
    else fail "docs/benchmarks.md:$line sh block:$bad"; fi
done < <(blocks "$DOCS/benchmarks.md" sh "$W/bench-sh")

exit $(( failed > 0 ))
