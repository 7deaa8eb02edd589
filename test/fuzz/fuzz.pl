# Fuzzing every SQL-callable function and view of the extension.
#
# The functions and views are read from the catalog (the objects that
# depend on the extension), so whatever is added later is covered too; the
# arguments are drawn per argument type (or, for a search_path argument, per
# name) from pools of bad input: NULLs, empty and multi-megabyte texts,
# malformed, multi-statement and random SQL, deep nesting, extreme numbers,
# odd arrays, malformed and huge search paths. Every call runs as the
# superuser and as an unprivileged role (42501 is an expected answer),
# under statement_timeout, on a server with a workload behind it (texts of
# a LATIN1 database, N+1 loops, slow statements).
#
# A call fails the test if it crashes the server or loses the connection,
# raises XX000 (internal error), returns text that is not valid UTF-8 (22021
# from the check every result goes through) or runs into statement_timeout.
# Seeded and reproducible: POTHOS_FUZZ_SEED (default 1) and
# POTHOS_FUZZ_CALLS (random calls per role, default 3000) set the run; the
# summary says what ran.
use strict;
use warnings;
use IPC::Run ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes ();

my $seed = $ENV{POTHOS_FUZZ_SEED} // 1;
my $calls_per_role = $ENV{POTHOS_FUZZ_CALLS} // 3000;
my $timeout_s = 30;    # statement_timeout of every call
my $started = Time::HiRes::time();

$ENV{PGCLIENTENCODING} = 'UTF8';

my $node = PostgreSQL::Test::Cluster->new('fuzz');
$node->init(extra => [ '--encoding=UTF8', '--locale=C' ]);
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'pothos_perf'
pothos_perf.track_planning = on
pothos_perf.slow_query_threshold = 5
pothos_perf.max_query_text = 4096
restart_after_crash = on
});
$node->start;

# ---- the workload behind the views -------------------------------------------

$node->safe_psql('postgres', q{
    CREATE EXTENSION pothos_perf;
    CREATE ROLE fuzz_user LOGIN;
    CREATE DATABASE fuzz_latin1 ENCODING 'LATIN1' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C';
    CREATE TABLE fz_t (a int PRIMARY KEY, b int, c text, d jsonb);
    INSERT INTO fz_t SELECT g, g % 10, 'row ' || g, jsonb_build_object('k', g) FROM generate_series(1, 2000) g;
    CREATE INDEX fz_t_b ON fz_t (b);
    CREATE INDEX fz_t_b_dup ON fz_t (b);
    CREATE TABLE "fz_ünï" (id int PRIMARY KEY, t_a int REFERENCES fz_t (a), "nämé" text);
    INSERT INTO "fz_ünï" SELECT g, g, 'n' || g FROM generate_series(1, 500) g;
    ANALYZE;
    GRANT SELECT ON fz_t, "fz_ünï" TO fuzz_user;
});
$node->safe_psql('fuzz_latin1', q{
    CREATE EXTENSION pothos_perf;
    CREATE TABLE "lïst" (id int PRIMARY KEY, "café" text);
    INSERT INTO "lïst" SELECT g, 'ç' || g FROM generate_series(1, 50) g;
    SELECT "café" AS "crème brûlée" FROM "lïst" WHERE id = 3;
    SELECT count(*) FROM "lïst" WHERE "café" LIKE 'ç%' AND pg_sleep(0.01) IS NOT NULL;
});

# Loops of lookups (N+1 findings), slow statements, long and odd texts.
sub workload {
    my ($role) = @_;
    my $sql = "SET pothos_perf.n_plus_one_min_occurrences = 1;\n";
    for my $unit (1 .. 3) {
        $sql .= "SET pothos_perf.request_id = 'unit-$unit';\n";
        $sql .= "SELECT id, t_a FROM \"fz_ünï\" WHERE id <= 12 \\g /dev/null\n";
        $sql .= "SELECT c FROM fz_t WHERE a = $_ \\g /dev/null\n" for 1 .. 12;
        $sql .= "SELECT \"nämé\" FROM \"fz_ünï\" WHERE id = $_ \\g /dev/null\n" for 1 .. 6;
        $sql .= "RESET pothos_perf.request_id;\n";
    }
    $sql .= "SELECT pg_sleep(0.01), count(*) FROM fz_t WHERE c LIKE '%9' \\g /dev/null\n";
    $sql .= "SELECT 1 AS \"ünï €😀\", 'x' || repeat('y', 6000) AS long_text \\g /dev/null\n";
    $sql .= "SELECT " . join(', ', map { "b + $_ AS c$_" } 1 .. 300) . " FROM fz_t WHERE a = 1 \\g /dev/null\n";
    $node->psql('postgres', $sql, extra_params => [ '-U', $role ]);
}
workload('postgres');
workload('fuzz_user');

# ---- what to call --------------------------------------------------------------

my @targets;    # { name, kind => function|view, types => [...], names => [...], defaults => n }
for my $row (split /\n/, $node->safe_psql('postgres', q{
    SELECT 'function', p.oid::regproc::text, p.pronargdefaults,
           coalesce((SELECT string_agg(format_type(t, NULL), ',' ORDER BY i)
                       FROM unnest(p.proargtypes) WITH ORDINALITY u(t, i)), ''),
           coalesce((SELECT string_agg(coalesce(n, ''), ',' ORDER BY i)
                       FROM unnest(p.proargnames, coalesce(p.proargmodes,
                                   array_fill('i'::"char", ARRAY[coalesce(cardinality(p.proargnames), 0)])))
                            WITH ORDINALITY u(n, m, i)
                      WHERE m IN ('i', 'b', 'v')), '')
      FROM pg_catalog.pg_proc p
      JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
      JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
     WHERE e.extname = 'pothos_perf' AND d.deptype = 'e' AND p.prokind = 'f'
    UNION ALL
    SELECT 'view', c.oid::regclass::text, 0, '', ''
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
      JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
     WHERE e.extname = 'pothos_perf' AND d.deptype = 'e' AND c.relkind IN ('v', 'm')
     ORDER BY 1, 2}))
{
    my ($kind, $name, $defaults, $types, $names) = split /\|/, $row, -1;
    push @targets, { kind => $kind, name => $name, defaults => $defaults,
                     types => [ grep { length } split /,/, $types ], names => [ split /,/, $names, -1 ] };
}
my $nfunctions = grep { $_->{kind} eq 'function' } @targets;
my $nviews = grep { $_->{kind} eq 'view' } @targets;
cmp_ok($nfunctions, '>=', 20, "the extension's functions are found in the catalog ($nfunctions)");
cmp_ok($nviews, '>=', 5, "and its views ($nviews)");

# ---- seeded choices ------------------------------------------------------------

my $rng = $seed & 0xFFFFFFFF || 1;
sub rnd {    # xorshift32: the same sequence on every platform
    my ($n) = @_;
    $rng ^= ($rng << 13) & 0xFFFFFFFF;
    $rng ^= $rng >> 17;
    $rng ^= ($rng << 5) & 0xFFFFFFFF;
    return $rng % $n;
}
sub pick { return $_[ rnd(scalar @_) ] }

sub dq { my ($s) = @_; return '$fZq$' . $s . '$fZq$' }

# Random characters, quotes and non-ASCII included.
# (UTF-8 bytes: a Hebrew letter, a right-to-left mark, a combining accent.)
my @chars = (('a' .. 'z'), ('0' .. '9'), split(//, q{ ()[]{},.;:'"*+-/<>=!?@#%^&|~`\\}), "\n", "\t",
    'é', '€', '😀', 'ß', 'ü', "\xd7\x90", "\xe2\x80\x8f", "e\xcc\x81");
sub garbage { my $n = 1 + rnd($_[0]); return join('', map { pick(@chars) } 1 .. $n) }

# Random token soup: mostly invalid SQL, now and then a real statement.
my @tokens = (qw{SELECT SELECT SELECT FROM FROM WHERE AND OR NOT IN EXISTS JOIN ON USING GROUP BY ORDER
    LIMIT OFFSET UNION ALL WITH AS DISTINCT CASE WHEN THEN ELSE END LATERAL INSERT INTO VALUES UPDATE
    SET DELETE RETURNING NULL TRUE * ( ( ) ) = < > <> + - / ; :: int text 1 2 42 -1 $1 $2 a b c d
    fz_t fz_t fz_t_b pg_class pg_sleep(0) count(*) sum(a) random() now()
    'x' 'é€' "fz_ünï" "nämé" id t_a ->> 'k' ANY( IS DISTINCT WINDOW OVER PARTITION ROWS FETCH
    FIRST ONLY NATURAL CROSS FULL LEFT RIGHT OUTER HAVING INTERSECT EXCEPT FOR UPDATE SHARE NOWAIT},
    ',', ',', 'generate_series(1, 3)', 'ARRAY[1, 2]');
sub soup { my $n = 1 + rnd($_[0]); return join(' ', map { pick(@tokens) } 1 .. $n) }

# Statement texts that parse, one of each kind the functions care about.
my @queries = (
    'SELECT 1', 'SELECT * FROM fz_t WHERE a = 1', 'SELECT * FROM fz_t WHERE b = $1',
    'SELECT * FROM fz_t WHERE c LIKE \'%x\' ORDER BY c LIMIT 10', 'SELECT b, count(*) FROM fz_t GROUP BY b',
    'SELECT * FROM fz_t t JOIN "fz_ünï" u ON u.t_a = t.a WHERE u."nämé" = \'n1\'',
    'SELECT * FROM fz_t WHERE a NOT IN (SELECT t_a FROM "fz_ünï")', 'SELECT * FROM fz_t, "fz_ünï"',
    'SELECT * FROM fz_t WHERE d ->> \'k\' = \'5\' OR b = 3 OR c = \'x\' OR a = 4',
    'SELECT * FROM fz_t ORDER BY random() LIMIT 1', 'SELECT DISTINCT * FROM fz_t WHERE lower(c) = \'r\'',
    'INSERT INTO fz_t VALUES (-1, 1, \'x\', NULL)', 'UPDATE fz_t SET b = b + 1 WHERE a = 1',
    'DELETE FROM fz_t WHERE a < 0', 'SELECT $1', 'SELECT $1::int + $2', 'WITH x AS (SELECT 1) SELECT * FROM x',
    'SELECT * FROM fz_t WHERE a = ANY($1::int[])', 'SELECT * FROM generate_series(1, 10) g',
    'SELECT * FROM pg_class WHERE relname = \'x\'', 'SELECT \'ünï €😀\' AS "é"',
    'SELECT * FROM fz_t FOR UPDATE', 'VALUES (1), (2)', 'TABLE fz_t',
);
sub deep_scalar { my ($n) = @_; return "'SELECT ' || repeat('(SELECT ', $n) || '1' || repeat(')', $n)" }

# Pools of argument expressions per type; code refs draw random ones.
my %pool = (
    text => [
        'NULL', "''", "' '", "E'\\n\\t'", "'--'", "'/*'", "';'", "';;;'", "'SELEC 1'", "'((('", "')))'",
        "'SELECT 1; SELECT 2'", "'SELECT * FROM nope'", "'CREATE TABLE fz_x (a int)'", "'DROP TABLE fz_t'",
        "'VACUUM'", "'BEGIN'", "'COMMIT'", "'COPY fz_t TO STDOUT'", "'EXPLAIN SELECT 1'", "'SET ROLE postgres'",
        "'SELECT pg_sleep(0.01)'", "'pg_catalog'", "'public'", "'pothos_perf'", "'nope'",
        "repeat('x', 3000000)", "repeat('é', 600000)", "'SELECT ' || repeat('1+', 400000) || '1'",
        "'SELECT ' || repeat('1+', 600000) || '1'", "'SELECT 1 WHERE ' || repeat('true AND ', 100000) || 'true'",
        "repeat('SELECT 1;', 100000)", "'SELECT ' || repeat('a', 900000)",
        "'SELECT ' || repeat('(', 5000) || '1' || repeat(')', 5000)",
        "'SELECT ' || repeat('(', 100000) || '1' || repeat(')', 100000)",
        # (The server's own EXPLAIN takes time quadratic in the depth, some
        # seconds at 2000 levels: deeper analyses are the deep_input test's.)
        deep_scalar(10), deep_scalar(252), deep_scalar(600), deep_scalar(1000), deep_scalar(20000),
        "'SELECT 1 WHERE ' || repeat('EXISTS (SELECT 1 FROM fz_t WHERE b = 1 AND ', 300) || 'true' || repeat(')', 300)",
        "'SELECT ' || repeat('CASE WHEN true THEN ', 1000) || '1' || repeat(' END', 1000)",
        "'SELECT * FROM fz_t WHERE a IN (' || (SELECT string_agg(g::text, ',') FROM generate_series(1, 50000) g) || ')'",
        "'SELECT * FROM fz_t WHERE a NOT IN (' || (SELECT string_agg(g::text, ',') FROM generate_series(1, 20000) g) || ')'",
        "'SELECT ' || (SELECT string_agg('b AS c' || g, ', ') FROM generate_series(1, 1600) g) || ' FROM fz_t'",
        "(SELECT query FROM pothos_perf.statements ORDER BY queryid LIMIT 1)",
        "(SELECT query FROM pothos_perf.statements ORDER BY calls DESC LIMIT 1 OFFSET 3)",
        "(SELECT max(query) FROM pothos_perf.statements)",
        (map { dq($_) } @queries),
        sub { dq(pick(@queries) . pick('', ' ', ';', ' WHERE', ' ORDER BY', ')', ' UNION SELECT 1', ' -- x', ' /*')) },
        sub { dq(garbage(60)) }, sub { dq(garbage(400)) }, sub { dq(soup(12)) }, sub { dq(soup(40)) },
    ],
    # An argument named search_path (the caller's path for the statement an
    # analysis function resolves).
    'name:search_path' => [
        'NULL', "''", "' '", "'pg_catalog'", "'public'", "'\"\$user\", public'", "'nope, public'",
        "'pothos_perf'", "'pg_temp'", "'pg_catalog, pg_temp'", "current_setting('search_path')", "'\"public'",
        "','", "',,public'", "'a b'", "'\"\"'", "'public;'", "'public, '", "E'public\\n'",
        "'\"' || repeat('x', 200) || '\"'", "repeat('x,', 200000) || 'public'", "repeat('\"pub\",', 100000) || 'public'",
        "repeat('x', 3000000)",
        sub { dq(garbage(40)) }, sub { dq(soup(6)) },
    ],
    boolean => [ 'NULL', 'true', 'false' ],
    integer => [ 'NULL', '0', '1', '-1', '50', '2147483647', '-2147483648' ],
    bigint => [ 'NULL', '0', '1', '-1', '9223372036854775807', '-9223372036854775808',
                '(SELECT queryid FROM pothos_perf.statements LIMIT 1)', '(SELECT count(*) FROM fz_t)' ],
    oid => [ 'NULL', '0', '1', '10', '4294967295', "(SELECT oid FROM pg_roles WHERE rolname = current_user)",
             "(SELECT oid FROM pg_database WHERE datname = current_database())" ],
    'double precision' => [ 'NULL', '0', "'-0'", '1', '-1', '10', '1e100', '-1e100', '1.7976931348623157e308',
                            '-1.7976931348623157e308', '5e-324', "'NaN'", "'Infinity'", "'-Infinity'", '0.999999' ],
    'text[]' => [
        'NULL', "'{}'::text[]", "'{NULL}'::text[]", "ARRAY['']", "ARRAY['CREATE INDEX ON fz_t (a)']",
        "ARRAY['CREATE INDEX ON fz_t (b)', 'CREATE INDEX ON fz_t (c, b)']",
        "'{{\"CREATE INDEX ON fz_t (a)\"},{\"x\"}}'::text[]",
        "'[5:6]={\"CREATE INDEX ON fz_t (b)\",\"CREATE UNIQUE INDEX ON fz_t (c)\"}'::text[]",
        "ARRAY['DROP TABLE fz_t']", "ARRAY['CREATE INDEX ON nope (a)']", "ARRAY['CREATE INDEX ON fz_t USING gin (d)']",
        "ARRAY['CREATE INDEX ON fz_t ((a + b))']", "ARRAY['CREATE INDEX ON fz_t (b) WHERE a > 0']",
        "ARRAY['CREATE INDEX ON fz_t (b) INCLUDE (c)', NULL]", "ARRAY['CREATE INDEX ON \"fz_ünï\" (\"nämé\")']",
        "ARRAY['CREATE INDEX ON pg_class (relname)']", "ARRAY['CREATE INDEX ON fz_t (b); DROP TABLE fz_t']",
        "array_fill('CREATE INDEX ON fz_t (b)'::text, ARRAY[2000])", "ARRAY[repeat('x', 1000000)]",
        "array_fill('x'::text, ARRAY[3, 3])",
        sub { 'ARRAY[' . join(', ', map { dq(pick(soup(10), garbage(30), 'CREATE INDEX ON fz_t (' . pick(qw(a b c d)) . ')')) } 0 .. rnd(4)) . ']::text[]' },
    ],
);

sub draw {
    my ($type, $name) = @_;
    # (A type added later: NULLs at least.)
    my $p = (defined $name ? $pool{"name:$name"} : undef) // $pool{$type} // [ 'NULL', "NULL::$type" ];
    my $v = pick(@$p);
    return ref $v ? $v->() : $v;
}

# One call: its arguments drawn, now and then the defaulted ones left out.
sub call_sql {
    my ($t, $mode) = @_;
    # Every column through its output function, the text checked as UTF-8.
    return "SELECT count(*), sum(length(convert_to(v::text, 'UTF8'))) FROM $t->{name} v" if $t->{kind} eq 'view';
    my @types = @{ $t->{types} };
    my $n = @types;
    $n -= rnd($t->{defaults} + 1) if $t->{defaults} && $mode eq 'random' && rnd(4) == 0;
    $n = @types - $t->{defaults} if $mode eq 'defaults';
    my @args = map { $mode eq 'nulls' ? 'NULL' : draw($types[$_], $t->{names}[$_]) } 0 .. $n - 1;
    return "SELECT count(*), sum(length(convert_to(r::text, 'UTF8'))) FROM $t->{name}(" . join(', ', @args) . ') r';
}

# A function with a search_path argument, on a statement that resolves, with
# each fixed value of that argument's pool.
my %plain = (text => dq('SELECT a, c FROM fz_t WHERE b = 1'), boolean => 'false',
             'text[]' => "ARRAY['CREATE INDEX ON fz_t (b) WHERE a > 0']");
sub path_calls {
    my ($t) = @_;
    my @names = @{ $t->{names} };
    my ($at) = grep { ($names[$_] // '') eq 'search_path' } 0 .. $#names;
    return () unless defined $at;
    return map {
        my $path = $_;
        my @args = map { $_ == $at ? $path : ($plain{ $t->{types}[$_] } // 'NULL') } 0 .. $#{ $t->{types} };
        "SELECT count(*), sum(length(convert_to(r::text, 'UTF8'))) FROM $t->{name}(" . join(', ', @args) . ') r';
    } grep { !ref } @{ $pool{'name:search_path'} };
}

# Every target with all NULLs and with its defaults, the search paths, then
# random calls.
my @fixed = map { ($_->{kind} eq 'function' ? (call_sql($_, 'nulls'), call_sql($_, 'defaults'), path_calls($_))
                                            : (call_sql($_, 'view'))) } @targets;
my @random = map { call_sql(pick(@targets), 'random') } 1 .. $calls_per_role;
my @calls = (@fixed, @random);

# ---- running ---------------------------------------------------------------------

# Runs @calls as $role from call $from on; returns the index of the call
# that lost the connection (or undef when all ran), filling %$stats.
sub run_batch {
    my ($role, $from, $stats, $bad) = @_;
    my $script = "SET statement_timeout = '${timeout_s}s';\nSET client_min_messages = error;\n";
    for my $i ($from .. $#calls) {
        $script .= "\\echo \@\@call $i\n$calls[$i];\n\\echo \@\@done $i :SQLSTATE :LAST_ERROR_MESSAGE\n";
    }
    my ($out, $err) = ('', '');
    my $h = IPC::Run::start(
        [ 'psql', '-X', '-q', '-A', '-t', '-o', '/dev/null', '-v', 'VERBOSITY=terse', '-U', $role,
          '-d', $node->connstr('postgres') ],
        '<', \$script, '>', \$out, '2>', \$err,
        IPC::Run::timeout(600));
    eval { $h->finish; 1 } or do { $h->kill_kill; $stats->{hang}++; push @$bad, "$role: psql timed out"; };
    my $last_started;
    for my $line (split /\n/, $out) {
        if ($line =~ /^\@\@call (\d+)$/) {
            $last_started = $1;
        } elsif ($line =~ /^\@\@done (\d+) (\S+) ?(.*)$/) {
            my ($i, $state, $msg) = ($1, $2, $3);
            undef $last_started;
            $stats->{calls}++;
            $stats->{states}{$state}++;
            if ($state eq 'XX000') {
                $stats->{xx000}++;
                push @$bad, "$role: XX000 ($msg) from: " . substr($calls[$i], 0, 300);
            } elsif ($state eq '22021') {
                $stats->{badtext}++;
                push @$bad, "$role: invalid text ($msg) from: " . substr($calls[$i], 0, 300);
            } elsif ($state eq '57014') {
                $stats->{hang}++;
                push @$bad, "$role: statement_timeout ($msg) in: " . substr($calls[$i], 0, 300);
            }
        }
    }
    return $last_started;
}

sub server_up {
    for (1 .. 600) {
        return 1 if $node->psql('postgres', 'SELECT 1') == 0;
        Time::HiRes::usleep(100_000);
    }
    return 0;
}

my (%by_role, @bad);
for my $role ('postgres', 'fuzz_user') {
    my $t0 = Time::HiRes::time();
    my $stats = $by_role{$role} = { calls => 0, crash => 0, xx000 => 0, badtext => 0, hang => 0, states => {} };
    my $from = 0;
    while (defined(my $lost = run_batch($role, $from, $stats, \@bad))) {
        # The connection was lost during call $lost: a crash (the server
        # restarting) or a backend gone; either fails the test.
        $stats->{calls}++;
        $stats->{crash}++;
        push @bad, "$role: connection lost in: " . substr($calls[$lost], 0, 300);
        last unless server_up();
        $from = $lost + 1;
        last if $from > $#calls;
    }
    $stats->{seconds} = Time::HiRes::time() - $t0;
    workload($role);    # the views again, with the fuzz calls' own statements in the store
}

# ---- the summary ---------------------------------------------------------------------

my %total = (calls => 0, crash => 0, xx000 => 0, badtext => 0, hang => 0);
for my $role (sort keys %by_role) {
    my $s = $by_role{$role};
    $total{$_} += $s->{$_} for keys %total;
    my $states = join(', ', map { "$_: $s->{states}{$_}" } sort keys %{ $s->{states} });
    diag(sprintf('fuzz as %s: %d calls in %.1f s; %d crashes, %d XX000, %d invalid texts, %d statement_timeout; '
                 . 'SQLSTATEs %s', $role, $s->{calls}, $s->{seconds}, $s->{crash}, $s->{xx000}, $s->{badtext},
                 $s->{hang}, $states));
}
diag(sprintf('fuzz: seed %s, %d functions and %d views, %d calls per role (%d fixed, %d random), '
             . '%d calls in all in %.0f s: %d crashes, %d XX000, %d invalid texts, %d statement_timeout',
             $seed, $nfunctions, $nviews, scalar @calls, scalar @fixed, scalar @random, $total{calls},
             Time::HiRes::time() - $started, $total{crash}, $total{xx000}, $total{badtext}, $total{hang}));
diag($_) for @bad[ 0 .. ($#bad < 19 ? $#bad : 19) ];

is($total{calls}, 2 * scalar @calls, 'every call ran');
is($total{crash}, 0, 'no crash, no lost connection');
is($total{xx000}, 0, 'no internal error (XX000)');
is($total{badtext}, 0, 'no text returned that is not valid in the database encoding');
is($total{hang}, 0, 'no call ran into statement_timeout');
unlike(slurp_file($node->logfile), qr/terminated by signal|was terminated by exception|PANIC/,
    'no backend died (server log)');

$node->stop;
done_testing();
